package gradcheck_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

const tol = 1e-7

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

func TestLinear(t *testing.T) {
	rng := newRNG(1)
	l := layers.NewLinear(5, 4, layers.Xavier, rng)
	for i := range l.B.Value.Data {
		l.B.Value.Data[i] = rng.NormFloat64()
	}
	x := tensor.RandNormal(rng, 0, 1, 3, 5)
	x0 := x.Clone()
	rep := gradcheck.Layer(l, x, gradcheck.Options{Seed: 1})
	if !rep.OK(tol) {
		t.Fatalf("Linear fails the gradient check:\n%v", rep)
	}
	var names []string
	for _, tr := range rep.Tensors {
		names = append(names, tr.Name)
	}
	if want := []string{"input", "weight", "bias"}; !reflect.DeepEqual(names, want) {
		t.Errorf("report covers %v, want %v", names, want)
	}
	if rep.Tensors[0].Checked != 15 || rep.Tensors[1].Checked != 20 || rep.Tensors[2].Checked != 4 {
		t.Errorf("checked %d, %d, %d entries, want 15, 20, 4", rep.Tensors[0].Checked, rep.Tensors[1].Checked, rep.Tensors[2].Checked)
	}
	if !reflect.DeepEqual(x.Data, x0.Data) {
		t.Error("Layer modified its input x")
	}
}

// TestReLU checks ReLU on inputs at least 0.1 away from the kink at 0.
func TestReLU(t *testing.T) {
	rng := newRNG(2)
	x := tensor.New(4, 6)
	for i := range x.Data {
		x.Data[i] = (0.1 + rng.Float64()) * float64(1-2*(i%2))
	}
	rep := gradcheck.Layer(layers.NewReLU(), x, gradcheck.Options{Seed: 2})
	if !rep.OK(tol) {
		t.Fatalf("ReLU fails the gradient check:\n%v", rep)
	}
}

func TestMLP(t *testing.T) {
	rng := newRNG(3)
	m := layers.NewMLP([]int{6, 5, 4, 3}, layers.He, rng)
	x := tensor.RandNormal(rng, 0, 1, 4, 6)
	rep := gradcheck.Layer(m, x, gradcheck.Options{Seed: 3})
	if !rep.OK(tol) {
		t.Fatalf("MLP fails the gradient check:\n%v", rep)
	}
	if len(rep.Tensors) != 7 || rep.Tensors[6].Name != "4.bias" {
		t.Errorf("report tensors: %v", rep)
	}
}

// TestMLPWithLoss checks the whole homework pipeline: MLP followed by
// softmax cross-entropy, as a function of the parameters.
func TestMLPWithLoss(t *testing.T) {
	rng := newRNG(4)
	m := layers.NewMLP([]int{8, 6, 5}, layers.He, rng)
	x := tensor.RandNormal(rng, 0, 1, 5, 8)
	y := []int{0, 4, 2, 2, 1}
	var ce loss.SoftmaxCrossEntropy
	f := func() float64 { return ce.Forward(m.Forward(x), y) }
	layers.ZeroGrads(m.Params())
	f()
	m.Backward(ce.Backward())
	rep := gradcheck.Func(f, m.Params(), gradcheck.Options{})
	if !rep.OK(tol) {
		t.Fatalf("MLP + loss fails the gradient check:\n%v", rep)
	}
}

func TestSoftmaxCrossEntropy(t *testing.T) {
	rng := newRNG(5)
	z := tensor.RandNormal(rng, 0, 2, 6, 10)
	y := []int{0, 9, 3, 3, 7, 1}
	var ce loss.SoftmaxCrossEntropy
	ce.Forward(z, y)
	p := &layers.Param{Name: "z", Value: z, Grad: ce.Backward()}
	rep := gradcheck.Func(func() float64 { return ce.Forward(z, y) }, []*layers.Param{p}, gradcheck.Options{})
	if !rep.OK(tol) {
		t.Fatalf("softmax cross-entropy fails the gradient check:\n%v", rep)
	}
	if rep.Tensors[0].Checked != 60 {
		t.Errorf("checked %d entries, want 60", rep.Tensors[0].Checked)
	}
}

// forgetfulLinear is a student's Linear layer that forgets the bias
// gradient.
type forgetfulLinear struct{ *layers.Linear }

func (f forgetfulLinear) Backward(d *tensor.Tensor) *tensor.Tensor {
	db := f.B.Grad.Clone()
	dx := f.Linear.Backward(d)
	f.B.Grad.CopyFrom(db)
	return dx
}

// untransposedLinear computes the input gradient with the wrong transpose
// (Δ Wᵀ instead of Δ W, possible when the layer is square).
type untransposedLinear struct{ *layers.Linear }

func (u untransposedLinear) Backward(d *tensor.Tensor) *tensor.Tensor {
	dx := u.Linear.Backward(d)
	tensor.MatMulABT(dx, d, u.W.Value)
	return dx
}

func TestBrokenLayersAreCaught(t *testing.T) {
	rng := newRNG(6)
	x := tensor.RandNormal(rng, 0, 1, 3, 4)
	for _, tc := range []struct {
		layer layers.Layer
		want  string
	}{
		{forgetfulLinear{layers.NewLinear(4, 3, layers.He, rng)}, "bias"},
		{untransposedLinear{layers.NewLinear(4, 4, layers.He, rng)}, "input"},
	} {
		rep := gradcheck.Layer(tc.layer, x, gradcheck.Options{Seed: 6})
		if rep.OK(tol) {
			t.Errorf("%T passes the gradient check:\n%v", tc.layer, rep)
			continue
		}
		if got := rep.Failed(tol); !reflect.DeepEqual(got, []string{tc.want}) {
			t.Errorf("%T: failing tensors %v, want [%s]\n%v", tc.layer, got, tc.want, rep)
		}
		if rep.Worst.Tensor != tc.want || !(rep.Worst.RelErr >= 1e-2) {
			t.Errorf("%T: worst entry %+v, want a large error in %s", tc.layer, rep.Worst, tc.want)
		}
		if s := rep.String(); !strings.Contains(s, "worst: "+tc.want+" at (") {
			t.Errorf("%T: report does not name %s as worst:\n%s", tc.layer, tc.want, s)
		}
	}
}

func TestRelErr(t *testing.T) {
	for _, tc := range []struct{ a, n, want float64 }{
		{1, 1, 0},
		{0, 0, 0}, // both vanish: no 0/0
		{1, 0, 1},
		{-1, 1, 2},
		{1e-20, 2e-20, 0.5}, // scale-free
		{2e6, 1e6, 0.5},
		{math.NaN(), 1, math.Inf(1)},
	} {
		numtest.Same(t, fmt.Sprintf("RelErr(%v, %v)", tc.a, tc.n), gradcheck.RelErr(tc.a, tc.n), tc.want)
	}
}

func TestMaxPerTensorAndDeterminism(t *testing.T) {
	m := layers.NewMLP([]int{30, 20, 5}, layers.He, newRNG(7))
	x := tensor.RandNormal(newRNG(8), 0, 1, 2, 30)
	opts := gradcheck.Options{Seed: 9, MaxPerTensor: 7}
	rep := gradcheck.Layer(m, x, opts)
	for _, tr := range rep.Tensors {
		if want := min(7, product(tr.Shape)); tr.Checked != want {
			t.Errorf("%s: checked %d entries, want %d", tr.Name, tr.Checked, want)
		}
	}
	if !rep.OK(tol) {
		t.Fatalf("MLP fails:\n%v", rep)
	}
	if again := gradcheck.Layer(m, x, opts); !reflect.DeepEqual(again, rep) {
		t.Errorf("same options gave different reports:\n%v\n%v", rep, again)
	}
}

func product(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

// TestRichardson checks a correct Linear-Tanh-Linear network: the plain
// central difference at ε = 1e-4 misses 1e-7 through its ε² truncation
// alone, the Richardson extrapolation (O(ε⁴)) passes far below it, and so
// the remedy is a better difference, not a looser tolerance.
func TestRichardson(t *testing.T) {
	rng := newRNG(5)
	m := layers.NewSequential(layers.NewLinear(6, 8, layers.Xavier, rng), layers.NewTanh(), layers.NewLinear(8, 3, layers.Xavier, rng))
	x := tensor.RandNormal(rng, 0, 1, 5, 6)
	plain := gradcheck.Layer(m, x, gradcheck.Options{Seed: 5})
	if plain.OK(tol) {
		t.Errorf("plain central difference passes at 1e-7 (worst %.2e); the test no longer shows the ε² truncation", plain.Worst.RelErr)
	}
	if !numtest.AtMost(t, "plain central difference: worst relative error (a truncation error)", plain.Worst.RelErr, 1e-5) {
		t.Log(plain)
	}
	rich := gradcheck.Layer(m, x, gradcheck.Options{Seed: 5, Richardson: true})
	if !rich.OK(1e-8) {
		t.Errorf("Richardson fails at 1e-8:\n%v", rich)
	}
	// The step matters: the default for Richardson is RichardsonEps.
	if again := gradcheck.Layer(m, x, gradcheck.Options{Seed: 5, Richardson: true, Eps: gradcheck.RichardsonEps}); !reflect.DeepEqual(again, rich) {
		t.Error("Richardson with Eps 0 does not use RichardsonEps")
	}
	// A real bug still fails with Richardson.
	bug := gradcheck.Layer(forgetfulLinear{layers.NewLinear(6, 3, layers.He, rng)}, x, gradcheck.Options{Richardson: true})
	if got := bug.Failed(tol); !reflect.DeepEqual(got, []string{"bias"}) {
		t.Errorf("Richardson on a Linear without bias gradient: failed %v, want [bias]", got)
	}
}
