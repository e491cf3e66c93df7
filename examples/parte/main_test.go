package main

import (
	"io"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	out := exampletest.Run(t, run)
	// Z = A Wᵀ + b worked out by hand: row 0 is (0.1+0.4+0.9+0.5, -0.4+1-1.8-1).
	exampletest.Contains(t, out,
		"   1.9000  -2.2000\n   3.7000  -3.7000\n",
		"by hand, sample 1 (counting from 0): z = W a + b = 3.7000 -3.7000  (row 1 of Z, counting from 0: 3.7000 -3.7000)",
	)
	for _, args := range [][]string{{"-nope"}, {"extra"}} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("arguments %q accepted", args)
		}
	}
}
