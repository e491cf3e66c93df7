package main

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	s := exampletest.Run(t, run)
	exampletest.Contains(t, s,
		"∂L/∂W = Δᵀ A  (2×3)\n   3.0000   4.5000   6.0000\n   7.0000   8.0000   9.0000\n",
		"∂L/∂b = Σ rows of Δ  (1×2)\n   1.5000   1.0000\n",
		"∂L/∂A = Δ W  (2×3)\n   0.5000  -0.3000   0.9000\n  -0.7500   1.1000  -1.0500\n",
		"= 1·2 + 0.5·5 = 4.5\n",
	)
	// The three finite-difference checks agree with the analytic values.
	diffs := regexp.MustCompile(` difference (\S+)\n`).FindAllStringSubmatch(s, -1)
	if len(diffs) != 3 {
		t.Fatalf("want 3 finite-difference lines, got %d:\n%s", len(diffs), s)
	}
	for _, d := range diffs {
		v, err := strconv.ParseFloat(d[1], 64)
		if err != nil || v > 1e-8 || v < -1e-8 {
			t.Errorf("finite difference off by %s", d[1])
		}
	}
}
