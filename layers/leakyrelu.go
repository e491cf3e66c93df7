package layers

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// DefaultNegativeSlope is PyTorch's default slope of LeakyReLU for x < 0.
const DefaultNegativeSlope = 0.01

// LeakyReLU is y = x for x > 0 and y = α x otherwise, element-wise, with a
// small slope α (PyTorch's negative_slope, 0.01 by default). Unlike ReLU it
// lets a little gradient through negative inputs, so a unit cannot die. It
// has no parameters.
type LeakyReLU struct {
	// Slope is α. It must be finite and ≥ 0 (then y > 0 exactly where
	// x > 0, so the output doubles as the mask, as for ReLU).
	Slope float64

	y  *tensor.Tensor // output buffer, also the mask
	dx *tensor.Tensor // input-gradient buffer
}

// NewLeakyReLU returns a LeakyReLU with slope α for negative inputs (use
// DefaultNegativeSlope for PyTorch's default). It panics unless α is finite
// and ≥ 0.
func NewLeakyReLU(slope float64) *LeakyReLU {
	checkSlope("NewLeakyReLU", slope)
	return &LeakyReLU{Slope: slope}
}

func checkSlope(op string, slope float64) {
	if !(slope >= 0) || math.IsInf(slope, 0) {
		panic(fmt.Sprintf("layers: %s: negative slope must be finite and ≥ 0, have %v", op, slope))
	}
}

// Forward returns x where x > 0 and α x elsewhere (eq. LR1 of the package
// doc), for x of any shape (B×d, or B×C×H×W after a convolution), in a
// buffer owned by the layer.
func (l *LeakyReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("LeakyReLU.Forward", x)
	checkSlope("LeakyReLU.Forward", l.Slope)
	l.y = ResizeShape(l.y, x.Shape...)
	for i, v := range x.Data {
		if v > 0 {
			l.y.Data[i] = v
		} else {
			l.y.Data[i] = l.Slope * v
		}
	}
	return l.y
}

// Backward returns dout where the input was positive and α·dout elsewhere
// (eq. LR2). At x = 0 it uses α, like PyTorch.
func (l *LeakyReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("LeakyReLU", dout, l.y)
	l.dx = ResizeShape(l.dx, dout.Shape...)
	for i, g := range dout.Data {
		if l.y.Data[i] > 0 { // with α ≥ 0, y > 0 exactly where x > 0
			l.dx.Data[i] = g
		} else {
			l.dx.Data[i] = l.Slope * g
		}
	}
	return l.dx
}

// Params returns nil: LeakyReLU has nothing to train.
func (l *LeakyReLU) Params() []*Param { return nil }

// String describes the layer, e.g. "LeakyReLU(0.01)".
func (l *LeakyReLU) String() string { return fmt.Sprintf("LeakyReLU(%g)", l.Slope) }
