// Package fileutil opens the files the module reads, refusing anything but
// a regular file before reading from it: a folder cannot be read, a FIFO
// blocks until a writer comes along, and a device such as /dev/zero never
// ends. It is the one copy of that rule, used by the dataset reader
// (data), the model files (modelfile) and the example programs.
//
// It sits on the bottom floor beside tensor and imports only the standard
// library, so that packages on every floor can use it; being internal, it
// is not part of the module's API.
package fileutil

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// OpenRegular opens path for reading if it is a regular file (following
// symbolic links). It checks with Stat before opening, since opening a FIFO
// for reading blocks, and again on the open file, in case path was replaced
// in between. The error names path and, for a file that is not regular,
// what it is (Kind).
func OpenRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // an *fs.PathError, which names path
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file", path, Kind(st.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file (it changed while being opened)", path)
	}
	return f, nil
}

// ReadRegular reads the whole file at path, which must be a regular file
// (see OpenRegular).
func ReadRegular(path string) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Kind names what a file of mode m is, for error messages: "a folder",
// "a FIFO", "a socket", "a device", "a regular file", or its mode.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file (mode " + m.String() + ")"
}
