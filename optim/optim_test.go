package optim_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// The two-step trajectories below start from θ = (1, −2) and feed the
// gradients g₁ = (0.5, −1) and g₂ = (−0.25, 2), η = 0.1. The expected values
// were worked out by hand from the rules in the package doc; the comments
// show the arithmetic.
var g1, g2 = []float64{0.5, -1}, []float64{-0.25, 2}

// trajectory runs two steps of opt and returns θ after each.
func trajectory(t *testing.T, opt optim.Optimizer) (th1, th2 []float64) {
	t.Helper()
	p := &layers.Param{Name: "w", Value: tensor.FromData([]float64{1, -2}, 1, 2), Grad: tensor.New(1, 2)}
	for k, g := range [][]float64{g1, g2} {
		copy(p.Grad.Data, g)
		opt.Step([]*layers.Param{p})
		for i, v := range p.Grad.Data {
			if v != 0 {
				t.Fatalf("step %d: gradient element %d is %g after Step, want 0", k+1, i, v)
			}
		}
		if k == 0 {
			th1 = append(th1, p.Value.Data...)
		}
	}
	return th1, append(th2, p.Value.Data...)
}

func TestTwoStepTrajectories(t *testing.T) {
	for _, c := range []struct {
		name  string
		opt   optim.Optimizer
		want1 []float64
		want2 []float64
		tol   float64
	}{
		{"layers.SGD", &layers.SGD{LR: 0.1},
			// θ₁ = θ − 0.1 g₁;  θ₂ = θ₁ − 0.1 g₂
			[]float64{0.95, -1.9}, []float64{0.975, -2.1}, 1e-15},
		{"SGD", &optim.SGD{LR: 0.1},
			[]float64{0.95, -1.9}, []float64{0.975, -2.1}, 1e-15},
		{"SGD momentum", &optim.SGD{LR: 0.1, Momentum: 0.9},
			// v₁ = g₁ = (0.5, −1), θ₁ = (0.95, −1.9);
			// v₂ = 0.9 v₁ + g₂ = (0.2, 1.1), θ₂ = θ₁ − 0.1 v₂ = (0.93, −2.01)
			[]float64{0.95, -1.9}, []float64{0.93, -2.01}, 1e-15},
		{"SGD Nesterov", &optim.SGD{LR: 0.1, Momentum: 0.9, Nesterov: true},
			// v₁ = (0.5, −1), g₁ + 0.9 v₁ = (0.95, −1.9), θ₁ = (0.905, −1.81);
			// v₂ = (0.2, 1.1), g₂ + 0.9 v₂ = (−0.07, 2.99), θ₂ = (0.912, −2.109)
			[]float64{0.905, -1.81}, []float64{0.912, -2.109}, 1e-15},
		{"SGD weight decay", &optim.SGD{LR: 0.1, WeightDecay: 0.1},
			// g₁ + 0.1 θ = (0.6, −1.2), θ₁ = (0.94, −1.88);
			// g₂ + 0.1 θ₁ = (−0.156, 1.812), θ₂ = (0.9556, −2.0612)
			[]float64{0.94, -1.88}, []float64{0.9556, -2.0612}, 1e-15},
		{"SGD momentum weight decay", &optim.SGD{LR: 0.1, Momentum: 0.5, WeightDecay: 0.1},
			// v₁ = (0.6, −1.2), θ₁ = (0.94, −1.88);
			// v₂ = 0.5 v₁ + (−0.156, 1.812) = (0.144, 1.212), θ₂ = (0.9256, −2.0012)
			[]float64{0.94, -1.88}, []float64{0.9256, -2.0012}, 1e-15},
		{"Adam", optim.NewAdam(0.1),
			// t=1: m = 0.1 g₁, v = 0.001 g₁², m̂ = g₁, √v̂ = |g₁|: a sign step,
			//      θ₁ = (0.9, −1.9) (to within ε = 1e-8).
			// t=2: m = 0.9(0.05, −0.1) + 0.1 g₂ = (0.02, 0.11),
			//      v = 0.999(0.00025, 0.001) + 0.001(0.0625, 4) = (0.00031225, 0.004999),
			//      m̂ = m/0.19 = (0.1052632, 0.5789474), v̂ = v/0.001999 = (0.1562031, 2.5007504),
			//      √v̂ = (0.3952254, 1.5813761), step 0.1 m̂/√v̂ = (0.0266337, 0.0366103),
			//      θ₂ = (0.8733663, −1.9366103)
			[]float64{0.9, -1.9}, []float64{0.8733663, -1.9366103}, 1e-7},
		{"AdamW", optim.NewAdamW(0.1, 0.5),
			// t=1: θ ← (1 − 0.1·0.5)θ = (0.95, −1.9), then the sign step: θ₁ = (0.85, −1.8).
			// t=2: θ ← 0.95 θ₁ = (0.8075, −1.71), then the same Adam step as above
			//      (the gradients do not involve θ): θ₂ = (0.7808663, −1.7466103)
			[]float64{0.85, -1.8}, []float64{0.7808663, -1.7466103}, 1e-7},
		{"Adam L2", &optim.Adam{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5},
			// t=1: g = g₁ + 0.5 θ = (1, −2), a sign step: θ₁ = (0.9, −1.9).
			// t=2: g = g₂ + 0.5 θ₁ = (0.2, 1.05), m = 0.9(0.1, −0.2) + 0.1 g = (0.11, −0.075),
			//      v = 0.999(0.001, 0.004) + 0.001(0.04, 1.1025) = (0.001039, 0.0050985),
			//      m̂ = (0.5789474, −0.3947368), √v̂ = √(v/0.001999) = (0.7209436, 1.5970302),
			//      step = (0.0803040, −0.0247169), θ₂ = (0.8196960, −1.8752831)
			[]float64{0.9, -1.9}, []float64{0.8196960, -1.8752831}, 1e-6},
	} {
		t.Run(c.name, func(t *testing.T) {
			th1, th2 := trajectory(t, c.opt)
			numtest.Slices(t, "θ₁", th1, c.want1, numtest.Tol{Abs: c.tol})
			numtest.Slices(t, "θ₂", th2, c.want2, numtest.Tol{Abs: c.tol})
		})
	}
}

// TestSGDMatchesLayersSGD: optim.SGD without momentum or decay is the
// homework's plain SGD, bit for bit, so switching train to it changes nothing.
func TestSGDMatchesLayersSGD(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	a := tensor.RandNormal(rng, 0, 1, 5, 7)
	b := a.Clone()
	ga := tensor.RandNormal(rng, 0, 1, 5, 7)
	gb := ga.Clone()
	(&layers.SGD{LR: 0.3}).Step([]*layers.Param{{Value: a, Grad: ga}})
	(&optim.SGD{LR: 0.3}).Step([]*layers.Param{{Value: b, Grad: gb}})
	numtest.SameSlices(t, "optim.SGD against layers.SGD", b.Data, a.Data)
}

// TestStateKeyedByTensor: a layer's Params and its Sequential's Params are
// different *Param values around the same tensors; the state must follow
// the tensor.
func TestStateKeyedByTensor(t *testing.T) {
	lin := layers.NewLinear(2, 1, layers.He, rand.New(rand.NewPCG(1, 1)))
	seq := layers.NewSequential(lin)
	opt := &optim.SGD{LR: 0.1, Momentum: 0.9}
	lin.W.Grad.Fill(1)
	opt.Step(lin.Params())
	seq.Params()[0].Grad.Fill(1)
	opt.Step(seq.Params())
	st := opt.State(seq.Params())
	if got := st["0.weight.momentum_buffer"].Data[0]; got != 1.9 { // 0.9·1 + 1
		t.Errorf("velocity after two steps through two views = %v, want 1.9", got)
	}
	if got := st["0.weight.step"].Data[0]; got != 2 {
		t.Errorf("step count = %v, want 2", got)
	}
}

// TestStateRoundTrip: training two steps, saving the state, and resuming in
// a fresh optimiser gives the same weights as training three steps in one.
func TestStateRoundTrip(t *testing.T) {
	for _, mk := range []func() interface {
		optim.Optimizer
		optim.Stateful
	}{
		func() interface {
			optim.Optimizer
			optim.Stateful
		} {
			return &optim.SGD{LR: 0.1, Momentum: 0.9, Nesterov: true}
		},
		func() interface {
			optim.Optimizer
			optim.Stateful
		} {
			return optim.NewAdamW(0.01, 0.1)
		},
	} {
		run := func(opt optim.Optimizer, steps int, p []*layers.Param, seed uint64) {
			rng := rand.New(rand.NewPCG(seed, 0))
			for s := 0; s < steps; s++ {
				for _, q := range p {
					for i := range q.Grad.Data {
						q.Grad.Data[i] = rng.NormFloat64()
					}
				}
				opt.Step(p)
			}
		}
		params := func() []*layers.Param {
			return []*layers.Param{
				{Name: "0.W", Value: tensor.FromData([]float64{1, 2, 3, 4}, 2, 2), Grad: tensor.New(2, 2)},
				{Name: "0.b", Value: tensor.FromData([]float64{-1, 1}, 1, 2), Grad: tensor.New(1, 2)},
			}
		}
		whole, a := params(), mk()
		run(a, 2, whole, 1)
		run(a, 1, whole, 2)

		part, b := params(), mk()
		run(b, 2, part, 1)
		saved := map[string]*tensor.Tensor{}
		for k, v := range b.State(part) {
			saved[k] = v.Clone()
		}
		c := mk()
		if err := c.LoadState(part, saved); err != nil {
			t.Fatal(err)
		}
		run(c, 1, part, 2)
		for i := range whole {
			if !numtest.SameSlices(t, fmt.Sprintf("%T: resumed %s against uninterrupted", a, part[i].Name), part[i].Value.Data, whole[i].Value.Data) {
				t.FailNow()
			}
		}

		// Bad state is refused and changes nothing.
		bad := map[string]*tensor.Tensor{}
		for k, v := range saved {
			bad[k] = v
		}
		bad["9.W.step"] = tensor.New(1, 1)
		if err := mk().LoadState(part, bad); err == nil || !strings.Contains(err.Error(), "9.W.step") {
			t.Errorf("%T: LoadState with a stray entry: err = %v", a, err)
		}
		delete(bad, "9.W.step")
		for k := range bad {
			if strings.HasSuffix(k, ".step") {
				bad[k] = tensor.FromData([]float64{1.5}, 1, 1)
				break
			}
		}
		if err := mk().LoadState(part, bad); err == nil {
			t.Errorf("%T: LoadState with a fractional step count: no error", a)
		}
	}
}

func TestBadHyperparametersPanic(t *testing.T) {
	p := []*layers.Param{{Name: "w", Value: tensor.New(1, 1), Grad: tensor.New(1, 1)}}
	for _, c := range []struct {
		name string
		opt  optim.Optimizer
		want string
	}{
		{"momentum 1", &optim.SGD{LR: 0.1, Momentum: 1}, "momentum"},
		{"nesterov without momentum", &optim.SGD{LR: 0.1, Nesterov: true}, "Nesterov"},
		{"negative decay", &optim.SGD{LR: 0.1, WeightDecay: -1}, "weight decay"},
		{"zero Adam", &optim.Adam{LR: 0.1}, "eps"},
		{"beta2 1", &optim.Adam{LR: 0.1, Beta1: 0.9, Beta2: 1, Eps: 1e-8}, "betas"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), c.want) {
					t.Errorf("panic %v, want one mentioning %q", r, c.want)
				}
			}()
			c.opt.Step(p)
		})
	}
}

// TestStepAllocs: once the state exists, a whole training step with each
// optimiser and a schedule, through Linear, BatchNorm1d, ReLU and Dropout
// layers and a label-smoothed loss, allocates nothing.
func TestStepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	model := layers.NewSequential(
		layers.NewLinear(784, 64, layers.He, rng), layers.NewBatchNorm1d(64), layers.NewReLU(),
		layers.NewDropout(0.3, rand.New(rand.NewPCG(2, 2))), layers.NewLinear(64, 10, layers.He, rng))
	x := tensor.RandUniform(rng, 0, 1, 32, 784)
	labels := make([]int, 32)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	ce := loss.SoftmaxCrossEntropy{Smoothing: 0.1}
	for _, opt := range []optim.Optimizer{
		&optim.SGD{LR: 0.01, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4},
		optim.NewAdam(1e-3), optim.NewAdamW(1e-3, 0.05),
	} {
		sched := optim.Warmup(10, optim.Cosine(1e-3, 0, 100))
		update := 0
		step := func() {
			update++
			opt.SetLR(sched(update))
			ce.Forward(model.Forward(x), labels)
			model.Backward(ce.Backward())
			opt.Step(model.Params())
		}
		step()
		if n := testing.AllocsPerRun(5, step); n != 0 {
			t.Errorf("%v: a training step allocates %v times, want 0", opt, n)
		}
	}
}
