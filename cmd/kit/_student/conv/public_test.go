package conv

// The public tests of the assignment: run them with go test ./... (one part:
// go test -run PartC1). Each names the part it checks; a function you have
// not written yet is reported as such. Passing them does not guarantee full
// marks: the grader checks the same things on inputs you have not seen,
// with other strides, paddings and sizes.

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// convLayer is a layers.Layer made of your convForwardNaive and
// convBackwardNaive, so that gradcheck can check them: its weights and
// bias are those of the library's Conv2d lib, whose Forward it runs
// instead of yours when libForward is set (the grader does, so that part
// c2 is graded on its own).
type convLayer struct {
	lib        *layers.Conv2d
	libForward bool
	x          *tensor.Tensor
	g          convGeom
}

// newConvLayer returns a convolution from c to f channels with k×k
// filters, stride s and padding p, with random weights and bias.
func newConvLayer(rng *rand.Rand, c, f, k, s, p int) *convLayer {
	lib := layers.NewConv2d(c, f, k, layers.Conv2dOptions{Stride: s, Padding: p}, rng)
	for i := range lib.B.Value.Data {
		lib.B.Value.Data[i] = rng.NormFloat64()
	}
	return &convLayer{lib: lib}
}

// geom returns the sizes of the convolution of x (eq. C0).
func (l *convLayer) geom(x *tensor.Tensor) convGeom {
	c := l.lib
	return convGeom{
		n: x.Shape[0], c: x.Shape[1], h: x.Shape[2], w: x.Shape[3],
		f: c.Out(), k: c.Kernel(), s: c.Stride(), p: c.Padding(),
		ho: c.OutSize(x.Shape[2]), wo: c.OutSize(x.Shape[3]),
	}
}

func (l *convLayer) Forward(x *tensor.Tensor) *tensor.Tensor {
	l.x, l.g = x, l.geom(x)
	if l.libForward {
		return l.lib.Forward(x)
	}
	y := tensor.New(l.g.n, l.g.f, l.g.ho, l.g.wo)
	convForwardNaive(l.g, x.Data, l.lib.W.Value.Data, l.lib.B.Value.Data, y.Data)
	return y
}

func (l *convLayer) Backward(dy *tensor.Tensor) *tensor.Tensor {
	dx := tensor.New(l.x.Shape...)
	convBackwardNaive(l.g, l.x.Data, l.lib.W.Value.Data, dy.Data, dx.Data, l.lib.W.Grad.Data, l.lib.B.Grad.Data)
	return dx
}

func (l *convLayer) Params() []*layers.Param { return l.lib.Params() }

// linspace returns n numbers evenly spaced from lo to hi, both included,
// in a tensor of shape (numpy's linspace, as CS231n's tests use it).
func linspace(lo, hi float64, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	n := len(t.Data)
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return t
}

func TestPartC1_ConvForward(t *testing.T) {
	// CS231n's check of conv_forward_naive: x 2×3×4×4, w 3×3×4×4, stride 2,
	// padding 1, everything a linspace; the output is 2×3×2×2.
	x := linspace(-0.1, 0.5, 2, 3, 4, 4)
	w := linspace(-0.2, 0.3, 3, 3, 4, 4)
	b := linspace(-0.1, 0.2, 3)
	g := convGeom{n: 2, c: 3, h: 4, w: 4, f: 3, k: 4, s: 2, p: 1, ho: 2, wo: 2}
	want := tensor.FromData([]float64{
		-0.087598086124401925, -0.10987780640412217, -0.18387191755612808, -0.2109216047110784,
		0.21027088700772911, 0.216610967979389, 0.22847626058152373, 0.23004637467795364,
		0.50813986013986012, 0.54309974236290026, 0.64082443871917549, 0.67101435406698551,
		-0.98053588516746426, -1.0314354066985649, -1.1912889216047111, -1.2469584100110418,
		0.69108354803091643, 0.66880382775119607, 0.59480971659919024, 0.56776002944423998,
		2.3627029812292974, 2.3690430622009568, 2.3809083548030916, 2.3824784688995213,
	}, 2, 3, 2, 2)
	must(t, try(func() error {
		y := tensor.New(2, 3, 2, 2)
		convForwardNaive(g, x.Data, w.Data, b.Data, y.Data)
		return closeTo("y (CS231n's example: stride 2, padding 1)", y, want, 1e-9)
	}))
	// Without padding and with stride 1 a 3×3 filter shrinks 5×6 to 3×4.
	must(t, try(func() error {
		l := newConvLayer(rand.New(rand.NewPCG(1, 2)), 2, 3, 3, 1, 0)
		y := l.Forward(tensor.RandNormal(rand.New(rand.NewPCG(3, 4)), 0, 1, 1, 2, 5, 6))
		return closeTo("y of a 3×3 convolution of 1×2×5×6 with stride 1, no padding", y, l.lib.Forward(l.x), 1e-9)
	}))
}

func TestPartC2_ConvBackward(t *testing.T) {
	// One 2×2 filter over one 3×3 image, stride 1, no padding, δ = 1
	// everywhere: ∂L/∂W[u,v] sums the 2×2 window's entries under tap (u, v),
	// ∂L/∂X[r,q] the weights that touch pixel (r, q), ∂L/∂b the four δ.
	g := convGeom{n: 1, c: 1, h: 3, w: 3, f: 1, k: 2, s: 1, p: 0, ho: 2, wo: 2}
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	w := []float64{1, 2, 3, 4}
	dy := []float64{1, 1, 1, 1}
	must(t, try(func() error {
		dx, dw, db := tensor.New(1, 1, 3, 3), tensor.New(1, 1, 2, 2), tensor.New(1)
		convBackwardNaive(g, x, w, dy, dx.Data, dw.Data, db.Data)
		if err := closeTo("∂L/∂X", dx, tensor.FromData([]float64{1, 3, 2, 4, 10, 6, 3, 7, 4}, 1, 1, 3, 3), 1e-12); err != nil {
			return err
		}
		if err := closeTo("∂L/∂W", dw, tensor.FromData([]float64{12, 16, 24, 28}, 1, 1, 2, 2), 1e-12); err != nil {
			return err
		}
		return closeTo("∂L/∂b", db, tensor.FromData([]float64{4}, 1), 1e-12)
	}))
	// The gradient check (part j of the first assignment) of X, W and b,
	// with stride 2 and padding 1 on an odd-sized image.
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ k, s, p, h, w int }{{3, 1, 0, 5, 5}, {3, 2, 1, 7, 5}} {
		l := newConvLayer(rng, 2, 3, c.k, c.s, c.p)
		x := tensor.RandNormal(rng, 0, 1, 2, 2, c.h, c.w)
		must(t, try(func() error {
			return gradOK(fmt.Sprintf("your convolution (%d×%d, stride %d, padding %d) of 2×2×%d×%d", c.k, c.k, c.s, c.p, c.h, c.w),
				gradcheck.Layer(l, x, gradcheck.Options{}), 1e-6)
		}))
	}
}

func TestPartC3_MaxPoolForward(t *testing.T) {
	// CS231n's check of max_pool_forward_naive: 2×2 windows, stride 2, on a
	// linspace 2×3×4×4.
	x := linspace(-0.3, 0.4, 2, 3, 4, 4)
	want := tensor.FromData([]float64{
		-0.26315789473684209, -0.24842105263157893, -0.20421052631578945, -0.18947368421052629,
		-0.14526315789473684, -0.13052631578947368, -0.086315789473684207, -0.071578947368421048,
		-0.027368421052631597, -0.012631578947368438, 0.03157894736842104, 0.046315789473684199,
		0.090526315789473677, 0.10526315789473684, 0.14947368421052631, 0.16421052631578947,
		0.2084210526315789, 0.22315789473684206, 0.26736842105263153, 0.28210526315789469,
		0.32631578947368417, 0.34105263157894733, 0.38526315789473681, 0.40000000000000002,
	}, 2, 3, 2, 2)
	must(t, try(func() error {
		return closeTo("y (CS231n's example: 2×2 windows, stride 2)", NewMaxPool2d(2, 2).Forward(x), want, 1e-12)
	}))
}

func TestPartC4_MaxPoolBackward(t *testing.T) {
	// A tie: the window {3, 1; 3, 2} has its maximum twice; the first in
	// row-major order (top row first) takes the whole gradient.
	x := tensor.FromData([]float64{
		3, 1, 0, 5,
		3, 2, 4, 1,
	}, 1, 1, 2, 4)
	must(t, try(func() error {
		m := NewMaxPool2d(2, 2)
		m.Forward(x)
		dx := m.Backward(tensor.FromData([]float64{10, 20}, 1, 1, 1, 2))
		return closeTo("∂L/∂X (the tie goes to the first maximum)", dx, tensor.FromData([]float64{10, 0, 0, 20, 0, 0, 0, 0}, 1, 1, 2, 4), 1e-12)
	}))
	must(t, try(func() error {
		x := tensor.RandNormal(rand.New(rand.NewPCG(7, 8)), 0, 1, 2, 3, 6, 6)
		return gradOK("your MaxPool2d(2, 2) of 2×3×6×6", gradcheck.Layer(NewMaxPool2d(2, 2), x, gradcheck.Options{}), 1e-6)
	}))
}
