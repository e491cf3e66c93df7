package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

// TestMaxPoolReLUPlane compares maxPoolReLUPlane with maxPoolPlane on
// what ReLU outputs: +0, positive numbers with ties, +Inf, and NaNs of
// either sign and any payload (a window's first NaN is its maximum), on
// planes that do not divide into windows, with guard values around y and
// arg that must stay.
func TestMaxPoolReLUPlane(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	values := []float64{0, 0, 1, 1, 2, 0.5, math.Inf(1), math.NaN(), -math.NaN(),
		math.Float64frombits(0x7FF0000000000001), math.Float64frombits(0xFFF0000000000002), 5e-324}
	const guard = 4
	for _, sh := range [][4]int{{2, 2, 2, 2}, {5, 7, 2, 2}, {6, 6, 2, 1}, {9, 8, 2, 3}, {28, 28, 2, 2}, {7, 7, 3, 2}} {
		h, w, k, s := sh[0], sh[1], sh[2], sh[3]
		g := poolGeom{n: 1, c: 1, h: h, w: w, k: k, s: s, ho: (h-k)/s + 1, wo: (w-k)/s + 1}
		for trial := range 50 {
			x := make([]float64, h*w)
			for i := range x {
				if trial%2 == 0 {
					x[i] = values[rng.IntN(len(values))]
				} else {
					x[i] = max(rng.NormFloat64(), 0)
				}
			}
			what := fmt.Sprintf("%d×%d, %d×%d windows every %d, trial %d", h, w, k, k, s, trial)
			n := g.ho * g.wo
			wantY, wantArg := make([]float64, n), make([]int, n)
			maxPoolPlane(g, x, wantY, wantArg, 1000)
			y, arg := make([]float64, n+2*guard), make([]int, n+2*guard)
			for i := range y {
				y[i], arg[i] = -7, -7
			}
			maxPoolReLUPlane(g, x, y[guard:guard+n], arg[guard:guard+n], 1000)
			if !numtest.SameSlices(t, what+": maxima", y[guard:guard+n], wantY) {
				t.FailNow()
			}
			for i := range arg {
				want := -7
				if i >= guard && i < guard+n {
					want = wantArg[i-guard]
				}
				if arg[i] != want || (i < guard || i >= guard+n) && y[i] != -7 {
					t.Fatalf("%s: arg[%d] = %d, want %d (or a guard value changed)", what, i-guard, arg[i], want)
				}
			}
		}
	}
}

// BenchmarkMaxPoolPlane times maxPoolPlane and maxPoolReLUPlane on
// 2×2 windows of 256 planes of 28×28 ReLU outputs, too many for a branch
// predictor to learn where their maxima are:
//
//	go test ./layers -run '^$' -bench MaxPoolPlane -count 5
func BenchmarkMaxPoolPlane(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	g := poolGeom{n: 1, c: 1, h: 28, w: 28, k: 2, s: 2, ho: 14, wo: 14}
	const planes = 256
	x := make([]float64, planes*784)
	for i := range x {
		x[i] = max(rng.NormFloat64(), 0)
	}
	y, arg := make([]float64, 196), make([]int, 196)
	for name, pool := range map[string]func(poolGeom, []float64, []float64, []int, int){"plain": maxPoolPlane, "relu": maxPoolReLUPlane} {
		b.Run(name, func(b *testing.B) {
			for i := range b.N {
				p := i % planes
				pool(g, x[p*784:(p+1)*784], y, arg, 0)
			}
		})
	}
}
