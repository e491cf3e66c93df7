package layers

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

func randT(rng *rand.Rand, r, c int) *tensor.Tensor { return tensor.RandNormal(rng, 0, 1, r, c) }

// closeTo stops the test unless got and want have the same length and agree
// within tol·(1 + |want|) element by element; NaN never agrees. With tol 0
// it asks for equal values (use numtest.SameSlices for the same bits).
func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if !numtest.Slices(t, what, got, want, numtest.Tol{Abs: tol, Rel: tol}) {
		t.FailNow()
	}
}

// TestLinearAgainstLoops compares Forward and Backward with the formulas
// written as plain loops over one sample at a time: z = W a + b,
// dW = Σ δ aᵀ, db = Σ δ, da = Wᵀ δ.
func TestLinearAgainstLoops(t *testing.T) {
	rng := newRNG(1)
	for _, sz := range []struct{ b, in, out int }{{1, 1, 1}, {3, 5, 2}, {64, 20, 13}, {7, 33, 65}} {
		l := NewLinear(sz.in, sz.out, Xavier, rng)
		for i := range l.B.Value.Data {
			l.B.Value.Data[i] = rng.NormFloat64()
		}
		a := randT(rng, sz.b, sz.in)
		z := l.Forward(a)
		if z.Shape[0] != sz.b || z.Shape[1] != sz.out {
			t.Fatalf("Forward shape %v, want [%d %d]", z.Shape, sz.b, sz.out)
		}
		want := make([]float64, sz.b*sz.out)
		for n := 0; n < sz.b; n++ {
			for j := 0; j < sz.out; j++ {
				s := l.B.Value.Data[j]
				for k := 0; k < sz.in; k++ {
					s += l.W.Value.At(j, k) * a.At(n, k)
				}
				want[n*sz.out+j] = s
			}
		}
		closeTo(t, "Z", z.Data, want, 1e-12)

		d := randT(rng, sz.b, sz.out)
		da := l.Backward(d)
		wantW := make([]float64, sz.out*sz.in)
		wantB := make([]float64, sz.out)
		wantA := make([]float64, sz.b*sz.in)
		for n := 0; n < sz.b; n++ {
			for j := 0; j < sz.out; j++ {
				wantB[j] += d.At(n, j)
				for k := 0; k < sz.in; k++ {
					wantW[j*sz.in+k] += d.At(n, j) * a.At(n, k)
					wantA[n*sz.in+k] += l.W.Value.At(j, k) * d.At(n, j)
				}
			}
		}
		closeTo(t, "dW", l.W.Grad.Data, wantW, 1e-12)
		closeTo(t, "db", l.B.Grad.Data, wantB, 1e-12)
		closeTo(t, "dA", da.Data, wantA, 1e-12)

		// Backward accumulates: a second call doubles the gradients.
		l.Backward(d)
		for i := range wantW {
			wantW[i] *= 2
		}
		for i := range wantB {
			wantB[i] *= 2
		}
		closeTo(t, "dW after two Backward", l.W.Grad.Data, wantW, 1e-12)
		closeTo(t, "db after two Backward", l.B.Grad.Data, wantB, 1e-12)
	}
}

func TestLinearBatchSizeChange(t *testing.T) {
	rng := newRNG(2)
	l := NewLinear(4, 3, He, rng)
	big, small := randT(rng, 8, 4), randT(rng, 3, 4)
	zBig := l.Forward(big).Clone()
	zSmall := l.Forward(small)
	if zSmall.Shape[0] != 3 || len(zSmall.Data) != 9 {
		t.Fatalf("small batch output has shape %v and %d values", zSmall.Shape, len(zSmall.Data))
	}
	want := NewLinear(4, 3, He, newRNG(2)).Forward(small)
	numtest.SameSlices(t, "Z small", zSmall.Data, want.Data)
	// Back to the full batch: same numbers as the first time.
	numtest.SameSlices(t, "Z big again", l.Forward(big).Data, zBig.Data)
}

func TestInit(t *testing.T) {
	const in, out = 400, 300
	he := NewLinear(in, out, He, newRNG(3))
	var sum, sq float64
	for _, v := range he.W.Value.Data {
		sum += v
		sq += v * v
	}
	n := float64(in * out)
	mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
	numtest.Close(t, "He: mean", mean, 0, numtest.Tol{Abs: 0.005})
	numtest.Close(t, "He: variance", variance, 2.0/in, numtest.Tol{Rel: 0.02})
	xa := NewLinear(in, out, Xavier, newRNG(3))
	lim := math.Sqrt(6.0 / (in + out))
	sq = 0
	for _, v := range xa.W.Value.Data {
		if !numtest.Within(t, "Xavier weight", v, -lim, lim) {
			t.FailNow()
		}
		sq += v * v
	}
	numtest.Close(t, "Xavier: variance", sq/n, 2.0/(in+out), numtest.Tol{Rel: 0.02})
	for _, l := range []*Linear{he, xa} {
		for _, v := range l.B.Value.Data {
			if v != 0 {
				t.Fatalf("bias %v, want 0", v)
			}
		}
	}
	// Same seed, same bits.
	again := NewLinear(in, out, He, newRNG(3))
	numtest.SameSlices(t, "He weights with the same seed", again.W.Value.Data, he.W.Value.Data)
}

func TestLinearShapePanics(t *testing.T) {
	l := NewLinear(3, 2, He, newRNG(4))
	mustPanic(t, "Linear.Backward called before Forward", func() { l.Backward(tensor.New(2, 2)) })
	mustPanic(t, "Linear.Forward: input has shape [2 4], want [batch 3]", func() { l.Forward(tensor.New(2, 4)) })
	l.Forward(tensor.New(2, 3))
	mustPanic(t, "Linear.Backward: the gradient with respect to the output has shape [2 3], want [2 2]", func() { l.Backward(tensor.New(2, 3)) })
	mustPanic(t, "has shape [5 2], want [2 2]", func() { l.Backward(tensor.New(5, 2)) })
	mustPanic(t, "unknown init", func() { NewLinear(3, 2, Init(7), newRNG(1)) })
	mustPanic(t, "sizes must be positive", func() { NewLinear(0, 2, He, newRNG(1)) })
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one mentioning %q", want)
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("panic %q, want one mentioning %q", r, want)
		}
	}()
	f()
}

// TestLinearFromParams checks that a Linear made from the parameters of
// another (&Linear{W: w, B: b}) computes with them and keeps buffers of
// its own, and that one made without them panics with a clear message.
func TestLinearFromParams(t *testing.T) {
	rng := newRNG(21)
	a := randT(rng, 10, 7)
	l := NewLinear(7, 4, He, rng)
	tied := &Linear{W: l.W, B: l.B}
	if tied.In() != 7 || tied.Out() != 4 || tied.String() != "Linear(7→4)" {
		t.Fatalf("a Linear made from a 4×7 W is %v with In %d, Out %d", tied, tied.In(), tied.Out())
	}
	z := l.Forward(a).Clone()
	top := tensor.FromData(a.Data[:4*7], 4, 7)
	if zt := tied.Forward(top); &zt.Data[0] == &l.z.Data[0] || !slices.Equal(zt.Data, z.Data[:4*4]) {
		t.Fatal("the tied layer's forward pass shares the layer's buffer or differs from its rows")
	}
	mustPanic(t, "W or B is not set", func() { (&Linear{W: l.W}).Forward(a) })
	mustPanic(t, "W has shape [4 7] and B [1 5]", func() {
		(&Linear{W: l.W, B: &Param{Value: tensor.New(1, 5), Grad: tensor.New(1, 5)}}).Forward(a)
	})
}
