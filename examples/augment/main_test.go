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
	if err := run([]string{"-rotate", "-1"}, io.Discard, io.Discard); err == nil {
		t.Error("-rotate -1 accepted")
	}
	exampletest.NeedData(t)
	dir := t.TempDir()
	exampletest.Run(t, run, "-download=false", "-out", dir)
	if _, err := os.Stat(filepath.Join(dir, "augment.png")); err != nil {
		t.Error(err)
	}
	exampletest.Run(t, run, "-download=false", "-dataset", "mnist", "-rotate", "10", "-elastic", "34", "-out", dir)
	if _, err := os.Stat(filepath.Join(dir, "augment-mnist.png")); err != nil {
		t.Error(err)
	}
}
