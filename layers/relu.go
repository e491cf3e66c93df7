package layers

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// ReLU is the rectified linear unit, applied element-wise: y = max(0, x).
// It has no parameters. A ReLU is not safe for concurrent use: its output
// buffer, which Backward reads as the mask, is shared by every call.
type ReLU struct {
	y  *tensor.Tensor // output buffer; y > 0 exactly where x > 0, so it is also the mask
	dx *tensor.Tensor // input-gradient buffer
}

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// Forward returns max(0, x) element-wise, for x of any shape (B×d, or
// B×C×H×W after a convolution), in a buffer owned by the layer that the
// next Forward overwrites (and reshapes for another batch size).
func (r *ReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("ReLU.Forward", x)
	r.y = ResizeShape(r.y, x.Shape...)
	reluForward(r.y.Data, x.Data)
	return r.y
}

// reluForward sets y = max(0, x) element-wise, for as many elements as x
// has.
func reluForward(y, x []float64) {
	y = y[:len(x)] // one bounds check, outside the loop
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// Backward returns dout ⊙ 1[x > 0]: the gradient passes where the input was
// positive and is blocked elsewhere. At x = 0 ReLU has no derivative; like
// most libraries we use 0 there.
func (r *ReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("ReLU", dout, r.y)
	r.dx = ResizeShape(r.dx, dout.Shape...)
	reluBackward(r.dx.Data, dout.Data, r.y.Data)
	return r.dx
}

// reluBackward sets dx = dout ⊙ 1[y > 0] element-wise, for as many
// elements as dout has.
//
// Branch-free: about half the units are active, in no pattern a branch
// predictor could learn, so an if would mispredict half the time. Instead
// keep g's bits where y > 0 and clear them elsewhere (a mask, not a
// product: 0·Inf would be NaN, and -0 must not appear).
func reluBackward(dx, dout, y []float64) {
	dx, y = dx[:len(dout)], y[:len(dout)] // bounds checked once, outside the loop
	for i, g := range dout {
		dx[i] = math.Float64frombits(math.Float64bits(g) & positiveMask(y[i]))
	}
}

// positiveMask returns all ones if v > 0 and zero otherwise, without a
// branch: the compiler turns the comparison into a SETcc.
func positiveMask(v float64) uint64 {
	var b uint64
	if v > 0 {
		b = 1
	}
	return -b
}

// Params returns nil: ReLU has nothing to train.
func (r *ReLU) Params() []*Param { return nil }

// String returns "ReLU".
func (r *ReLU) String() string { return "ReLU" }
