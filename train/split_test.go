package train

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// TestSplitStepSameBits trains two copies of a network side by side, one
// with its steps cut by rows between two goroutines (split.go) and one with
// the whole batch on one, and checks that every step's loss, error
// rate and parameters are the same bits: on the homework's network, a deeper
// one with an odd batch (halves of 18 and 19 rows), one with two Linear
// layers in a row and label smoothing, and a batch too small to cut.
func TestSplitStepSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	linearLinear := func(rng *rand.Rand) *layers.Sequential {
		return layers.NewSequential(layers.NewLinear(30, 16, layers.He, rng), layers.NewLinear(16, 12, layers.Xavier, rng),
			layers.NewReLU(), layers.NewLinear(12, 5, layers.He, rng))
	}
	for _, tc := range []struct {
		name      string
		model     func(*rand.Rand) *layers.Sequential
		in, batch int
		smoothing float64
	}{
		{"784-128-10", func(rng *rand.Rand) *layers.Sequential { return layers.NewMLP([]int{784, 128, 10}, layers.He, rng) }, 784, 64, 0},
		{"20-16-16-5", func(rng *rand.Rand) *layers.Sequential { return layers.NewMLP([]int{20, 16, 16, 5}, layers.He, rng) }, 20, 37, 0},
		{"Linear-Linear-ReLU-Linear", linearLinear, 30, 33, 0.1},
		{"small batch", func(rng *rand.Rand) *layers.Sequential { return layers.NewMLP([]int{20, 8, 3}, layers.He, rng) }, 20, minSplitRows - 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			split, whole := tc.model(rand.New(rand.NewPCG(1, 1))), tc.model(rand.New(rand.NewPCG(1, 1)))
			sgd := &layers.SGD{LR: 0.05}
			ce1, ce2 := &loss.SoftmaxCrossEntropy{Smoothing: tc.smoothing}, &loss.SoftmaxCrossEntropy{Smoothing: tc.smoothing}
			ss, ws := newStepper(split, ce1, sgd), newStepper(whole, ce2, sgd)
			if ss.split == nil {
				t.Fatal("the network is not cut by rows")
			}
			classes := split.Params()[len(split.Params())-1].Value.Cols()
			rng := rand.New(rand.NewPCG(2, 2))
			for step := 1; step <= 12; step++ {
				x := tensor.RandUniform(rng, 0, 1, tc.batch, tc.in)
				y := make([]int, tc.batch)
				for i := range y {
					y[i] = rng.IntN(classes)
				}
				runtime.GOMAXPROCS(2)
				if step > 1 && ss.split.use(x) != (tc.batch >= minSplitRows) {
					t.Fatalf("a batch of %d rows: split.use = %v on 2 goroutines", tc.batch, !(tc.batch >= minSplitRows))
				}
				l1, p1 := ss.step(x, y, sgd.LR, nil, nil)
				runtime.GOMAXPROCS(1)
				l2, p2 := ws.step(x, y, sgd.LR, nil, nil)
				if l1 != l2 {
					t.Fatalf("step %d: loss %v cut by rows, %v whole", step, l1, l2)
				}
				if p1 != p2 {
					t.Fatalf("step %d: error rate %v cut by rows, %v whole", step, p1, p2)
				}
				for i, p := range split.Params() {
					if q := whole.Params()[i]; !equal(p.Value.Data, q.Value.Data) {
						t.Fatalf("step %d: %s differs", step, p.Name)
					}
					if !equal(p.Grad.Data, make([]float64, len(p.Grad.Data))) {
						t.Fatalf("step %d: %s's gradient is not zero after a fused step", step, p.Name)
					}
				}
			}
		})
	}
}

// TestSplitStepWhichModels checks that only a Sequential of a Linear layer
// followed by ReLU and Linear layers, with no shared tensors, is cut by rows.
func TestSplitStepWhichModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	lin := func(in, out int) *layers.Linear { return layers.NewLinear(in, out, layers.He, rng) }
	tied := lin(4, 4)
	for _, tc := range []struct {
		model layers.Layer
		want  bool
	}{
		{layers.NewMLP([]int{4, 3, 2}, layers.He, rng), true},
		{layers.NewSequential(lin(4, 3), lin(3, 2)), true},
		{layers.NewSequential(lin(4, 3)), false},                                         // nothing to cut
		{layers.NewSequential(lin(4, 3), layers.NewReLU()), false},                       // logits from a ReLU
		{layers.NewSequential(layers.NewReLU(), lin(4, 3), lin(3, 2)), false},            // no first Linear
		{layers.NewSequential(lin(4, 3), layers.NewTanh(), lin(3, 2)), false},            // another activation
		{layers.NewSequential(lin(4, 3), layers.NewDropout(0.5, rng), lin(3, 2)), false}, // randomness in row order
		{layers.NewSequential(lin(4, 3), layers.NewBatchNorm1d(3), lin(3, 2)), false},    // statistics over the batch
		{layers.NewSequential(tied, tied), false},                                        // tied weights
		{lin(4, 3), false}, // not a Sequential
	} {
		if got := newStepper(tc.model, &loss.SoftmaxCrossEntropy{}, &layers.SGD{}).split != nil; got != tc.want {
			t.Errorf("%v: cut by rows %v, want %v", fmt.Sprint(tc.model), got, tc.want)
		}
	}
}

// TestSplitStepBadLabels checks that a batch with a label out of range, or
// too few labels, panics with the loss's message on the caller's
// goroutine, where the caller can recover it: the loss of a step cut by
// rows runs there, on the whole batch.
func TestSplitStepBadLabels(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(4, 4))
	model := layers.NewMLP([]int{5, 4, 3}, layers.He, rng)
	sgd := &layers.SGD{LR: 0.1}
	s := newStepper(model, &loss.SoftmaxCrossEntropy{}, sgd)
	x := tensor.RandUniform(rng, 0, 1, 32, 5)
	good := make([]int, 32)
	s.step(x, good, sgd.LR, nil, nil) // the first step is never fused
	if !s.split.use(x) {
		t.Fatal("a good batch is not cut by rows")
	}
	for _, y := range [][]int{append(make([]int, 31), 3), append(make([]int, 31), -1), make([]int, 31)} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "loss: SoftmaxCrossEntropy.Forward") {
					t.Errorf("labels %v: panic %q", y, msg)
				}
			}()
			s.step(x, y, sgd.LR, nil, nil)
		}()
	}
}
