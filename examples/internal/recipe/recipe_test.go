package recipe

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

func TestBeyondFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-optimizer", "rmsprop"}, {"-momentum", "1"}, {"-momentum", "-0.1"},
		{"-weight-decay", "-1"}, {"-weight-decay", "NaN"}, {"-schedule", "exp"},
		{"-warmup", "-1"}, {"-patience", "-2"}, {"-activation", "swish"}, {"-preset", "fast"},
		{"-label-smoothing", "1"}, {"-label-smoothing", "-0.1"}, {"-dropout", "1"}, {"-dropout", "-0.5"},
		{"-augment", "-1"}, {"-augment", "14"}, {"-warmup", "NaN"}, {"-warmup", "+Inf"},
		{"-batch", "1", "-batchnorm"}, {"-lr", "0"},
		{"-rotate", "-1"}, {"-rotate", "90"}, {"-elastic", "NaN"}, {"-elastic", "101"},
	} {
		_, _, err := Parse("recipe", args, io.Discard, nil)
		if err == nil {
			t.Errorf("%q accepted", args)
		} else if !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%q: error %q does not name the flag", args, err)
		}
	}

	// Each optimiser starts from its own learning rate unless -lr is given.
	for opt, lr := range DefaultLRs {
		f, _, err := Parse("recipe", []string{"-optimizer", opt}, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.LR != lr {
			t.Errorf("-optimizer %s: lr %g, want %g", opt, f.LR, lr)
		}
		g, _, err := Parse("recipe", []string{"-optimizer", opt, "-lr", "0.5"}, io.Discard, nil)
		if err != nil || g.LR != 0.5 {
			t.Errorf("-optimizer %s -lr 0.5: lr %g", opt, g.LR)
		}
	}

	// The preset fills in what was not given; what was given wins.
	f, _, err := Parse("recipe", []string{"-preset", "best", "-epochs", "3"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Hidden != "1024,512" || f.Optimizer != "adamw" || f.LR != 0.001 || f.Sched != "cosine" || f.Epochs != 3 || f.Batch != 128 {
		t.Errorf("-preset best -epochs 3 gave %+v", f)
	}
	if o, ok := f.NewOptimizer().(*optim.Adam); !ok || !o.Decoupled || o.WeightDecay != 0.05 {
		t.Errorf("-preset best optimiser %v", f.NewOptimizer())
	}
	if !f.Flip || !f.TTA || f.Shift != 0 || !f.BatchNorm || f.Dropout != 0.3 || f.Smoothing != 0.1 {
		t.Errorf("-preset best on FashionMNIST: flip %v, tta %v, shift %d, batchnorm %v, dropout %g, smoothing %g",
			f.Flip, f.TTA, f.Shift, f.BatchNorm, f.Dropout, f.Smoothing)
	}
	// Digits are shifted, never mirrored.
	m, _, err := Parse("recipe", []string{"-preset", "best", "-dataset", "mnist"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Flip || m.TTA || m.Shift != 2 || m.Epochs != 20 {
		t.Errorf("-preset best on MNIST: flip %v, tta %v, shift %d, %d epochs", m.Flip, m.TTA, m.Shift, m.Epochs)
	}

	// The default schedule is the homework's step decay, unchanged.
	d, _, err := Parse("recipe", nil, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.NewOptimizer() != nil {
		t.Errorf("default optimiser %v, want nil (train's plain SGD)", d.NewOptimizer())
	}
	s := d.LRSchedule(100, 10)
	if lr := 0.2; s(75) != lr || s(76) != lr*0.1 || s(100) != lr*0.1 {
		t.Errorf("default schedule: update 75 at %g, 76 at %g; want 0.2 then 0.02", s(75), s(76))
	}
	// Warm-up of 1 epoch (10 updates) and a cosine over the other 90.
	w, _, err := Parse("recipe", []string{"-optimizer", "adam", "-schedule", "cosine", "-warmup", "1"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	s = w.LRSchedule(100, 10)
	if s(1) != 1e-4 || s(10) != 1e-3 || s(11) != 1e-3 || !(s(100) > 0 && s(100) < 1e-5) {
		t.Errorf("warm-up and cosine: %g %g %g %g", s(1), s(10), s(11), s(100))
	}
}

// A warm-up longer than the run is clamped to every update but the last,
// however long: -warmup 1e300 is not an int overflow that turns warm-up off.
func TestHugeWarmup(t *testing.T) {
	for _, warmup := range []string{"1e6", "1e300", "1.7e308"} {
		r, _, err := Parse("recipe", []string{"-warmup", warmup, "-schedule", "constant"}, io.Discard, nil)
		if err != nil {
			t.Fatalf("-warmup %s: %v", warmup, err)
		}
		s := r.LRSchedule(100, 469)
		// Linear warm-up over 99 updates: update 1 at lr/99, update 99 at lr.
		if got, want := s(1), r.LR/99; !(math.Abs(got-want) <= 1e-15) {
			t.Errorf("-warmup %s: update 1 at lr %g, want %g (warm-up over 99 updates)", warmup, got, want)
		}
		if got := s(100); got != r.LR {
			t.Errorf("-warmup %s: update 100 at lr %g, want %g", warmup, got, r.LR)
		}
	}
}

// With -batchnorm, a batch size that leaves one image over at the end of
// each epoch (9 = 2·4 + 1) drops it instead of handing BatchNorm1d a batch
// it cannot normalise: training runs, with one batch fewer per epoch.
func TestBatchNormDropsLoneSample(t *testing.T) {
	r, _, err := Parse("recipe", []string{"-hidden", "6", "-batchnorm", "-batch", "4", "-epochs", "3", "-eval-every", "2"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := toy(9)
	var log strings.Builder
	_, h, _, err := r.Train(d, &log)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Train) != 6 {
		t.Errorf("%d updates, want 3 epochs of 2 batches", len(h.Train))
	}
	if !strings.Contains(log.String(), "dropped") {
		t.Errorf("the log does not say the lone image is dropped:\n%s", log.String())
	}
}

// toy returns a 3-class problem of n training and 6 validation samples of 5
// features.
func toy(n int) *homework.Data {
	rng := (&homework.Settings{Seed: 5}).Rand(homework.ForSubsample)
	set := func(n int) *train.Set {
		s := &train.Set{X: tensor.New(n, 5), Y: make([]int, n)}
		for i := range s.X.Data {
			s.X.Data[i] = rng.NormFloat64()
		}
		for i := range s.Y {
			s.Y[i] = i % 3
		}
		return s
	}
	classes := []string{"a", "b", "c"}
	return &homework.Data{TrainSplit: &data.Dataset{Classes: classes}, TestSplit: &data.Dataset{Classes: classes},
		Train: set(n), Val: set(6), Test: set(6)}
}

// With none of its own flags, the recipe trains part k's network the way
// part k does: the same history, to the last bit.
func TestDefaultsArePartK(t *testing.T) {
	args := []string{"-hidden", "6", "-batch", "8", "-epochs", "3", "-eval-every", "4"}
	r, _, err := Parse("recipe", args, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := homework.ParseSettings("partk", args, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, got, _, err := r.Train(toy(50), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := homework.Train(s, toy(50), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var a, b strings.Builder
	if err := got.WriteCSV(&a); err != nil {
		t.Fatal(err)
	}
	if err := want.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() || len(got.Train) != 21 {
		t.Errorf("recipe:\n%s\npart k (homework.Train):\n%s", a.String(), b.String())
	}
}
