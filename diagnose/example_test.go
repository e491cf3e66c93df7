package diagnose_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/diagnose"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// A ReLU unit is dead on a batch when it outputs 0 for every sample: no
// gradient passes back through it. Here units 0 and 2 of three are never
// positive.
func ExampleDeadFraction() {
	x := tensor.FromData([]float64{
		-1, 2, -3,
		-4, 0, -1,
		-2, 1, 0,
	}, 3, 3)
	y := layers.NewReLU().Forward(x)
	fmt.Printf("%.2f of the units are dead\n", diagnose.DeadFraction(y))
	// Output:
	// 0.67 of the units are dead
}

// PCA of points that lie on a line in 3-D finds the line's direction, and
// all the variance along it.
func ExampleNewPCA() {
	rng := rand.New(rand.NewPCG(1, 1))
	x := tensor.New(100, 3)
	for i := range 100 {
		t := rng.NormFloat64()
		x.Set(1+2*t, i, 0) // the line (1, 0, −1) + t·(2, 1, 2)
		x.Set(t, i, 1)
		x.Set(-1+2*t, i, 2)
	}
	p := diagnose.NewPCA(x, 2, rng)
	c := p.Components[0]
	fmt.Printf("direction (%.3f, %.3f, %.3f)\n", c[0], c[1], c[2])
	fmt.Printf("share of the variance: %.3f, %.3f\n", p.Variance[0]/p.Total, p.Variance[1]/p.Total)
	// Output:
	// direction (0.667, 0.333, 0.667)
	// share of the variance: 1.000, 0.000
}

// The learning-rate range test on f(w) = 2w², with a noisy gradient as in
// SGD: the step w ← w − lr·(4w + noise) converges only for lr < 0.5. The
// test sweeps lr from 1e-4 to 10; the loss falls, then explodes past the
// edge. The lowest smoothed loss comes just past the edge (the moving
// average lags behind the raw loss), which is why the suggested rate is a
// tenth of it: well inside the stable range.
func ExampleRangeTest() {
	rng := rand.New(rand.NewPCG(1, 1))
	w := 1.0
	step := func(lr float64) float64 {
		l := 2 * w * w
		w -= lr * (4*w + 0.1*rng.NormFloat64())
		return l
	}
	r, err := diagnose.RangeTest(step, diagnose.LRFindOptions{Min: 1e-4, Max: 10, Steps: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("lowest loss at lr %.2f, suggested lr %.3f, stable below 0.5\n", r.Best, r.Suggested)
	// Output:
	// lowest loss at lr 0.69, suggested lr 0.069, stable below 0.5
}

// Per-class accuracy shows what the overall error hides.
func ExamplePerClassAccuracy() {
	truth := []int{0, 0, 0, 0, 1, 1, 1, 1}
	pred := []int{0, 0, 0, 0, 1, 0, 0, 0}
	acc := diagnose.PerClassAccuracy(truth, pred, 2)
	fmt.Printf("overall 62.5%%, but class 0: %.0f%%, class 1: %.0f%%\n", 100*acc[0], 100*acc[1])
	// Output:
	// overall 62.5%, but class 0: 100%, class 1: 25%
}
