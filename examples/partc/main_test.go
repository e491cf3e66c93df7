package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	exampletest.NeedData(t)
	for _, c := range []struct {
		rng, want string
	}{
		{"0,1", "range [0, 1]: min 0, max 1, mean 0.2867"},
		{"-1,1", "range [-1, 1]: min -1, max 1, mean -0.4267"},
	} {
		t.Run("range="+c.rng, func(t *testing.T) {
			dir := t.TempDir()
			out := exampletest.Run(t, run, "-download=false", "-range", c.rng, "-out", dir)
			exampletest.Contains(t, out,
				"        Shirt   6000   3000   1000         500       500",
				"        total  60000  30000  10000        5000      5000",
				c.want,
				"check: 30000 kept images, max |inverted pixel − original| = 0, labels out of step: 0",
			)
			for _, name := range []string{"before.png", "after.png"} {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
