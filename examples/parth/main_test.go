package main

import (
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	exampletest.Contains(t, exampletest.Run(t, run),
		"mask 1[X > 0]  (2×4)\n   0.0000   0.0000   1.0000   1.0000\n   0.0000   1.0000   0.0000   1.0000\n",
		"∂L/∂X = ∂L/∂Y ⊙ mask  (2×4)\n   0.0000   0.0000   3.0000   4.0000\n   0.0000   6.0000   0.0000   8.0000\n",
		"equals ∂L/∂Y ⊙ mask: true",
	)
}
