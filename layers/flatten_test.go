package layers_test

import (
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// channelScale is a 4-D layer written outside the package, as a student
// would: y[n,c,h,w] = s[c]·x[n,c,h,w], one learned scale per channel. It
// checks that a layer on B×C×H×W tensors works with gradcheck and
// Sequential exactly as a B×d one does.
type channelScale struct {
	s     *layers.Param // shape [C]
	x, y  *tensor.Tensor
	dx    *tensor.Tensor
	wrong bool // forget the sum over n, h, w in ∂L/∂s (a bug the check must find)
}

func newChannelScale(c int) *channelScale {
	s := &layers.Param{Name: "scale", Value: tensor.New(c), Grad: tensor.New(c)}
	for i := range s.Value.Data {
		s.Value.Data[i] = 0.5 + float64(i)
	}
	return &channelScale{s: s}
}

func (l *channelScale) Forward(x *tensor.Tensor) *tensor.Tensor {
	l.x = x
	l.y = layers.ResizeShape(l.y, x.Shape...)
	c, hw := x.Shape[1], x.Shape[2]*x.Shape[3]
	for i, v := range x.Data {
		l.y.Data[i] = l.s.Value.Data[i/hw%c] * v
	}
	return l.y
}

func (l *channelScale) Backward(dy *tensor.Tensor) *tensor.Tensor {
	l.dx = layers.ResizeShape(l.dx, dy.Shape...)
	c, hw := dy.Shape[1], dy.Shape[2]*dy.Shape[3]
	for i, g := range dy.Data {
		ch := i / hw % c
		l.dx.Data[i] = l.s.Value.Data[ch] * g
		if l.wrong && i/hw/c > 0 {
			continue // only the first sample's contribution to ∂L/∂s
		}
		l.s.Grad.Data[ch] += g * l.x.Data[i]
	}
	return l.dx
}

func (l *channelScale) Params() []*layers.Param { return []*layers.Param{l.s} }

// TestOwn4DLayerGradcheck: a student's own 4-D layer passes gradcheck
// alone and inside a Sequential with ReLU, Flatten and Linear on a
// B×C×H×W input, and a wrong ∂L/∂s fails it, naming the tensor.
func TestOwn4DLayerGradcheck(t *testing.T) {
	rng := rngFor(4)
	x := tensor.RandNormal(rng, 0, 1, 3, 2, 4, 5)
	if rep := gradcheck.Layer(newChannelScale(2), x, gradcheck.Options{Seed: 1}); !rep.OK(tol) {
		t.Errorf("4-D layer fails the gradient check:\n%v", rep)
	}
	net := layers.NewSequential(newChannelScale(2), layers.NewReLU(), layers.NewFlatten(), layers.NewLinear(2*4*5, 3, layers.He, rng))
	if rep := gradcheck.Layer(net, x, gradcheck.Options{Seed: 2}); !rep.OK(tol) {
		t.Errorf("%v fails the gradient check:\n%v", net, rep)
	}
	bad := newChannelScale(2)
	bad.wrong = true
	rep := gradcheck.Layer(bad, x, gradcheck.Options{Seed: 1})
	if rep.OK(1e-2) || rep.Worst.Tensor != "scale" || len(rep.Worst.At) != 1 {
		t.Errorf("a wrong ∂L/∂s passes or is misreported:\n%v", rep)
	}
}

// TestFlatten: Forward is the row-major view B×(C·H·W) of its input and
// Backward the view of the gradient in the input's shape; neither copies.
func TestFlatten(t *testing.T) {
	x := tensor.New(2, 3, 2, 2)
	for i := range x.Data {
		x.Data[i] = float64(i)
	}
	f := layers.NewFlatten()
	y := f.Forward(x)
	if !y.SameShape(tensor.New(2, 12)) || y.At(1, 5) != x.At(1, 1, 0, 1) || &y.Data[0] != &x.Data[0] {
		t.Fatalf("Flatten(%v) = %v of shape %v", x.Shape, y.Data, y.Shape)
	}
	g := tensor.RandNormal(rngFor(1), 0, 1, 2, 12)
	dx := f.Backward(g)
	if !dx.SameShape(x) || dx.At(1, 1, 0, 1) != g.At(1, 5) || &dx.Data[0] != &g.Data[0] {
		t.Fatalf("Flatten.Backward: shape %v, want %v", dx.Shape, x.Shape)
	}
	if rep := gradcheck.Layer(f, x, gradcheck.Options{}); !rep.OK(tol) {
		t.Errorf("Flatten fails the gradient check:\n%v", rep)
	}
	// A 2-D input is already flat; a 3-D one flattens too.
	if y := f.Forward(tensor.New(4, 7)); !y.SameShape(tensor.New(4, 7)) {
		t.Errorf("Flatten of [4 7] has shape %v", y.Shape)
	}
	if y := f.Forward(tensor.New(4, 7, 3)); !y.SameShape(tensor.New(4, 21)) {
		t.Errorf("Flatten of [4 7 3] has shape %v", y.Shape)
	}
	mustPanicWith(t, "output had shape [4 21]", func() { f.Backward(tensor.New(4, 20)) })
	mustPanicWith(t, "before Forward", func() { layers.NewFlatten().Backward(g) })
	mustPanicWith(t, "nil tensor", func() { f.Forward(nil) })
}

// TestReLU4D: ReLU takes a B×C×H×W tensor and keeps its shape.
func TestReLU4D(t *testing.T) {
	x := tensor.RandNormal(rngFor(2), 0, 1, 2, 3, 4, 5)
	r := layers.NewReLU()
	y := r.Forward(x)
	if !y.SameShape(x) {
		t.Fatalf("ReLU output shape %v, want %v", y.Shape, x.Shape)
	}
	for i, v := range x.Data {
		if y.Data[i] != max(v, 0) {
			t.Fatalf("ReLU(%v) = %v", v, y.Data[i])
		}
	}
	if dx := r.Backward(x); !dx.SameShape(x) {
		t.Errorf("ReLU gradient shape %v, want %v", dx.Shape, x.Shape)
	}
}

// TestUnflatten: rows of pixels become images and back, without copies,
// and a CNN that starts with Unflatten takes B×784 rows and passes the
// gradient check.
func TestUnflatten(t *testing.T) {
	u := layers.NewUnflatten(2, 3, 4)
	x := tensor.RandNormal(rngFor(5), 0, 1, 3, 24)
	y := u.Forward(x)
	if !y.SameShape(tensor.New(3, 2, 3, 4)) || y.At(2, 1, 2, 3) != x.At(2, 23) || &y.Data[0] != &x.Data[0] {
		t.Fatalf("Unflatten(%v) has shape %v", x.Shape, y.Shape)
	}
	g := tensor.RandNormal(rngFor(6), 0, 1, 3, 2, 3, 4)
	if dx := u.Backward(g); !dx.SameShape(x) || &dx.Data[0] != &g.Data[0] {
		t.Fatalf("Unflatten.Backward has shape %v, want %v", dx.Shape, x.Shape)
	}
	if s := u.String(); s != "Unflatten(2×3×4)" {
		t.Errorf("String() = %q", s)
	}
	mustPanicWith(t, "input has shape [3 25], want [batch 24] to view as [2 3 4]", func() { u.Forward(tensor.New(3, 25)) })
	mustPanicWith(t, "gradient has shape [3 24], output had shape [3 2 3 4]", func() { u.Backward(x) })
	mustPanicWith(t, "sizes must be positive", func() { layers.NewUnflatten(1, 0) })

	rng := rngFor(7)
	net := layers.NewSequential(layers.NewUnflatten(1, 6, 5),
		layers.NewConv2d(1, 2, 3, layers.Conv2dOptions{Padding: 1}, rng), layers.NewFlatten(), layers.NewLinear(60, 3, layers.He, rng))
	if rep := gradcheck.Layer(net, tensor.RandNormal(rng, 0, 1, 4, 30), gradcheck.Options{Eps: 1}); !rep.OK(1e-8) {
		t.Errorf("%v fails the gradient check:\n%v", net, rep)
	}
}
