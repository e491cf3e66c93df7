package main

import (
	"io"
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
		// The worked 2-3-2 example: z¹ = (0.5−0.4+0.1, −0.3+0.8, 0.1−1.2+0.2).
		"z¹ = W¹ a⁰ + b¹                0.2000   0.5000  -0.9000\n",
		"z² = W² a¹ + b² (logits)      -0.1400   0.1200\n",
		"(2) δ¹ = (δ² W²) ⊙ 1[z¹ > 0]   0.1694   0.3388   0.0000\n",
		"by hand and library agree to within 1e-12: true",
		"(235146 parameters)",
		"= 470292 forward passes",
	)
	// The three finite-difference checks agree with the analytic values.
	diffs := regexp.MustCompile(` difference (\S+)\n`).FindAllStringSubmatch(s, -1)
	if len(diffs) != 3 {
		t.Fatalf("want 3 finite-difference lines, got %d:\n%s", len(diffs), s)
	}
	for _, d := range diffs {
		v, err := strconv.ParseFloat(d[1], 64)
		if err != nil || !(-1e-8 <= v && v <= 1e-8) {
			t.Errorf("finite difference off by %s", d[1])
		}
	}
	if n := len(regexp.MustCompile(`\(< 1e-7: pass\)`).FindAllString(s, -1)); n != 4 {
		t.Errorf("want 4 passing gradient checks (W¹, b¹, W², b²), got %d:\n%s", n, s)
	}
	for _, args := range [][]string{{"-nope"}, {"extra"}} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("arguments %q accepted", args)
		}
	}
}
