package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -out is checked before any work: a regular file there fails at once,
// not after the sanity checks, the range test and the training.
func TestOutCheckedFirst(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-data", t.TempDir(), "-download=false", "-out", file}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-out "+file) {
		t.Errorf("-out naming a file: %v, want an error about -out before the data", err)
	}
	if err := run([]string{"-diag-every", "0"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-diag-every") {
		t.Errorf("-diag-every 0: %v", err)
	}
}
