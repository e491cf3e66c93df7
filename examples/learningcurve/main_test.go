package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

// -fracs is checked before any data is loaded.
func TestFracsChecked(t *testing.T) {
	for _, fracs := range []string{"0", "1.5", "0.1,x", "NaN", ""} {
		err := run([]string{"-fracs", fracs, "-download=false", "-data", t.TempDir()}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-fracs") {
			t.Errorf("-fracs %q: %v, want an error naming -fracs", fracs, err)
		}
	}
}

// Two tiny sizes: one line each, the validation set the same 5,000 images.
func TestRunShort(t *testing.T) {
	exampletest.NeedData(t)
	if testing.Short() {
		t.Skip("-short: trains two networks")
	}
	dir := t.TempDir()
	out := exampletest.Run(t, run, "-download=false", "-updates", "20", "-eval-every", "20",
		"-fracs", "0.01,0.02", "-out", dir)
	exampletest.Contains(t, out, "validation: 5000 images, held-out test: 5000",
		"  0.01       600", "  0.02      1200", filepath.Join(dir, "learning-curve.png"))
}
