package layers

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

// Flatten turns each sample of a batch into one row: B×C×H×W (or B followed
// by any feature dimensions) becomes B×(C·H·W), the input a Linear layer
// takes, as PyTorch's nn.Flatten(). The order of the features is the
// row-major order of the sample, channel by channel, each channel row by
// row, so a Linear layer after it has the same weights here and in
// PyTorch.
//
// Nothing is copied or computed: Forward returns a tensor that shares its
// input's memory with another shape, and Backward hands ∂L/∂output back in
// the input's shape, sharing the gradient's memory. Flatten has no
// parameters.
type Flatten struct {
	in       []int         // the input's shape in the last Forward
	y, dx    tensor.Tensor // headers for the two views, reused
	yShape   [2]int
	hasInput bool
}

// NewFlatten returns a Flatten layer.
func NewFlatten() *Flatten { return &Flatten{} }

// Forward returns x viewed as B×(the product of x's other dimensions). The
// view shares x's memory: it changes when x does.
func (f *Flatten) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("Flatten.Forward", x)
	f.in = append(f.in[:0], x.Shape...)
	f.hasInput = true
	b := x.Shape[0]
	features := 1
	for _, s := range x.Shape[1:] {
		features *= s
	}
	f.yShape = [2]int{b, features}
	f.y = tensor.Tensor{Data: x.Data, Shape: f.yShape[:]}
	return &f.y
}

// Backward returns dout (B×features) viewed in the shape of the last
// Forward's input, sharing dout's memory.
func (f *Flatten) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if !f.hasInput {
		panic("layers: Flatten.Backward called before Forward")
	}
	if dout == nil || dout.Dims() != 2 || dout.Shape[0] != f.yShape[0] || dout.Shape[1] != f.yShape[1] {
		var shape []int
		if dout != nil {
			shape = dout.Shape
		}
		panic(fmt.Sprintf("layers: Flatten.Backward: gradient has shape %v, output had shape %v", shape, f.yShape))
	}
	f.dx = tensor.Tensor{Data: dout.Data, Shape: f.in}
	return &f.dx
}

// Params returns nil: Flatten has nothing to train.
func (f *Flatten) Params() []*Param { return nil }

// String returns "Flatten".
func (f *Flatten) String() string { return "Flatten" }
