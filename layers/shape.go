package layers

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

// ResizeShape is Resize for a buffer of any shape, such as the B×C×H×W
// output of a convolution: it returns t with the given shape, reusing its
// memory when that is large enough (and t has as many dimensions), so a
// training loop allocates only when the batch grows. t may be nil, and the
// contents are not cleared: write every entry.
func ResizeShape(t *tensor.Tensor, shape ...int) *tensor.Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	if t == nil || cap(t.Data) < n || len(t.Shape) != len(shape) {
		// A copy, so that shape does not escape: a caller's variadic
		// arguments then stay on its stack, and reuse allocates nothing.
		return tensor.New(append(make([]int, 0, len(shape)), shape...)...)
	}
	t.Data = t.Data[:n]
	copy(t.Shape, shape)
	return t
}

// mustBatch panics with a message naming op unless t is a tensor with at
// least a batch dimension.
func mustBatch(op string, t *tensor.Tensor) {
	if t == nil {
		panic(fmt.Sprintf("layers: %s: nil tensor", op))
	}
	if t.Dims() < 1 {
		panic(fmt.Sprintf("layers: %s: input has shape %v, want a batch dimension first", op, t.Shape))
	}
}

// must4D panics with a message naming op unless t is a B×C×H×W tensor with
// c channels (c < 0 accepts any number).
func must4D(op string, t *tensor.Tensor, c int) {
	if t == nil {
		panic(fmt.Sprintf("layers: %s: nil tensor", op))
	}
	if t.Dims() != 4 || (c >= 0 && t.Shape[1] != c) {
		want := "C"
		if c >= 0 {
			want = fmt.Sprint(c)
		}
		panic(fmt.Sprintf("layers: %s: input has shape %v, want [batch %s height width]", op, t.Shape, want))
	}
}
