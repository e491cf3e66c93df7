package train

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
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
				if !newStepper(model, &loss.SoftmaxCrossEntropy{}, opt).fuse {
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
			sameRuns(t, what, hf, hp, fused, plain)
			for _, p := range fused.Params() {
				if !numtest.SameSlices(t, what+": "+p.Name+"'s gradient after the fused step", p.Grad.Data, make([]float64, len(p.Grad.Data))) {
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
		if got := newStepper(model, &loss.SoftmaxCrossEntropy{}, tc.opt).fuse; got != tc.want {
			t.Errorf("%#v: fused %v, want %v", tc.opt, got, tc.want)
		}
	}
}

// fusedCases returns pairs of identical networks (same weights, same random
// streams) for TestFusedStepSameBits: a plain MLP; one with batch norm,
// dropout and a nested Sequential (layers with parameters that take
// Backward and their own SGD step); and one whose two Linear layers share
// a weight, which is not fused.
func fusedCases() []struct {
	name string
	make func() *layers.Sequential
} {
	rngFor := func(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
	return []struct {
		name string
		make func() *layers.Sequential
	}{
		{"mlp", func() *layers.Sequential { return layers.NewMLP([]int{30, 17, 5}, layers.He, rngFor(1)) }},
		{"batchnorm+dropout+nested", func() *layers.Sequential {
			rng := rngFor(2)
			return layers.NewSequential(layers.NewLinear(30, 12, layers.He, rng), layers.NewBatchNorm1d(12), layers.NewReLU(), layers.NewDropout(0.3, rngFor(3)),
				layers.NewSequential(layers.NewLinear(12, 9, layers.He, rng), layers.NewTanh()), layers.NewLinear(9, 5, layers.Xavier, rng))
		}},
		{"shared weight", func() *layers.Sequential {
			rng := rngFor(4)
			a, b := layers.NewLinear(30, 30, layers.He, rng), layers.NewLinear(30, 30, layers.He, rng)
			b.W = a.W
			return layers.NewSequential(a, layers.NewReLU(), b, layers.NewReLU(), layers.NewLinear(30, 5, layers.He, rng))
		}},
	}
}

// TestFusedStepSameBits checks that the stepper's steps (fused after the
// first, on one goroutine) give the bits of Step, which stores every
// gradient and then steps: the same loss, the same parameters after several
// steps, gradients left zero, on batches of 7 and of 300 rows (past one
// k-block of the fused weight update).
func TestFusedStepSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, tc := range fusedCases() {
		if got, want := newStepper(tc.make(), &loss.SoftmaxCrossEntropy{}, &layers.SGD{}).fuse, tc.name != "shared weight"; got != want {
			t.Errorf("%s: fused %v, want %v", tc.name, got, want)
		}
		for _, batch := range []int{7, 300} {
			fused, plain := tc.make(), tc.make()
			rng := rand.New(rand.NewPCG(uint64(batch), 1))
			sgd := &layers.SGD{LR: 0.05}
			var ce1, ce2 loss.SoftmaxCrossEntropy
			s := newStepper(fused, &ce1, sgd)
			for step := 0; step < 3; step++ {
				x := tensor.RandUniform(rng, -1, 1, batch, 30)
				y := make([]int, batch)
				for i := range y {
					y[i] = rng.IntN(5)
				}
				got, _ := s.step(x, y, sgd.LR, nil, nil)
				if want := Step(plain, &ce2, sgd, x, y); got != want {
					t.Fatalf("%s, batch %d, step %d: loss %v, Step's %v", tc.name, batch, step, got, want)
				}
			}
			for i, p := range fused.Params() {
				q := plain.Params()[i]
				if !equal(p.Value.Data, q.Value.Data) || !equal(p.Grad.Data, q.Grad.Data) {
					t.Fatalf("%s, batch %d: %s differs from Step's", tc.name, batch, p.Name)
				}
			}
		}
	}
}

// TestFirstLayerShortcutSameBits: Run's steps skip the input gradient of
// the network's first layer with parameters (here a Conv2d after an
// Unflatten, and a Linear after a Flatten) and the backward passes of the
// layers before it. The parameter gradients of one step, and the weights
// after a fused plain SGD step, must have the bits of the full backward
// pass that Step runs.
func TestFirstLayerShortcutSameBits(t *testing.T) {
	nets := map[string]func(rng *rand.Rand) *layers.Sequential{
		"conv first": func(rng *rand.Rand) *layers.Sequential {
			return layers.NewSequential(
				layers.NewUnflatten(1, 6, 6),
				layers.NewConv2d(1, 4, 3, layers.Conv2dOptions{Padding: 1}, rng), layers.NewBatchNorm2d(4), layers.NewReLU(),
				layers.NewMaxPool2d(2, 0),
				layers.NewConv2d(4, 5, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng), layers.NewReLU(),
				layers.NewFlatten(), layers.NewLinear(45, 3, layers.Xavier, rng),
			)
		},
		"linear after flatten": func(rng *rand.Rand) *layers.Sequential {
			return layers.NewSequential(
				layers.NewUnflatten(1, 6, 6), layers.NewFlatten(),
				layers.NewLinear(36, 8, layers.He, rng), layers.NewReLU(), layers.NewLinear(8, 3, layers.Xavier, rng),
			)
		},
	}
	for name, build := range nets {
		x, y := blobs(rand.New(rand.NewPCG(3, 3)), 20, 36, 3)
		short := build(rand.New(rand.NewPCG(5, 5)))
		full := build(rand.New(rand.NewPCG(5, 5)))
		var ce loss.SoftmaxCrossEntropy
		s := newStepper(short, &ce, &layers.SGD{})
		if s.seq == nil || s.first != 1 && s.first != 2 {
			t.Fatalf("%s: the stepper does not run the layers itself (first layer with parameters %d)", name, s.first)
		}
		s.gradients(x, y, true)
		ce.Forward(full.Forward(x), y)
		full.Backward(ce.Backward())
		for i, p := range full.Params() {
			q := short.Params()[i]
			if !numtest.SameSlices(t, name+": ∂L/∂"+p.Name+" without the first input gradient", q.Grad.Data, p.Grad.Data) {
				t.FailNow()
			}
		}

		// A fused SGD step from the same weights, gradients zero.
		short = build(rand.New(rand.NewPCG(5, 5)))
		full = build(rand.New(rand.NewPCG(5, 5)))
		s = newStepper(short, &ce, &layers.SGD{})
		s.fused(x, y, 0.1)
		Step(full, &ce, &layers.SGD{LR: 0.1}, x, y)
		for i, p := range full.Params() {
			q := short.Params()[i]
			if !numtest.SameSlices(t, name+": "+p.Name+" after a fused step", q.Value.Data, p.Value.Data) {
				t.FailNow()
			}
		}
	}
}

// TestBlockRunSameBits: Run takes each BatchNorm2d–ReLU–MaxPool2d of a
// CNN as one fused.Block, except with a hook, which sees every layer run
// on its own. Both must train to the same bits, with AdamW (every
// gradient stored) and with plain SGD (the fused step), on batches of 9
// and on one core and two.
func TestBlockRunSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	build := func() *layers.Sequential {
		rng := rand.New(rand.NewPCG(8, 8))
		return layers.NewSequential(
			layers.NewUnflatten(1, 8, 8),
			layers.NewConv2d(1, 4, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng), layers.NewBatchNorm2d(4), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
			layers.NewConv2d(4, 6, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng), layers.NewBatchNorm2d(6), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
			layers.NewFlatten(), layers.NewLinear(24, 3, layers.Xavier, rng),
		)
	}
	if s := newStepper(build(), &loss.SoftmaxCrossEntropy{}, &layers.SGD{}); s.blocks[2] == nil || s.blocks[6] == nil {
		t.Fatal("the stepper makes no block of the two BatchNorm2d–ReLU–MaxPool2d")
	}
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, mk := range []func() optim.Optimizer{
			func() optim.Optimizer { return optim.NewAdamW(0.01, 0.01) },
			func() optim.Optimizer { return &layers.SGD{} },
		} {
			train := func(hooks []Hook) (*History, *layers.Sequential) {
				x, y := blobs(rand.New(rand.NewPCG(4, 4)), 45, 64, 3)
				model := build()
				h, err := Run(model, &slices{x: x, y: y, batch: 9}, nil, Config{LR: 0.05, Epochs: 2, Optimizer: mk(), Hooks: hooks})
				if err != nil {
					t.Fatal(err)
				}
				return h, model
			}
			hb, blocks := train(nil)
			hp, plain := train([]Hook{{Updated: func(*StepInfo) {}}})
			sameRuns(t, fmt.Sprintf("GOMAXPROCS %d, %T", procs, mk()), hb, hp, blocks, plain)
		}
	}
}

// sameRuns fails the test unless two runs of Run, a without a hook and b
// with one (which runs every layer on its own, unfused), have the same
// history and the same weights, bit for bit.
func sameRuns(t *testing.T, what string, ha, hb *History, a, b *layers.Sequential) {
	t.Helper()
	if len(ha.Train) != len(hb.Train) || len(ha.Train) == 0 {
		t.Fatalf("%s: %d and %d updates", what, len(ha.Train), len(hb.Train))
	}
	for i := range ha.Train {
		if ha.Train[i] != hb.Train[i] {
			t.Fatalf("%s: update %d: without a hook %+v, with one %+v", what, i+1, ha.Train[i], hb.Train[i])
		}
	}
	for i, p := range a.Params() {
		if !numtest.SameSlices(t, what+": "+p.Name+", without a hook against with one", p.Value.Data, b.Params()[i].Value.Data) {
			t.FailNow()
		}
	}
}

// TestInferenceSameBits: Evaluate, Predict and FlipAveraged run a
// Sequential of this library's layers with shared passes and blocks after
// the first batch (inference). Their losses, error rates and predictions
// must have the bits of model.Forward batch by batch, for a CNN whose
// batch norms have running statistics of their own (after training), on
// one core and two, with a last batch smaller than the others; and a
// model that does not fit the data still fails with Sequential's message.
func TestInferenceSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(12, 12))
	model := layers.NewSequential(
		layers.NewUnflatten(1, 8, 8),
		layers.NewConv2d(1, 4, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng), layers.NewBatchNorm2d(4), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewConv2d(4, 6, 3, layers.Conv2dOptions{Padding: 1}, rng), layers.NewBatchNorm2d(6), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewFlatten(), layers.NewLinear(24, 3, layers.Xavier, rng),
	)
	x, y := blobs(rand.New(rand.NewPCG(4, 4)), 90, 64, 3)
	if _, err := Run(model, &slices{x: x, y: y, batch: 9}, nil, Config{LR: 0.05, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	set := &Set{X: x, Y: y}
	// The reference: model.Forward batch by batch, as evaluate runs it.
	plain := func(m Model, batch int) (meanLoss, errRate float64, pred []int) {
		pred = make([]int, len(y))
		meanLoss, errRate = evaluate(m, set, batch, pred, newInference(m, true))
		return
	}
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, m := range []Model{model, FlipAveraged(model, 8, 8)} {
			what := fmt.Sprintf("%v, GOMAXPROCS %d", m, procs)
			wl, we, wp := plain(m, 16)
			gl, ge := Evaluate(m, set, 16)
			if !numtest.Same(t, what+": loss", gl, wl) || !numtest.Same(t, what+": error rate", ge, we) {
				t.FailNow()
			}
			if gp := Predict(m, x, 16); !equal(gp, wp) {
				t.Fatalf("%s: Predict's classes differ from model.Forward's", what)
			}
		}
	}
	defer func() {
		if msg := fmt.Sprint(recover()); !strings.Contains(msg, "Sequential") {
			t.Errorf("a model that does not fit the data: panic %q, want Sequential's message", msg)
		}
	}()
	Evaluate(model, &Set{X: tensor.New(5, 63), Y: make([]int, 5)}, 0)
}

// TestInferenceReused checks that evaluating again through the same
// inference, as Run does at every validation, allocates none of the
// blocks' buffers again: the bytes of a second call stay far below what
// a fresh inference allocates for its block (32 KB of scratch planes).
func TestInferenceReused(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items on purpose: allocation counts are meaningless")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(3, 3))
	model := layers.NewSequential(
		layers.NewUnflatten(1, 8, 8),
		layers.NewConv2d(1, 32, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng), layers.NewBatchNorm2d(32), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewFlatten(), layers.NewLinear(512, 3, layers.Xavier, rng),
	)
	x, y := blobs(rng, 40, 64, 3)
	set := &Set{X: x, Y: y}
	model.SetTraining(false)
	allocated := func(inf *inference) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		evaluate(model, set, 8, nil, inf)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	allocated(newInference(model, false)) // the layers' own buffers
	fresh := allocated(newInference(model, false))
	inf := newInference(model, false)
	allocated(inf)
	again := allocated(inf)
	if !(fresh >= 32<<10) || !(again < 4<<10) {
		t.Errorf("evaluate allocated %d bytes through a fresh inference, %d through a used one; want ≥ 32 KiB and < 4 KiB", fresh, again)
	}
}
