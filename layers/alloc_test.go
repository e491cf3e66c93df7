package layers_test

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// TestTrainingStepAllocs checks that a whole training step, MLP forward,
// loss forward and backward, model backward and SGD step, allocates nothing
// once the buffers exist, also after a smaller last batch.
func TestTrainingStepAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	checkStepAllocs(t, layers.NewMLP([]int{784, 128, 10}, layers.He, rng), rng)
}

// TestTrainingStepAllocsAllLayers is the same with every layer of the
// package: Linear, BatchNorm1d, each activation and Dropout in training mode.
func TestTrainingStepAllocsAllLayers(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	model := layers.NewSequential(
		layers.NewLinear(784, 64, layers.He, rng), layers.NewBatchNorm1d(64), layers.NewReLU(), layers.NewDropout(0.3, rng),
		layers.NewLinear(64, 32, layers.He, rng), layers.NewGELU("none"), layers.NewLeakyReLU(0.01), layers.NewSigmoid(), layers.NewTanh(),
		layers.NewGELU("tanh"), layers.NewLinear(32, 10, layers.Xavier, rng))
	checkStepAllocs(t, model, rng)
}

func checkStepAllocs(t *testing.T, model *layers.Sequential, rng *rand.Rand) {
	t.Helper()
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	x := tensor.RandUniform(rng, 0, 1, 64, 784)
	labels := make([]int, 64)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	xs, ls := tensor.FromData(x.Data[:17*784], 17, 784), labels[:17]
	var ce loss.SoftmaxCrossEntropy
	opt := &layers.SGD{LR: 0.01}
	params := model.Params()
	step := func(x *tensor.Tensor, labels []int) {
		ce.Forward(model.Forward(x), labels)
		model.Backward(ce.Backward())
		opt.Step(params)
	}
	step(x, labels) // allocates the buffers
	if n := testing.AllocsPerRun(5, func() { step(x, labels) }); n != 0 {
		t.Errorf("training step on a batch of 64 allocates %v times, want 0", n)
	}
	// A last partial batch and the next full one reuse the same buffers.
	if n := testing.AllocsPerRun(5, func() { step(xs, ls); step(x, labels) }); n != 0 {
		t.Errorf("partial then full batch allocates %v times, want 0", n)
	}
}
