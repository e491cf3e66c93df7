package data

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// This file builds small synthetic IDX files so the tests can exercise the
// parser, the search and the download code without the real datasets.

// idxBytes encodes an unsigned-byte IDX file.
func idxBytes(dims []int, data []byte) []byte {
	b := []byte{0, 0, idxUint8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
func md5Hex(b []byte) string    { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

// synth is a fake dataset: its four files, uncompressed, by name.
type synth map[string][]byte

// newSynth makes a dataset of n training and n/2 test images of 4×3
// pixels. Pixel values encode the image index plus seed, and labels cycle
// through the 10 classes, so tests can tell datasets apart and check that
// labels stay in step with images.
func newSynth(n int, seed byte) synth {
	s := synth{}
	for _, split := range []struct {
		prefix string
		n      int
	}{{"train", n}, {"t10k", n / 2}} {
		img := make([]byte, split.n*12)
		lab := make([]byte, split.n)
		for i := range split.n {
			for p := range 12 {
				img[i*12+p] = byte(i) + seed + byte(p)
			}
			lab[i] = byte(i % 10)
		}
		s[split.prefix+"-images-idx3-ubyte"] = idxBytes([]int{split.n, 4, 3}, img)
		s[split.prefix+"-labels-idx1-ubyte"] = idxBytes([]int{split.n}, lab)
	}
	return s
}

// sums returns the checksum table that makes Load accept s as dataset.
func (s synth) sums(dataset string) map[string]fileSpec {
	m := map[string]fileSpec{}
	for name, b := range s {
		gz := gzipBytes(b)
		m[dataset+"/"+name] = fileSpec{name: name, sha256: sha256Hex(b), md5: md5Hex(gz), size: int64(len(gz))}
	}
	return m
}

// write puts the files of s into dir, gzip-compressed (as <name>.gz) or not.
func (s synth) write(t *testing.T, dir string, compressed bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range s {
		if compressed {
			name, b = name+".gz", gzipBytes(b)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// isolate makes the test independent of the machine: no $BACKPROP_DATA,
// an empty working directory (so ./data is empty) and no system folders.
// It returns options that accept fashion (and, if given, mnist) synthetic
// data in place of the real files.
func isolate(t *testing.T, fashion, mn synth) Options {
	t.Helper()
	t.Setenv(EnvData, "")
	chdir(t, t.TempDir())
	o := &overrides{sums: map[string]fileSpec{}, cache: filepath.Join(t.TempDir(), "cache")}
	for k, v := range fashion.sums("fashion-mnist") {
		o.sums[k] = v
	}
	for k, v := range mn.sums("mnist") {
		o.sums[k] = v
	}
	return Options{over: o}
}

// files lists the names of the files under dir, recursively.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, rel)
		}
		return nil
	})
	return names
}

// chdir changes the working directory for the rest of the test and restores
// it afterwards (testing.T.Chdir does this from Go 1.24 on; the module
// supports Go 1.22).
func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Chdir(old); err != nil {
			t.Fatal(err)
		}
	})
}
