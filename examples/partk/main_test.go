package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -out and -model are created and checked before the data is loaded and
// the model trained (issue #9, case 14).
func TestFoldersCheckedFirst(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	empty := t.TempDir()
	file := filepath.Join(empty, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"-out", "-model"} {
		args := []string{"-data", empty, "-download=false", "-out", filepath.Join(t.TempDir(), "out"), flag, file}
		err := run(args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), flag+" "+file) {
			t.Errorf("%s naming a file: %v, want an error about %s before the data", flag, err, flag)
		}
	}
}
