package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	if err := run([]string{"-shift", "28"}, io.Discard, io.Discard); err == nil {
		t.Error("-shift 28 accepted")
	}
	exampletest.NeedData(t)
	dir := t.TempDir()
	exampletest.Run(t, run, "-download=false", "-out", dir)
	if _, err := os.Stat(filepath.Join(dir, "augment.png")); err != nil {
		t.Error(err)
	}
}
