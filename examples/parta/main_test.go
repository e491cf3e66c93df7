package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	exampletest.NeedData(t)
	dir := t.TempDir()
	out := exampletest.Run(t, run, "-download=false", "-out", dir)
	exampletest.Contains(t, out,
		"train split:  60000 images of 28×28 pixels",
		"test  split:  10000 images of 28×28 pixels",
		"      6        Shirt   6000   1000",
		"               total  60000  10000",
	)
	if _, err := os.Stat(filepath.Join(dir, "classes.png")); err != nil {
		t.Error(err)
	}
}

func TestBadDataset(t *testing.T) {
	err := run([]string{"-dataset", "cifar", "-download=false", "-out", t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unknown dataset") {
		t.Errorf("got %v, want an unknown dataset error", err)
	}
}
