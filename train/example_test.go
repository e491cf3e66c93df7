package train_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// spiral returns n points of a two-armed spiral in the plane, labelled by
// arm: a problem no straight line separates, so the hidden layer must earn
// its keep.
func spiral(rng *rand.Rand, n int) (*tensor.Tensor, []int) {
	x := tensor.New(n, 2)
	y := make([]int, n)
	for i := range n {
		arm := i % 2
		r := rng.Float64()                                      // distance from the centre
		θ := 3*r + math.Pi*float64(arm) + 0.2*rng.NormFloat64() // the arm turns as it grows
		x.Set(r*math.Cos(θ), i, 0)
		x.Set(r*math.Sin(θ), i, 1)
		y[i] = arm
	}
	return x, y
}

// Run trains a small network on a synthetic problem: 2 inputs, 32 hidden
// ReLU units, 2 classes. It measures the validation set every 500 updates,
// as part l of the homework does, and the history holds every point.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2)) // every random choice takes a seed
	x, y := spiral(rng, 2000)
	vx, vy := spiral(rng, 1000)

	model := layers.NewMLP([]int{2, 32, 2}, layers.He, rng)
	loader := data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32, Shuffle: true, Rng: rng})
	h, err := train.Run(model, loader, &train.Set{X: vx, Y: vy}, train.Config{
		LR:        0.3,
		Updates:   2000,
		EvalEvery: 500,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range h.Val {
		fmt.Printf("update %4d (epoch %2d): validation error %5.1f%%\n", p.Update, p.Epoch, 100*p.Error)
	}
	fmt.Println(len(h.Train), "training points, one per update")
	// Output:
	// update  500 (epoch  8): validation error   2.9%
	// update 1000 (epoch 16): validation error   1.2%
	// update 1500 (epoch 24): validation error   0.4%
	// update 2000 (epoch 32): validation error   0.9%
	// 2000 training points, one per update
}

// A Hook looks inside the run: here it prints the loss every 10 updates and
// the validation error after each evaluation. Package diagnose builds hooks
// that record much more (update-to-weight ratios, dead units, per-class
// accuracy).
func ExampleHook() {
	rng := rand.New(rand.NewPCG(1, 2))
	// Two classes: is the sum of the four inputs positive?
	x := tensor.RandNormal(rng, 0, 1, 256, 4)
	y := make([]int, 256)
	for i := range y {
		if x.Data[4*i]+x.Data[4*i+1]+x.Data[4*i+2]+x.Data[4*i+3] > 0 {
			y[i] = 1
		}
	}
	model := layers.NewMLP([]int{4, 8, 2}, layers.He, rng)
	loader := data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32})
	cfg := train.Config{LR: 0.5, Updates: 30, EvalEvery: 15, Hooks: []train.Hook{{
		Updated: func(u *train.StepInfo) {
			if u.Update%10 == 0 {
				fmt.Printf("update %d: batch loss %.2f\n", u.Update, u.Loss)
			}
		},
		Evaluated: func(e *train.EvalInfo) {
			fmt.Printf("update %d: validation error %.0f%%\n", e.Update, 100*e.Error)
		},
	}}}
	if _, err := train.Run(model, loader, &train.Set{X: x, Y: y}, cfg); err != nil {
		fmt.Println(err)
	}
	// Output:
	// update 10: batch loss 0.31
	// update 15: validation error 4%
	// update 20: batch loss 0.14
	// update 30: batch loss 0.08
	// update 30: validation error 2%
}
