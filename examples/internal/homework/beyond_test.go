package homework

import (
	"io"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/optim"
)

func TestBeyondFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-optimizer", "rmsprop"}, {"-momentum", "1"}, {"-momentum", "-0.1"},
		{"-weight-decay", "-1"}, {"-weight-decay", "NaN"}, {"-schedule", "exp"},
		{"-warmup", "-1"}, {"-patience", "-2"}, {"-activation", "swish"}, {"-preset", "fast"},
		{"-label-smoothing", "1"}, {"-label-smoothing", "-0.1"}, {"-dropout", "1"}, {"-dropout", "-0.5"},
		{"-augment", "-1"}, {"-augment", "14"},
	} {
		var f Flags
		_, err := f.Parse("partk", args, io.Discard)
		if err == nil {
			t.Errorf("%q accepted", args)
		} else if !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%q: error %q does not name the flag", args, err)
		}
	}

	// Each optimiser starts from its own learning rate unless -lr is given.
	for opt, lr := range DefaultLRs {
		var f Flags
		if _, err := f.Parse("partk", []string{"-optimizer", opt}, io.Discard); err != nil {
			t.Fatal(err)
		}
		if f.LR != lr {
			t.Errorf("-optimizer %s: lr %g, want %g", opt, f.LR, lr)
		}
		var g Flags
		g.Parse("partk", []string{"-optimizer", opt, "-lr", "0.5"}, io.Discard)
		if g.LR != 0.5 {
			t.Errorf("-optimizer %s -lr 0.5: lr %g", opt, g.LR)
		}
	}

	// The preset fills in what was not given; what was given wins.
	var f Flags
	if _, err := f.Parse("partk", []string{"-preset", "best", "-epochs", "3"}, io.Discard); err != nil {
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
	var m Flags
	if _, err := m.Parse("partk", []string{"-preset", "best", "-dataset", "mnist"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if m.Flip || m.TTA || m.Shift != 2 || m.Epochs != 40 {
		t.Errorf("-preset best on MNIST: flip %v, tta %v, shift %d, %d epochs", m.Flip, m.TTA, m.Shift, m.Epochs)
	}

	// The default schedule is the homework's step decay, unchanged.
	var d Flags
	d.Parse("partk", nil, io.Discard)
	if d.NewOptimizer() != nil {
		t.Errorf("default optimiser %v, want nil (train's plain SGD)", d.NewOptimizer())
	}
	s := d.LRSchedule(100, 10)
	if lr := 0.2; s(75) != lr || s(76) != lr*0.1 || s(100) != lr*0.1 {
		t.Errorf("default schedule: update 75 at %g, 76 at %g; want 0.2 then 0.02", s(75), s(76))
	}
	// Warm-up of 1 epoch (10 updates) and a cosine over the other 90.
	var w Flags
	w.Parse("partk", []string{"-optimizer", "adam", "-schedule", "cosine", "-warmup", "1"}, io.Discard)
	s = w.LRSchedule(100, 10)
	if s(1) != 1e-4 || s(10) != 1e-3 || s(11) != 1e-3 || !(s(100) > 0 && s(100) < 1e-5) {
		t.Errorf("warm-up and cosine: %g %g %g %g", s(1), s(10), s(11), s(100))
	}
}
