package main

import (
	"io"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	exampletest.Contains(t, exampletest.Run(t, run),
		"Y = max(0, X)  (2×4)\n   0.0000   0.0000   2.2500   0.5000\n   0.0000   1.0000   0.0000   4.0000\n",
		"4 of 8 entries are positive",
		"mask 1[X > 0]  (2×4)\n   0.0000   0.0000   1.0000   1.0000\n   0.0000   1.0000   0.0000   1.0000\n",
		"∂L/∂X = ∂L/∂Y ⊙ mask  (2×4)\n   0.0000   0.0000   3.0000   4.0000\n   0.0000   6.0000   0.0000   8.0000\n",
		"equals ∂L/∂Y ⊙ mask: true",
	)
	for _, args := range [][]string{{"-nope"}, {"extra"}} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("arguments %q accepted", args)
		}
	}
}
