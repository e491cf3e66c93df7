package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

// The folders are checked before the data is loaded and a model trained.
func TestFoldersCheckedFirst(t *testing.T) {
	exampletest.FoldersCheckedFirst(t, run, "-model")
}

// A settings.json that is a non-empty folder could not be replaced by the
// save at the end: the run is refused before any data is loaded or any
// model trained, naming the file.
func TestSettingsFolderRefusedFirst(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "settings.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-data", t.TempDir(), "-download=false", "-model", dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "settings.json is not a regular file") {
		t.Errorf("got %v, want a refusal naming settings.json before the data", err)
	}
}
