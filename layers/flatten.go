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

// Unflatten is Flatten's inverse: it views each row of a B×d batch as a
// sample of the given shape, B×d becoming B×C×H×W for shape (C, H, W) with
// d = C·H·W, as PyTorch's nn.Unflatten(1, shape). As the first layer of a
// convolutional network it lets the network take the rows of pixels that
// the data package loads: NewUnflatten(1, 28, 28) turns each 784-pixel row
// into a one-channel 28×28 image. Like Flatten it copies nothing.
type Unflatten struct {
	shape []int // B followed by the sample's shape; shape[0] is set per call
	y, dx tensor.Tensor
	dShp  [2]int
	ready bool
}

// NewUnflatten returns an Unflatten layer to samples of the given shape.
func NewUnflatten(shape ...int) *Unflatten {
	if len(shape) == 0 {
		panic("layers: NewUnflatten: no shape given")
	}
	for _, s := range shape {
		if s <= 0 {
			panic(fmt.Sprintf("layers: NewUnflatten: sizes must be positive, have %v", shape))
		}
	}
	return &Unflatten{shape: append([]int{0}, shape...)}
}

// features returns the number of values per sample, the product of the
// shape.
func (u *Unflatten) features() int {
	d := 1
	for _, s := range u.shape[1:] {
		d *= s
	}
	return d
}

// Forward returns x (B×d) viewed as B followed by the layer's shape,
// sharing x's memory.
func (u *Unflatten) Forward(x *tensor.Tensor) *tensor.Tensor {
	d := u.features()
	if x == nil || x.Dims() != 2 || x.Shape[1] != d {
		var shape []int
		if x != nil {
			shape = x.Shape
		}
		panic(fmt.Sprintf("layers: Unflatten.Forward: input has shape %v, want [batch %d] to view as %v", shape, d, u.shape[1:]))
	}
	u.shape[0] = x.Shape[0]
	u.dShp = [2]int{x.Shape[0], d}
	u.ready = true
	u.y = tensor.Tensor{Data: x.Data, Shape: u.shape}
	return &u.y
}

// Backward returns dout viewed as B×d, sharing its memory.
func (u *Unflatten) Backward(dout *tensor.Tensor) *tensor.Tensor {
	if !u.ready {
		panic("layers: Unflatten.Backward called before Forward")
	}
	if dout == nil || !dout.SameShape(&u.y) {
		var shape []int
		if dout != nil {
			shape = dout.Shape
		}
		panic(fmt.Sprintf("layers: Unflatten.Backward: gradient has shape %v, output had shape %v", shape, u.shape))
	}
	u.dx = tensor.Tensor{Data: dout.Data, Shape: u.dShp[:]}
	return &u.dx
}

// Params returns nil: Unflatten has nothing to train.
func (u *Unflatten) Params() []*Param { return nil }

// String describes the layer, e.g. "Unflatten(1×28×28)".
func (u *Unflatten) String() string {
	s := "Unflatten("
	for i, d := range u.shape[1:] {
		if i > 0 {
			s += "×"
		}
		s += fmt.Sprint(d)
	}
	return s + ")"
}
