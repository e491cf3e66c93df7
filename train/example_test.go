package train_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

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
