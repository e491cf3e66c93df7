package layers_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/backprop-go/backprop/internal/fused"
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

// TestSharedAllocs checks that the passes that share their work between
// cores (BatchNorm2d; ReLU and MaxPool2d as package train runs them; the
// three as one fused.Block) allocate nothing once the buffers exist, with
// their work cut into parts. testing.AllocsPerRun runs with GOMAXPROCS 1,
// where nothing is cut, so this counts the heap's allocations itself, with
// GOMAXPROCS 2.
func TestSharedAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	x := tensor.RandNormal(rand.New(rand.NewPCG(5, 5)), 0, 1, 16, 8, 28, 28)
	model := layers.NewSequential(layers.NewBatchNorm2d(8), layers.NewReLU(), layers.NewMaxPool2d(2, 0))
	g := tensor.RandNormal(rand.New(rand.NewPCG(6, 6)), 0, 1, 16, 8, 14, 14)
	step := func() { // as package train runs the layers: ReLU and MaxPool2d shared through fused
		h := x
		for _, l := range model.Layers() {
			if y, ok := fused.Forward(l, h); ok {
				h = y.(*tensor.Tensor)
			} else {
				h = l.Forward(h)
			}
		}
		d := g
		for i := len(model.Layers()) - 1; i >= 0; i-- {
			l := model.Layers()[i]
			if dx, ok := fused.Backward(l, d); ok {
				d = dx.(*tensor.Tensor)
			} else {
				d = l.Backward(d)
			}
		}
	}
	checkSharedAllocs(t, fmt.Sprint(model), step)
	ls := model.Layers()
	blk := fused.NewBlock(ls[0], ls[1], ls[2])
	checkSharedAllocs(t, "the block "+fmt.Sprint(model), func() {
		blk.Forward(x)
		blk.Backward(g)
	})
}

// checkSharedAllocs fails if step allocates in each of three counts of
// ten steps, after ten to warm up.
func checkSharedAllocs(t *testing.T, what string, step func()) {
	t.Helper()
	// The buffers, the workers, and the values parallel.Recycler keeps.
	for range 10 {
		step()
	}
	// The runtime can still allocate now and then for its own sake (a
	// goroutine parked on a processor that has no spare record of one),
	// whatever the layers do. So count three times: a layer that
	// allocates in every step would fail all three.
	var n [3]uint64
	for i := range n {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			step()
		}
		runtime.ReadMemStats(&after)
		if n[i] = after.Mallocs - before.Mallocs; n[i] == 0 {
			return
		}
	}
	t.Errorf("10 shared steps of %v allocate %v times (three counts), want 0", what, n)
}
