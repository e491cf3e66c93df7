package main

import (
	"io"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	out := exampletest.Run(t, run)
	// Z = A Wᵀ + b as in part e; ReLU zeroes the negative column.
	exampletest.Contains(t, out,
		"Z = A Wᵀ + b (B×m, one matrix product)  (2×2)\n   1.9000  -2.2000\n   3.7000  -3.7000\n",
		"A′ = ReLU(Z) = max(0, Z) (B×m, element-wise)  (2×2)\n   1.9000   0.0000\n   3.7000   0.0000\n",
		"sample 1 (row 1 of A, counting from 0): z = 3.7000 -3.7000  a′ = max(0, z) = 3.7000 0.0000",
		"agree to within 1e-12: true",
		"2 of 4 hidden activations are positive",
	)
	for _, args := range [][]string{{"-nope"}, {"extra"}} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("arguments %q accepted", args)
		}
	}
}
