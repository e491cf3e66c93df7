package mlp

// The public tests of the assignment: run them with go test ./... (one part:
// go test -run PartE). Each names the part it checks; a function you have
// not written yet is reported as such. Passing them does not guarantee full
// marks: the grader checks the same things on inputs you have not seen.

import (
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// workedLinear is the layer and batch of the homework's part e.
func workedLinear() (*Linear, *tensor.Tensor) {
	l := NewLinear(3, 2, layers.He, rand.New(rand.NewPCG(1, 1)))
	copy(l.W.Value.Data, []float64{0.1, 0.2, 0.3, -0.4, 0.5, -0.6})
	copy(l.B.Value.Data, []float64{0.5, -1})
	return l, tensor.FromData([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
}

func TestPartE_LinearForward(t *testing.T) {
	l, a := workedLinear()
	must(t, try(func() error {
		z := l.Forward(a)
		err := closeTo("Z", z, tensor.FromData([]float64{1.9, -2.2, 3.7, -3.7}, 2, 2), 1e-12)
		if err != nil {
			return fmt.Errorf("the homework's worked example, W = %v, b = %v, A = %v (one sample per row): %v", l.W.Value.Data, l.B.Value.Data, a.Data, err)
		}
		return nil
	}))
}

func TestPartF_NaiveGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
		m, n, k := 2, 4, 3
		a := tensor.RandNormal(rng, 0, 1, m*k)
		b := tensor.RandNormal(rng, 0, 1, k*n)
		want := tensor.RandNormal(rng, 0, 1, m, n)
		got := want.Clone()
		tensor.NaiveGemm(tr[0], tr[1], m, n, k, 0.5, a.Data, b.Data, 2, want.Data) // the library's, as the oracle
		name := fmt.Sprintf("NaiveGemm(transA=%v, transB=%v, α=0.5, β=2): C", tr[0], tr[1])
		must(t, try(func() error {
			NaiveGemm(tr[0], tr[1], m, n, k, 0.5, a.Data, b.Data, 2, got.Data)
			return closeTo(name, got, want, 1e-12)
		}))
	}
	// With β = 0 the old C must not be read: it may hold anything, NaN too.
	a, b := tensor.FromData([]float64{1, 2, 3, 4}, 2, 2), tensor.FromData([]float64{1, 0, 0, 1}, 2, 2)
	got := tensor.FromData([]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}, 2, 2)
	must(t, try(func() error {
		NaiveGemm(false, false, 2, 2, 2, 1, a.Data, b.Data, 0, got.Data)
		return closeTo("NaiveGemm(A, I, β = 0) into a C of NaNs (β = 0 must not read C)", got, a, 0)
	}))
}

func TestPartG_LinearBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	l := NewLinear(5, 3, layers.He, rng)
	copy(l.B.Value.Data, []float64{0.1, -0.2, 0.3})
	x := tensor.RandNormal(rng, 0, 1, 4, 5)
	must(t, try(func() error {
		if err := gradOK("Linear(5→3)", gradcheck.Layer(l, x, gradcheck.Options{Seed: 1}), 1e-6); err != nil {
			return err
		}
		// Backward adds into the gradients: two calls give twice one call's.
		layers.ZeroGrads(l.Params())
		dz := tensor.RandNormal(rng, 0, 1, 4, 3)
		l.Forward(x)
		l.Backward(dz)
		once := l.W.Grad.Clone()
		l.Forward(x)
		l.Backward(dz)
		once.Scale(2)
		return closeTo("W.Grad after two Backwards (Backward must add to it, not overwrite it)", l.W.Grad, once, 1e-12)
	}))
}

func TestPartH_ReLU(t *testing.T) {
	r := NewReLU()
	x := tensor.FromData([]float64{-2, -0.5, 0.25, 3, 0, 1}, 2, 3)
	must(t, try(func() error {
		y := r.Forward(x)
		if err := closeTo("ReLU.Forward", y, tensor.FromData([]float64{0, 0, 0.25, 3, 0, 1}, 2, 3), 0); err != nil {
			return err
		}
		dx := r.Backward(tensor.FromData([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
		return closeTo("ReLU.Backward (∂L/∂x where ∂L/∂y = 1 … 6)", dx, tensor.FromData([]float64{0, 0, 3, 4, 0, 6}, 2, 3), 0)
	}))
}

func TestPartI_SoftmaxCrossEntropy(t *testing.T) {
	var ce SoftmaxCrossEntropy
	must(t, try(func() error {
		// Equal logits: every class has probability 1/C, so L = ln C.
		z := tensor.New(2, 4)
		if err := closeToValue("loss of equal logits (C = 4)", ce.Forward(z, []int{1, 3}), math.Log(4), 1e-12); err != nil {
			return err
		}
		z = tensor.FromData([]float64{2, 1, 0.1, -1, 3, 0.5}, 2, 3)
		labels := []int{0, 2}
		var ref loss.SoftmaxCrossEntropy
		if err := closeToValue("loss", ce.Forward(z, labels), ref.Forward(z, labels), 1e-12); err != nil {
			return err
		}
		if err := closeTo("∂L/∂logits", ce.Backward(), ref.Backward(), 1e-12); err != nil {
			return err
		}
		// Logits in the thousands: exp overflows unless the row's maximum
		// is subtracted first.
		big := tensor.FromData([]float64{1000, 0, -1000}, 1, 3)
		if err := closeToValue("loss of logits [1000 0 -1000], label 1", ce.Forward(big, []int{1}), 1000, 1e-12); err != nil {
			return err
		}
		ce.Forward(z, labels)
		p := &layers.Param{Name: "logits", Value: z, Grad: ce.Backward()}
		rep := gradcheck.Func(func() float64 { return ce.Forward(z, labels) }, []*layers.Param{p}, gradcheck.Options{})
		if err := gradOK("softmax cross-entropy", rep, 1e-6); err != nil {
			return err
		}
		return closeToValue("ErrorRate (sample 1 is wrong)", ErrorRate(z, labels), 0.5, 0)
	}))
}

func TestPartJ_CentralDifference(t *testing.T) {
	must(t, try(func() error {
		theta := []float64{2}
		f := func() float64 { return theta[0] * theta[0] * theta[0] }
		// (2.001³ − 1.999³) / 0.002 = 12.000001: the error of the central
		// difference is h²·f‴/6 = 1e-6.
		if err := closeToValue("central(x³ at 2, h = 1e-3)", central(f, theta, 0, 1e-3), 12.000001, 1e-9); err != nil {
			return err
		}
		if theta[0] != 2 {
			return fmt.Errorf("central left the entry at %v, want it restored to 2", theta[0])
		}
		return closeToValue("RelErr(1, 1.1)", RelErr(1, 1.1), 0.1/1.1, 1e-12)
	}))
}

func TestPartK_SGDStep(t *testing.T) {
	p := &layers.Param{Name: "w", Value: tensor.FromData([]float64{1, 2}, 1, 2), Grad: tensor.FromData([]float64{0.5, -1}, 1, 2)}
	must(t, try(func() error {
		(&SGD{LR: 0.1}).Step([]*layers.Param{p})
		if err := closeTo("w after the step", p.Value, tensor.FromData([]float64{0.95, 2.1}, 1, 2), 1e-12); err != nil {
			return err
		}
		return closeTo("gradient after the step", p.Grad, tensor.New(1, 2), 0)
	}))
}

// blobs returns n samples of d features in c classes, each class a
// Gaussian around its own centre, and their labels.
func blobs(rng *rand.Rand, n, d, c int) (*tensor.Tensor, []int) {
	centres := tensor.RandNormal(rand.New(rand.NewPCG(9, 9)), 0, 2, c, d)
	x := tensor.New(n, d)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(c)
		for j := 0; j < d; j++ {
			x.Data[i*d+j] = centres.Data[labels[i]*d+j] + rng.NormFloat64()
		}
	}
	return x, labels
}

func TestPartKL_Train(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x, y := blobs(rng, 400, 10, 3)
	vx, vy := blobs(rng, 100, 10, 3)
	net := layers.NewSequential(NewLinear(10, 16, layers.He, rng), NewReLU(), NewLinear(16, 3, layers.He, rng))
	must(t, try(func() error {
		h := Train(net, &SoftmaxCrossEntropy{}, &SGD{LR: 0.1}, x, y, vx, vy, Config{BatchSize: 20, Updates: 600, EvalEvery: 500, Seed: 1})
		if len(h.Loss) != 600 {
			return fmt.Errorf("History.Loss has %d entries, want one per update, 600", len(h.Loss))
		}
		if len(h.Val) != 2 || h.Val[0].Update != 500 || h.Val[1].Update != 600 {
			return fmt.Errorf("History.Val = %+v, want evaluations after updates 500 and 600", h.Val)
		}
		if e := h.Val[1].Error; !(e < 0.1) {
			return fmt.Errorf("validation error %.3f after 600 updates on easy data, want below 0.1", e)
		}
		return nil
	}))
}

func TestPartM_SaveCurves(t *testing.T) {
	dir := t.TempDir()
	h := History{Loss: []float64{2.3, 1.5, 1.1, 0.9}, Error: []float64{0.9, 0.5, 0.4, 0.3}, Val: []Eval{{Update: 2, Loss: 1.4, Error: 0.45}, {Update: 4, Loss: 1, Error: 0.35}}}
	must(t, try(func() error {
		if err := SaveCurves(h, dir); err != nil {
			return err
		}
		return curvesOK(dir)
	}))
}

// curvesOK returns nil if dir holds loss.png and error.png, both PNG
// images of at least 100×100 pixels.
func curvesOK(dir string) error {
	for _, name := range []string{"loss.png", "error.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s is not a PNG image: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
			return fmt.Errorf("%s is %d×%d pixels, too small to read", name, b.Dx(), b.Dy())
		}
	}
	return nil
}
