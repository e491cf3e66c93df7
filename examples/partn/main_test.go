package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The folders are checked before the data is loaded and a model trained:
// a file where a folder should be is refused at once, naming the flag.
func TestFoldersCheckedFirst(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"-out", "-model"} {
		args := []string{"-data", t.TempDir(), "-download=false", "-out", t.TempDir(), "-model", t.TempDir(), flag, file}
		err := run(args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), flag+" "+file) {
			t.Errorf("%s naming a file: %v, want an error about %s before the data", flag, err, flag)
		}
	}
}
