package layers

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// Tanh is the hyperbolic tangent, applied element-wise. Its derivative is
// 1 − tanh²(x), so Backward needs only the output (see the package
// documentation). It has no parameters.
type Tanh struct {
	y  *tensor.Tensor // output buffer, also what Backward differentiates from
	dx *tensor.Tensor // input-gradient buffer
}

// NewTanh returns a Tanh layer.
func NewTanh() *Tanh { return &Tanh{} }

// Forward returns tanh(x) element-wise (eq. T1 of the package doc), for x
// of any shape (B×d, or B×C×H×W after a convolution), in a buffer owned by
// the layer. math.Tanh never overflows, unlike the textbook
// (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), which is Inf/Inf = NaN for |x| > 710.
func (t *Tanh) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("Tanh.Forward", x)
	t.y = ResizeShape(t.y, x.Shape...)
	for i, v := range x.Data {
		t.y.Data[i] = math.Tanh(v)
	}
	return t.y
}

// Backward returns dout ⊙ (1 − y²), eq. T2, from the output y of the last
// Forward.
func (t *Tanh) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("Tanh", dout, t.y)
	t.dx = ResizeShape(t.dx, dout.Shape...)
	for i, g := range dout.Data {
		y := t.y.Data[i]
		t.dx.Data[i] = g * (1 - y*y) // T2: ∂L/∂x = ∂L/∂y · (1 − tanh²x)
	}
	return t.dx
}

// Params returns nil: Tanh has nothing to train.
func (t *Tanh) Params() []*Param { return nil }

// String returns "Tanh".
func (t *Tanh) String() string { return "Tanh" }
