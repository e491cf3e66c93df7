package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	exampletest.NeedData(t)
	dir := t.TempDir()
	// -updates 3 times only 3 steps per batch size: no real training.
	out := exampletest.Run(t, run, "-download=false", "-updates", "3", "-out", dir)
	exampletest.Contains(t, out,
		"first batch: x [64 784], y 64 labels",
		"last batch:  x [48 784], y 48 labels (30000 = 64·468 + 48)",
		"469 batches in epoch 1",
		"   64      469          48            468               48",
		"   16     1875          16           1875                0",
	)
	if _, err := os.Stat(filepath.Join(dir, "batch.png")); err != nil {
		t.Error(err)
	}
	// A batch as large as the subsample: one batch per epoch, the whole
	// set, so its gradient is the full one (no noise).
	out = exampletest.Run(t, run, "-download=false", "-updates", "1", "-frac", "0.1", "-batch", "6000", "-out", dir)
	exampletest.Contains(t, out,
		"last batch:  x [6000 784], y 6000 labels (6000 = 6000·1 + 0)",
		"1 batches in epoch 1",
		" 6000           0.000  0.00        1",
	)
	if err := run([]string{"-batch", "0", "-out", dir}, io.Discard, io.Discard); err == nil {
		t.Error("-batch 0 accepted")
	}
}
