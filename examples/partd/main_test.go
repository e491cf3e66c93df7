package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
)

// needData skips the test when FashionMNIST is not on this machine, unless
// BACKPROP_REQUIRE_DATA=1 says it must be (as in CI).
func needData(t *testing.T) {
	t.Helper()
	_, err := data.Load("fashion", false, data.Options{})
	if errors.Is(err, data.ErrNotFound) && os.Getenv("BACKPROP_REQUIRE_DATA") != "1" {
		t.Skip("FashionMNIST not found; set BACKPROP_DATA")
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	needData(t)
	dir := t.TempDir()
	var out bytes.Buffer
	// -updates 3 times only 3 steps per batch size: no real training.
	if err := run([]string{"-download=false", "-updates", "3", "-out", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"first batch: x [64 784], y 64 labels",
		"last batch:  x [48 784], y 48 labels (30000 = 64·468 + 48)",
		"469 batches in epoch 1",
		"   64      469          48            468               48",
		"   16     1875          16           1875                0",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "batch.png")); err != nil {
		t.Error(err)
	}
	if err := run([]string{"-batch", "0", "-out", dir}, io.Discard, io.Discard); err == nil {
		t.Error("-batch 0 accepted")
	}
}
