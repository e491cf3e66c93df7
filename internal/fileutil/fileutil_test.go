//go:build unix

package fileutil

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOpenRegular: a regular file opens (also through a link); a folder,
// a FIFO and a missing file are refused with what they are, without
// blocking on the FIFO.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, link} {
		if b, err := ReadRegular(p); err != nil || string(b) != "hi" {
			t.Errorf("ReadRegular(%s) = %q, %v", p, b, err)
		}
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{dir: "is a folder", filepath.Join(dir, "missing"): "no such file", fifo: "is a FIFO"}
	for p, want := range cases {
		f, err := OpenRegular(p)
		if err == nil {
			f.Close()
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("OpenRegular(%s): %v, want an error naming it and saying %q", p, err, want)
		}
	}
}
