package optim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// TestRecipeStepAllocs: a training step of the full recipe, an augmenting
// Loader, Linear-BatchNorm-GELU-Dropout layers, label smoothing and Adam or
// AdamW, allocates nothing once the buffers and the optimiser state exist,
// also across the end of an epoch (a smaller last batch).
func TestRecipeStepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	rng := rand.New(rand.NewPCG(2, 2))
	x := tensor.RandUniform(rng, 0, 1, 70, 784)
	labels := make([]int, 70)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	loader := data.NewLoader(x, labels, data.LoaderOptions{BatchSize: 32, Shuffle: true, Rng: rng,
		Augment: &data.Augment{Width: 28, Height: 28, Shift: 2, FlipH: true, Rng: rng}})
	model := layers.NewSequential(
		layers.NewLinear(784, 64, layers.He, rng), layers.NewBatchNorm1d(64), layers.NewGELU("none"), layers.NewDropout(0.3, rng),
		layers.NewLinear(64, 10, layers.Xavier, rng))
	ce := loss.SoftmaxCrossEntropy{Smoothing: 0.1}
	for _, opt := range []optim.Optimizer{optim.NewAdam(1e-3), optim.NewAdamW(1e-3, 0.05)} {
		step := func() {
			xb, yb, ok := loader.Next()
			if !ok {
				return // end of epoch: the next call starts a new one
			}
			ce.Forward(model.Forward(xb), yb)
			model.Backward(ce.Backward())
			opt.Step(model.Params())
		}
		for range 4 { // one whole epoch: every batch size and the optimiser state
			step()
		}
		if n := testing.AllocsPerRun(12, step); n != 0 {
			t.Errorf("%v: a training step with BatchNorm, Dropout, augmentation and label smoothing allocates %v times, want 0", opt, n)
		}
	}
}
