package train

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// TestRunWithOptimizers: every optimiser learns the blobs through Run, and
// the nil Optimizer is exactly plain SGD (the same bits as layers.SGD).
func TestRunWithOptimizers(t *testing.T) {
	train := func(opt optim.Optimizer, lr float64) (*History, *layers.Sequential) {
		rng := rand.New(rand.NewPCG(11, 0))
		x, y := blobs(rng, 600, 8, 4)
		vx, vy := blobs(rand.New(rand.NewPCG(11, 0)), 200, 8, 4)
		model := layers.NewMLP([]int{8, 16, 4}, layers.He, rng)
		sched := optim.Warmup(10, optim.Cosine(lr, 0, 180))
		h, err := Run(model, &slices{x: x, y: y, batch: 32}, &Set{X: vx, Y: vy},
			Config{LR: lr, Schedule: sched, Optimizer: opt, Epochs: 10, EvalEvery: 50})
		if err != nil {
			t.Fatal(err)
		}
		return h, model
	}
	for _, c := range []struct {
		opt optim.Optimizer
		lr  float64
	}{
		{&optim.SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4}, 0.02},
		{optim.NewAdam(0), 0.01},
		{optim.NewAdamW(0, 0.05), 0.01},
	} {
		h, _ := train(c.opt, c.lr)
		numtest.AtMost(t, fmt.Sprintf("%v: validation error on separable blobs", c.opt), h.Val[len(h.Val)-1].Error, 0.05)
	}
	_, a := train(nil, 0.1)
	_, b := train(&layers.SGD{}, 0.1)
	for i, p := range a.Params() {
		numtest.SameSlices(t, "nil Optimizer against layers.SGD: "+p.Name, p.Value.Data, b.Params()[i].Value.Data)
	}
}

// wrapped is a network that is not a *layers.Sequential: Run, Evaluate and
// Predict must accept it through the Model interface.
type wrapped struct {
	inner    *layers.Sequential
	training bool
}

func (w *wrapped) Forward(x *tensor.Tensor) *tensor.Tensor      { return w.inner.Forward(x) }
func (w *wrapped) Backward(d *tensor.Tensor) *tensor.Tensor     { return w.inner.Backward(d) }
func (w *wrapped) Params() []*layers.Param                      { return w.inner.Params() }
func (w *wrapped) SetTraining(on bool)                          { w.training = on }
func (w *wrapped) Training() bool                               { return w.training }
func (w *wrapped) predictAll(x *tensor.Tensor, batch int) []int { return Predict(w, x, batch) }

func TestRunAcceptsAnyModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 0))
	x, y := blobs(rng, 300, 4, 3)
	m := &wrapped{inner: layers.NewMLP([]int{4, 8, 3}, layers.He, rng), training: true}
	h, err := Run(m, &slices{x: x, y: y, batch: 30}, &Set{X: x, Y: y}, Config{LR: 0.1, Epochs: 5, EvalEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !m.training {
		t.Error("Run left the model in evaluation mode")
	}
	_, e := Evaluate(m, &Set{X: x, Y: y}, 64)
	if e != h.Val[len(h.Val)-1].Error {
		t.Errorf("Evaluate gives error %v, the history's last validation %v", e, h.Val[len(h.Val)-1].Error)
	}
	if got := len(m.predictAll(x, 64)); got != 300 {
		t.Errorf("Predict returned %d predictions for 300 samples", got)
	}
}

// TestEarlyStoppingAndRestoreBest trains with a learning rate so high that
// the validation error gets worse after a while: early stopping must stop
// Patience validations after the best one, and restore-best must hand back
// the weights that gave the best error.
func TestEarlyStoppingAndRestoreBest(t *testing.T) {
	t.Run("MLP", func(t *testing.T) {
		testEarlyStopping(t, func(rng *rand.Rand) *layers.Sequential {
			return layers.NewMLP([]int{8, 64, 64, 4}, layers.He, rng)
		})
	})
	// Evaluation mode uses a batch norm's running statistics: restore-best
	// must put them back too, or the restored model scores differently.
	t.Run("BatchNorm", func(t *testing.T) {
		testEarlyStopping(t, func(rng *rand.Rand) *layers.Sequential {
			return layers.NewSequential(layers.NewLinear(8, 64, layers.He, rng), layers.NewBatchNorm1d(64), layers.NewReLU(),
				layers.NewLinear(64, 64, layers.He, rng), layers.NewBatchNorm1d(64), layers.NewReLU(),
				layers.NewLinear(64, 4, layers.He, rng))
		})
	})
}

func testEarlyStopping(t *testing.T, newModel func(*rand.Rand) *layers.Sequential) {
	rng := rand.New(rand.NewPCG(5, 0))
	x, y := blobs(rng, 200, 8, 4)
	vx, vy := blobs(rand.New(rand.NewPCG(5, 0)), 200, 8, 4)
	for i := range y { // noisy labels: a large model overfits them
		if rng.IntN(3) == 0 {
			y[i] = rng.IntN(4)
		}
	}
	model := newModel(rng)
	val := &Set{X: vx, Y: vy}
	h, err := Run(model, &slices{x: x, y: y, batch: 20}, val,
		Config{LR: 0.05, Optimizer: &optim.SGD{Momentum: 0.9}, Epochs: 400, EvalEvery: 10, Patience: 5, RestoreBest: true})
	if err != nil {
		t.Fatal(err)
	}
	if h.Stopped == 0 {
		t.Fatalf("ran all %d updates without stopping; best at update %d", len(h.Train), h.Best.Update)
	}
	if h.Stopped != len(h.Train) || h.Stopped != h.Val[len(h.Val)-1].Update {
		t.Errorf("stopped at %d, but the history has %d updates and last validates at %d", h.Stopped, len(h.Train), h.Val[len(h.Val)-1].Update)
	}
	// Exactly Patience validations after the best one, none better.
	bi := -1
	for i, p := range h.Val {
		if p == h.Best {
			bi = i
		}
	}
	if bi < 0 || len(h.Val)-1-bi != 5 {
		t.Fatalf("best validation is run %d of %d, want the 5th from last", bi, len(h.Val))
	}
	for _, p := range h.Val {
		if better(p, h.Best) {
			t.Errorf("validation at update %d (%v) beats the recorded best (%v)", p.Update, p, h.Best)
		}
	}
	if !h.Restored {
		t.Error("History.Restored is false although the last validation was not the best")
	}
	l, e := Evaluate(model, val, 0)
	if l != h.Best.Loss || e != h.Best.Error {
		t.Errorf("after restore-best the model gives loss %v, error %v; the best had %v, %v", l, e, h.Best.Loss, h.Best.Error)
	}
	if !strings.Contains(h.Summary(), "stopped early") || !strings.Contains(h.Summary(), "restored") {
		t.Errorf("summary %q does not mention the early stop and the restore", h.Summary())
	}
}

func TestEarlyStoppingNeedsValidation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	x, y := blobs(rng, 20, 2, 2)
	_, err := Run(layers.NewMLP([]int{2, 2}, layers.He, rng), &slices{x: x, y: y, batch: 5}, nil,
		Config{LR: 0.1, Epochs: 1, Patience: 3})
	if err == nil || !strings.Contains(err.Error(), "validation set") {
		t.Errorf("err = %v, want one saying a validation set is needed", err)
	}
}

// TestLabelSmoothing: Run trains with the smoothed loss (the training loss
// of a confident model stays above α's floor), and refuses α outside [0, 1].
func TestLabelSmoothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	x, y := blobs(rng, 300, 8, 3)
	fit := func(alpha float64) (*History, error) {
		m := layers.NewMLP([]int{8, 16, 3}, layers.He, rand.New(rand.NewPCG(1, 1)))
		return Run(m, &slices{x: x, y: y, batch: 30}, &Set{X: x, Y: y}, Config{LR: 0.1, Epochs: 20, LabelSmoothing: alpha})
	}
	plain, err := fit(0)
	if err != nil {
		t.Fatal(err)
	}
	smooth, err := fit(0.3)
	if err != nil {
		t.Fatal(err)
	}
	// With α = 0.3 over 3 classes the target puts 0.1 on each wrong class, so
	// the loss cannot fall below that target's entropy, 0.639.
	lp, ls := plain.Train[len(plain.Train)-1].Loss, smooth.Train[len(smooth.Train)-1].Loss
	if !(ls > 0.639 && lp < 0.3) {
		t.Errorf("final training loss %.3f plain, %.3f with smoothing 0.3; want < 0.3 and > 0.639", lp, ls)
	}
	if _, err := fit(1.5); err == nil || !strings.Contains(err.Error(), "label smoothing") {
		t.Errorf("smoothing 1.5: err = %v", err)
	}
}
