package layers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

const tol = 1e-7

func rngFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

// activations returns a fresh layer of every element-wise activation with
// a reference implementation of its function, written the textbook way.
func activations() []struct {
	layer layers.Layer
	f     func(x float64) float64
} {
	phi := func(x float64) float64 { return 0.5 * (1 + math.Erf(x/math.Sqrt2)) }
	return []struct {
		layer layers.Layer
		f     func(x float64) float64
	}{
		{layers.NewSigmoid(), func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{layers.NewTanh(), math.Tanh},
		{layers.NewLeakyReLU(0.1), func(x float64) float64 { return math.Max(x, 0.1*x) }},
		{layers.NewGELU("none"), func(x float64) float64 { return x * phi(x) }},
		{layers.NewGELU("tanh"), func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
		}},
	}
}

// TestActivationsForward compares each activation with its textbook formula
// and checks that it stays finite (and saturates correctly) at ±1000, where
// the textbook forms of sigmoid and tanh overflow.
func TestActivationsForward(t *testing.T) {
	xs := []float64{-3, -1, -0.25, 0, 0.25, 1, 3}
	for _, a := range activations() {
		y := a.layer.Forward(tensor.FromData(append([]float64(nil), xs...), 1, len(xs)))
		for i, x := range xs {
			numtest.Close(t, fmt.Sprintf("%v(%v)", a.layer, x), y.Data[i], a.f(x), numtest.Tol{Abs: 1e-15})
		}
		y = a.layer.Forward(tensor.FromData([]float64{-1000, 1000}, 1, 2))
		if !finite(y.Data[0]) || !finite(y.Data[1]) {
			t.Errorf("%v(±1000) = %v", a.layer, y.Data)
		}
		dx := a.layer.Backward(tensor.FromData([]float64{1, 1}, 1, 2))
		if math.IsNaN(dx.Data[0]) || math.IsNaN(dx.Data[1]) {
			t.Errorf("%v′(±1000) = %v", a.layer, dx.Data)
		}
	}
	// Values from PyTorch 1.13: torch.nn.GELU()(torch.tensor([1., -1.],
	// dtype=torch.float64)), and the same with approximate='tanh'.
	for _, tc := range []struct {
		approx string
		want   []float64
	}{
		{"none", []float64{0.8413447460685429, -0.15865525393145707}},
		{"tanh", []float64{0.8411919906082768, -0.15880800939172324}},
	} {
		y := layers.NewGELU(tc.approx).Forward(tensor.FromData([]float64{1, -1}, 1, 2))
		numtest.Slices(t, "GELU("+tc.approx+")", y.Data, tc.want, numtest.Tol{Abs: 1e-15})
	}
	// Far in the negative tail x·Φ(x) is tiny but not zero: erfc keeps it,
	// 1 + erf(x/√2) rounds it to 0 (PyTorch 1.13 returns -0.0).
	if y := layers.NewGELU("none").Forward(tensor.FromData([]float64{-10}, 1, 1)).Data[0]; !(y < 0 && y >= -1e-20) {
		t.Errorf("GELU(-10) = %v, want about -7.6e-23", y)
	}
}

// TestActivationsGradcheck checks each activation alone and inside a
// Linear-act-Linear network. The smooth ones need the Richardson
// difference: their ε² truncation alone can exceed 1e-7 (see package
// gradcheck).
func TestActivationsGradcheck(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		for _, a := range activations() {
			rng := rngFor(seed)
			x := tensor.RandNormal(rng, 0, 1.5, 4, 6)
			for i, v := range x.Data {
				if math.Abs(v) < 0.01 { // LeakyReLU has a kink at 0
					x.Data[i] = 0.5
				}
			}
			opts := gradcheck.Options{Seed: seed, Richardson: true}
			if rep := gradcheck.Layer(a.layer, x, opts); !rep.OK(tol) {
				t.Errorf("%v fails the gradient check:\n%v", a.layer, rep)
			}
			m := layers.NewSequential(layers.NewLinear(6, 8, layers.Xavier, rng), a.layer, layers.NewLinear(8, 3, layers.Xavier, rng))
			if rep := gradcheck.Layer(m, x, opts); !rep.OK(tol) {
				t.Errorf("%v fails the gradient check:\n%v", m, rep)
			}
		}
	}
}

// TestActivations4D: every element-wise layer takes a B×C×H×W tensor, as
// it comes out of a convolution, keeps its shape, computes what it computes
// on the same numbers as rows, and passes the gradient check there.
func TestActivations4D(t *testing.T) {
	type entry struct {
		layer, flat layers.Layer
	}
	var all []entry
	for i, a := range activations() {
		all = append(all, entry{a.layer, activations()[i].layer})
	}
	drop := func() layers.Layer {
		d := layers.NewDropout(0.3, rngFor(7))
		d.Frozen = true
		return d
	}
	all = append(all, entry{drop(), drop()})
	for _, e := range all {
		x := tensor.RandNormal(rngFor(3), 0, 1.5, 2, 3, 4, 5)
		for i, v := range x.Data {
			if math.Abs(v) < 0.01 { // LeakyReLU has a kink at 0
				x.Data[i] = 0.5
			}
		}
		y := e.layer.Forward(x)
		if !y.SameShape(x) {
			t.Fatalf("%v: output shape %v, want %v", e.layer, y.Shape, x.Shape)
		}
		rows := e.flat.Forward(tensor.FromData(append([]float64(nil), x.Data...), 2, 60))
		numtest.SameSlices(t, fmt.Sprintf("%v on B×C×H×W against B×d", e.layer), y.Data, rows.Data)
		if dx := e.layer.Backward(y); !dx.SameShape(x) {
			t.Errorf("%v: gradient shape %v, want %v", e.layer, dx.Shape, x.Shape)
		}
		if rep := gradcheck.Layer(e.layer, x, gradcheck.Options{Seed: 3, Richardson: true}); !rep.OK(tol) {
			t.Errorf("%v fails the gradient check on a 4-D input:\n%v", e.layer, rep)
		}
	}
}

func TestActivationsPanicsAndBuffers(t *testing.T) {
	for _, a := range activations() {
		name, _, _ := strings.Cut(fmt.Sprint(a.layer), "(") // "GELU(tanh)" → "GELU"
		mustPanicWith(t, name+".Backward called before Forward", func() { a.layer.Backward(tensor.New(2, 3)) })
		mustPanicWith(t, name+".Forward: nil tensor", func() { a.layer.Forward(nil) })
		x := tensor.RandNormal(rngFor(1), 0, 1, 2, 3)
		y := a.layer.Forward(x)
		mustPanicWith(t, name+".Backward: gradient has shape [3 2], output had shape [2 3]", func() { a.layer.Backward(tensor.New(3, 2)) })
		mustPanicWith(t, name+".Backward: nil gradient", func() { a.layer.Backward(nil) })
		dx := a.layer.Backward(y)
		if a.layer.Params() != nil {
			t.Errorf("%v has parameters", a.layer)
		}
		if raceEnabled {
			continue
		}
		small := tensor.RandNormal(rngFor(2), 0, 1, 1, 3)
		if n := testing.AllocsPerRun(5, func() {
			a.layer.Backward(a.layer.Forward(small))
			a.layer.Backward(a.layer.Forward(x))
		}); n != 0 {
			t.Errorf("%v allocates %v times per step, want 0", a.layer, n)
		}
		if a.layer.Forward(x) != y || a.layer.Backward(y) != dx {
			t.Errorf("%v does not reuse its buffers", a.layer)
		}
	}
	mustPanicWith(t, "NewLeakyReLU: negative slope must be finite and ≥ 0, have -0.1", func() { layers.NewLeakyReLU(-0.1) })
	mustPanicWith(t, "NewLeakyReLU: negative slope must be finite and ≥ 0, have NaN", func() { layers.NewLeakyReLU(math.NaN()) })
	mustPanicWith(t, `NewGELU: approximate must be "none" or "tanh", have "erf"`, func() { layers.NewGELU("erf") })
}

// mustPanicWith fails unless f panics with a message containing want.
func mustPanicWith(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one containing %q", want)
			return
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Errorf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

// near fails unless got and want agree to tol relative to 1 + |want|.
func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	numtest.Slices(t, what, got, want, numtest.Tol{Abs: tol, Rel: tol})
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
