package train

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/optim"
)

// TestFusedRunSameBits checks that Run's fused steps (plain SGD taken
// during the backward pass) train to the same bits as the unfused ones,
// which Run takes when a hook is set: the same history and the same
// weights, with layers.SGD, plain optim.SGD and a schedule, on batches of
// 32 and of 300 rows.
func TestFusedRunSameBits(t *testing.T) {
	for _, batch := range []int{32, 300} {
		for _, mk := range []func() optim.Optimizer{
			func() optim.Optimizer { return &layers.SGD{} },
			func() optim.Optimizer { return &optim.SGD{} },
		} {
			train := func(hooks []Hook) (*History, *layers.Sequential) {
				rng := rand.New(rand.NewPCG(9, 9))
				x, y := blobs(rng, 900, 40, 4)
				model := layers.NewMLP([]int{40, 64, 32, 4}, layers.He, rng)
				opt := mk()
				if newStepper(model, opt).sgd == nil {
					t.Fatalf("%T: Run would not fuse the steps", opt)
				}
				h, err := Run(model, &slices{x: x, y: y, batch: batch}, nil, Config{
					Schedule: StepDecay(0.05, 20, 0.5), Epochs: 4, Optimizer: opt, Hooks: hooks})
				if err != nil {
					t.Fatal(err)
				}
				return h, model
			}
			hf, fused := train(nil)
			hp, plain := train([]Hook{{Updated: func(*StepInfo) {}}})
			what := fmt.Sprintf("batch %d, %T", batch, mk())
			for i := range hf.Train {
				if hf.Train[i] != hp.Train[i] {
					t.Fatalf("%s: update %d: fused %+v, unfused %+v", what, i+1, hf.Train[i], hp.Train[i])
				}
			}
			for i, p := range fused.Params() {
				q := plain.Params()[i]
				if !numtest.SameSlices(t, what+": "+p.Name+", fused against unfused", p.Value.Data, q.Value.Data) ||
					!numtest.SameSlices(t, what+": "+p.Name+"'s gradient after the fused step", p.Grad.Data, make([]float64, len(p.Grad.Data))) {
					t.FailNow()
				}
			}
		}
	}
}

// TestFusedOnlyForPlainSGD checks which optimisers Run fuses: plain SGD
// only; momentum and weight decay need the gradient itself.
func TestFusedOnlyForPlainSGD(t *testing.T) {
	model := layers.NewMLP([]int{4, 3, 2}, layers.He, rand.New(rand.NewPCG(1, 1)))
	for _, tc := range []struct {
		opt  optim.Optimizer
		want bool
	}{
		{&layers.SGD{LR: 0.1}, true},
		{&optim.SGD{LR: 0.1}, true},
		{&optim.SGD{LR: 0.1, Momentum: 0.9}, false},
		{&optim.SGD{LR: 0.1, WeightDecay: 1e-4}, false},
		{optim.NewAdamW(0.001, 0.01), false},
	} {
		if got := newStepper(model, tc.opt).sgd != nil; got != tc.want {
			t.Errorf("%#v: fused %v, want %v", tc.opt, got, tc.want)
		}
	}
}
