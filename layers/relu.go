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

	// For sharing a large tensor's elements between cores (share.go):
	// the input of the pass under way, and the job.
	in  []float64
	job spanJob
}

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// Forward returns max(0, x) element-wise, for x of any shape (B×d, or
// B×C×H×W after a convolution), in a buffer owned by the layer that the
// next Forward overwrites (and reshapes for another batch size).
func (r *ReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("ReLU.Forward", x)
	r.y = ResizeShape(r.y, x.Shape...)
	r.in = x.Data
	share(&r.job, (*reluForward)(r), blocksOf8(len(x.Data)), 8)
	r.in = nil
	return r.y
}

// reluForward is ReLU's Forward pass over blocks of 8 elements (64 bytes,
// so that two parts never write the same cache line).
type reluForward ReLU

func (r *reluForward) span(lo, hi int) {
	lo, hi = min(8*lo, len(r.in)), min(8*hi, len(r.in))
	x := r.in[lo:hi]
	y := r.y.Data[lo:hi]
	y = y[:len(x)] // one bounds check, outside the loop
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// blocksOf8 returns the number of 8-element blocks that n elements fill.
func blocksOf8(n int) int { return (n + 7) / 8 }

// Backward returns dout ⊙ 1[x > 0]: the gradient passes where the input was
// positive and is blocked elsewhere. At x = 0 ReLU has no derivative; like
// most libraries we use 0 there.
func (r *ReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("ReLU", dout, r.y)
	r.dx = ResizeShape(r.dx, dout.Shape...)
	r.in = dout.Data
	share(&r.job, (*reluBackward)(r), blocksOf8(len(dout.Data)), 8)
	r.in = nil
	return r.dx
}

// reluBackward is ReLU's Backward pass over blocks of 8 elements of the
// gradient r.in.
type reluBackward ReLU

func (r *reluBackward) span(lo, hi int) {
	lo, hi = min(8*lo, len(r.in)), min(8*hi, len(r.in))
	g := r.in[lo:hi]
	// Branch-free: about half the units are active, in no pattern a
	// branch predictor could learn, so an if would mispredict half the
	// time. Instead keep g's bits where y > 0 and clear them elsewhere
	// (a mask, not a product: 0·Inf would be NaN, and -0 must not appear).
	y, dx := r.y.Data[lo:hi], r.dx.Data[lo:hi]
	y, dx = y[:len(g)], dx[:len(g)]
	for i, v := range g {
		dx[i] = math.Float64frombits(math.Float64bits(v) & positiveMask(y[i]))
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
