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

// bnNet is Linear → BatchNorm1d (training mode) → act → Linear, with the
// softmax cross-entropy on top: the bias of the first Linear has a gradient
// of exactly 0 (batch norm subtracts the batch mean, so shifting a column
// changes nothing), and both gradients of it are rounding noise.
func bnNet(seed uint64, act layers.Layer) (*layers.Sequential, *tensor.Tensor, []int) {
	rng := newRNG(seed)
	m := layers.NewSequential(layers.NewLinear(8, 30, layers.He, rng), layers.NewBatchNorm1d(30), act, layers.NewLinear(30, 4, layers.He, rng))
	for i := range m.Params()[1].Value.Data {
		m.Params()[1].Value.Data[i] = rng.NormFloat64()
	}
	return m, tensor.RandNormal(rng, 0, 1, 5, 8), []int{0, 3, 2, 2, 1}
}

// TestZeroGradient checks a network whose first bias has a gradient of 0
// in exact arithmetic, for 20 seeds, as a layer and with its loss: the
// relative error of its two round-off-sized gradients is about 1, so a
// check by relative error alone fails it, and the rounding noise of the
// numeric difference (Entry.Noise) is what tells it apart from a bug.
// With tanh the network is smooth (Richardson); with ReLU, units within ε
// of their kink need Options.Kinks.
func TestZeroGradient(t *testing.T) {
	meaningless := 0
	for seed := uint64(1); seed <= 20; seed++ {
		for _, act := range []layers.Layer{layers.NewTanh(), layers.NewReLU()} {
			m, x, y := bnNet(seed, act)
			var ce loss.SoftmaxCrossEntropy
			f := func() float64 { return ce.Forward(m.Forward(x), y) }
			layers.ZeroGrads(m.Params())
			f()
			m.Backward(ce.Backward())
			opts := gradcheck.Options{Seed: seed, Richardson: true, Kinks: true}
			for _, rep := range []gradcheck.Report{gradcheck.Func(f, m.Params(), opts), gradcheck.Layer(m, x, opts)} {
				if !rep.OK(tol) {
					t.Errorf("seed %d, %T: a correct network fails:\n%v", seed, act, rep)
				}
				bias := rep.Tensors[len(rep.Tensors)-5].Worst
				if bias.Tensor != "0.bias" || !(math.Abs(bias.Analytic) <= bias.Noise && math.Abs(bias.Numeric) <= bias.Noise) {
					t.Errorf("seed %d: first bias %+v, want both gradients at rounding level", seed, bias)
				}
				if bias.RelErr > tol {
					meaningless++
				}
			}
		}
	}
	if meaningless == 0 {
		t.Error("no check had a relative error above tol on the zero bias gradient: the test no longer shows the problem")
	}
}

// TestSmallBrokenGradient: a forgotten bias gradient that is small (about
// 1e-8, the next layer's weights being 1e-6 of the usual) beside a loss of
// about 1 is still caught: the rounding noise of the numeric difference,
// NoiseFactor·u·|L|/ε ≈ 8e-11, is a hundred times smaller.
func TestSmallBrokenGradient(t *testing.T) {
	rng := newRNG(11)
	first := layers.NewLinear(4, 3, layers.He, rng)
	last := layers.NewLinear(3, 3, layers.He, rng)
	last.W.Value.Scale(1e-6)
	m := layers.NewSequential(forgetfulLinear{first}, layers.NewTanh(), last)
	x := tensor.RandNormal(rng, 0, 1, 5, 4)
	y := []int{0, 2, 1, 1, 0}
	var ce loss.SoftmaxCrossEntropy
	f := func() float64 { return ce.Forward(m.Forward(x), y) }
	layers.ZeroGrads(m.Params())
	f()
	m.Backward(ce.Backward())
	rep := gradcheck.Func(f, m.Params(), gradcheck.Options{Kinks: true})
	if got := rep.Failed(tol); !reflect.DeepEqual(got, []string{"0.bias"}) {
		t.Fatalf("failing tensors %v, want [0.bias]:\n%v", got, rep)
	}
	w := rep.Worst
	if !(math.Abs(w.Numeric) < 1e-5 && math.Abs(w.Numeric) > 100*w.Noise && w.Analytic == 0) {
		t.Errorf("worst entry %+v: want a forgotten gradient below 1e-5 and above 100 times the noise", w)
	}
}

// TestNoise checks the rounding noise of an entry against its definition,
// NoiseFactor·u·|L|/ε, and that a difference within it passes whatever the
// relative error, while anything beyond it is judged relatively.
func TestNoise(t *testing.T) {
	p := &layers.Param{Name: "w", Value: tensor.FromData([]float64{0.5}, 1, 1), Grad: tensor.FromData([]float64{1e-17}, 1, 1)}
	rep := gradcheck.Func(func() float64 { return 3 }, []*layers.Param{p}, gradcheck.Options{})
	want := gradcheck.NoiseFactor * 0x1p-53 * 3 / gradcheck.DefaultEps
	if e := rep.Worst; !(math.Abs(e.Noise-want) <= 1e-12*want) || e.Err != 0 || e.RelErr != 1 || !rep.OK(0) {
		t.Errorf("constant function, analytic 1e-17: %+v, want noise %.3g, Err 0, RelErr 1", e, want)
	}
	for _, tc := range []struct{ a, n, noise, want float64 }{
		{1e-12, -1e-12, 3e-12, 0},
		{1e-12, -1e-12, 1e-12, 2},
		{1, 1 + 1e-9, 1e-10, 1e-9 / (1 + 1e-9)},
		{math.NaN(), 0, 1, math.Inf(1)},
	} {
		if got := gradcheck.Err(tc.a, tc.n, tc.noise); !(math.Abs(got-tc.want) <= 1e-15) && got != tc.want {
			t.Errorf("Err(%v, %v, %v) = %v, want %v", tc.a, tc.n, tc.noise, got, tc.want)
		}
	}
}

// TestKinks: a ReLU input within ε of 0 makes the central difference
// straddle the kink and fail; Options.Kinks retries with a smaller step
// and passes, while a wrong gradient still fails with it.
func TestKinks(t *testing.T) {
	x := tensor.FromData([]float64{0.5, -0.7, 3e-5, 1.2, -0.3, 0.8}, 2, 3)
	relu := layers.NewReLU()
	if rep := gradcheck.Layer(relu, x, gradcheck.Options{Seed: 1}); rep.OK(1e-3) {
		t.Errorf("an input 3e-5 from the kink passes at ε = 1e-4; the test no longer shows the kink:\n%v", rep)
	}
	rep := gradcheck.Layer(relu, x, gradcheck.Options{Seed: 1, Kinks: true})
	if !rep.OK(tol) || rep.Worst.Eps != gradcheck.DefaultEps/10 {
		t.Errorf("with Kinks, want a pass at ε/10:\n%v\nworst %+v", rep, rep.Worst)
	}
	rng := newRNG(6)
	bug := gradcheck.Layer(forgetfulLinear{layers.NewLinear(4, 3, layers.He, rng)}, tensor.RandNormal(rng, 0, 1, 3, 4), gradcheck.Options{Seed: 6, Kinks: true})
	if got := bug.Failed(tol); !reflect.DeepEqual(got, []string{"bias"}) || bug.Worst.RelErr < 1e-2 {
		t.Errorf("with Kinks, a forgotten bias gradient: failed %v, want [bias]:\n%v", got, bug)
	}
}
