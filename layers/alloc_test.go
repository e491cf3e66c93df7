package layers_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/internal/parallel"
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
// where nothing is cut, so this counts the allocations itself, with
// GOMAXPROCS 2, from the heap profile (see sharedAllocs).
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

// checkSharedAllocs fails if ten steps allocate, after ten to warm up.
// It counts every allocation the heap profile records while they run
// (runtime.MemProfileRate = 1 records each one, on every goroutine and
// processor) but the runtime's own records of blocked goroutines
// (sudogs), and those of the runtime's own goroutines. A goroutine that waits for a late worker blocks: the runtime
// takes a record from the cache of the processor (P) it blocks on and
// gives it back to the cache of the one it wakes on, and a processor whose
// cache is empty allocates one (a garbage collection also empties the
// central cache between them). Emulated under qemu, where workers are
// often late, that happens a few times in ten steps, whatever the layers
// do.
func checkSharedAllocs(t *testing.T, what string, step func()) {
	t.Helper()
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1
	// The buffers, the workers, and the values parallel.Recycler keeps.
	for range 10 {
		step()
	}
	if n, where := stepAllocs(step); n != 0 {
		t.Errorf("10 shared steps of %v allocate %d times, want 0:\n%s", what, n, strings.Join(where, "\n"))
	}
}

// stepAllocs returns the number of objects ten steps allocate, as
// checkSharedAllocs counts them, and where.
func stepAllocs(step func()) (n int64, where []string) {
	before := profiledAllocs()
	for range 10 {
		step()
	}
	after := profiledAllocs()
	for k, a := range after {
		if d := a.n - before[k].n; d > 0 {
			n += d
			where = append(where, fmt.Sprintf("%d at %s", d, a.where))
		}
	}
	return n, where
}

// TestStepAllocsCounts checks that checkSharedAllocs's count can fail: a
// step that allocates once on the caller and once in each of two parts
// shared with a worker allocates 30 times in ten steps, wherever the parts
// run.
func TestStepAllocsCounts(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1
	var sinks [3]*[16]float64
	part := func(i int) { sinks[i] = new([16]float64) }
	step := func() {
		sinks[2] = new([16]float64)
		parallel.Do(2, 1e9, part)
	}
	step()
	if n, where := stepAllocs(step); n != 30 {
		t.Errorf("10 steps of three allocations each allocate %d times by the count, want 30:\n%s", n, strings.Join(where, "\n"))
	}
}

// A profiledAlloc is the number of objects allocated at one call stack,
// and where: the first few functions of the stack outside the runtime.
type profiledAlloc struct {
	n     int64
	where string
}

// profiledAllocs returns, for each call stack, the number of objects
// allocated there since the program started, as the heap profile counts
// them after a garbage collection. It leaves out the stacks of
// runtime.acquireSudog (see checkSharedAllocs), those of the runtime's own
// goroutines (only runtime functions: the scavenger growing its heap of
// timers), and its own.
func profiledAllocs() map[[32]uintptr]profiledAlloc {
	runtime.GC() // publishes the allocations made so far
	n, _ := runtime.MemProfile(nil, true)
	recs := make([]runtime.MemProfileRecord, n+100)
	n, ok := runtime.MemProfile(recs, true)
	if !ok {
		panic("the heap profile grew by more than 100 stacks while it was read")
	}
	m := map[[32]uintptr]profiledAlloc{}
	for _, r := range recs[:n] {
		skip, ours := false, false // ours: not the runtime's own goroutines (the scavenger's timers)
		var names []string
		frames := runtime.CallersFrames(r.Stack())
		for {
			f, more := frames.Next()
			runtimeFrame := strings.HasPrefix(f.Function, "runtime.")
			switch {
			case f.Function == "runtime.acquireSudog", strings.HasSuffix(f.Function, "_test.profiledAllocs"):
				skip = true
			case !runtimeFrame && len(names) < 5:
				names = append(names, f.Function)
			}
			ours = ours || !runtimeFrame
			if !more {
				break
			}
		}
		if ours && !skip {
			m[r.Stack0] = profiledAlloc{r.AllocObjects, strings.Join(names, " < ")}
		}
	}
	return m
}
