package layers

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// Sigmoid is the logistic function σ(x) = 1/(1 + e⁻ˣ), applied element-wise.
// Its derivative is σ′(x) = σ(x)(1 − σ(x)), so Backward needs only the
// output (see the package documentation). It has no parameters.
type Sigmoid struct {
	y  *tensor.Tensor // output buffer, also what Backward differentiates from
	dx *tensor.Tensor // input-gradient buffer
}

// NewSigmoid returns a Sigmoid layer.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// Forward returns σ(x) element-wise (eq. S1 of the package doc), for x of
// any shape (B×d, or B×C×H×W after a convolution), in a buffer owned by the
// layer.
func (s *Sigmoid) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("Sigmoid.Forward", x)
	s.y = ResizeShape(s.y, x.Shape...)
	for i, v := range x.Data {
		s.y.Data[i] = sigmoid(v)
	}
	return s.y
}

// Backward returns dout ⊙ y ⊙ (1 − y), eq. S2, from the output y of the
// last Forward.
func (s *Sigmoid) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("Sigmoid", dout, s.y)
	s.dx = ResizeShape(s.dx, dout.Shape...)
	for i, g := range dout.Data {
		y := s.y.Data[i]
		s.dx.Data[i] = g * y * (1 - y) // S2: ∂L/∂x = ∂L/∂y · σ(1 − σ)
	}
	return s.dx
}

// sigmoid computes σ(x) without ever exponentiating a positive number: for
// x ≥ 0 as 1/(1 + e⁻ˣ), for x < 0 as eˣ/(1 + eˣ). The textbook eˣ/(1 + eˣ)
// alone gives Inf/Inf = NaN for x > 709.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Params returns nil: Sigmoid has nothing to train.
func (s *Sigmoid) Params() []*Param { return nil }

// String returns "Sigmoid".
func (s *Sigmoid) String() string { return "Sigmoid" }
