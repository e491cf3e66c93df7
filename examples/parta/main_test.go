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
	if err := run([]string{"-download=false", "-out", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"train split:  60000 images of 28×28 pixels",
		"test  split:  10000 images of 28×28 pixels",
		"      6        Shirt   6000   1000",
		"               total  60000  10000",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
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
