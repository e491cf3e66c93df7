package solution

import (
	"math"
	"testing"
)

func TestCentral(t *testing.T) {
	theta := []float64{1, 2}
	f := func() float64 { return theta[1] * theta[1] * theta[1] }
	// (2.001³ − 1.999³) / 0.002 = 12 + 1e-6: the error is h²·f‴/6 = 1e-6.
	if got := central(f, theta, 1, 1e-3); !(math.Abs(got-12.000001) <= 1e-9) {
		t.Errorf("central(x³ at 2, h = 1e-3) = %.12g, want 12.000001", got)
	}
	if theta[0] != 1 || theta[1] != 2 {
		t.Errorf("central changed θ to %v, want [1 2]", theta)
	}
}
