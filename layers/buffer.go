package layers

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

// Resize returns a rows×cols tensor for a layer's output or gradient buffer.
// It reuses t (the buffer from the previous call) when its memory is large
// enough, so a training loop allocates only when the batch grows. A smaller
// batch (the last, partial one of an epoch) reslices the same memory, and the
// next full batch fits again without allocating. t may be nil (the first
// call), and the contents of the returned tensor are not cleared: write every
// entry.
//
// Every layer of this package keeps its buffers this way, and a layer of
// your own can too:
//
//	func (s *Swish) Forward(x *tensor.Tensor) *tensor.Tensor {
//		s.y = layers.Resize(s.y, x.Rows(), x.Cols())
//		…
//	}
func Resize(t *tensor.Tensor, rows, cols int) *tensor.Tensor {
	n := rows * cols
	if t == nil || cap(t.Data) < n || len(t.Shape) != 2 {
		return tensor.New(rows, cols)
	}
	t.Data = t.Data[:n]
	t.Shape[0], t.Shape[1] = rows, cols
	return t
}

// must2D panics with a message naming op unless t is a 2-D tensor with cols
// columns (cols < 0 accepts any width).
func must2D(op string, t *tensor.Tensor, cols int) {
	if t == nil {
		panic(fmt.Sprintf("layers: %s: nil tensor", op))
	}
	if t.Dims() != 2 || (cols >= 0 && t.Shape[1] != cols) {
		panic(fmt.Sprintf("layers: %s: input has shape %v, want [batch %d]", op, t.Shape, cols))
	}
}
