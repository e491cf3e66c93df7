package layers

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

// Resize is tensor.Resize: it returns a rows×cols buffer, reusing t's
// memory when it is large enough, so a training loop allocates only when
// the batch grows. The contents are not cleared: write every entry.
//
// Every layer of this package keeps its buffers this way, and a layer of
// your own can too:
//
//	func (s *Swish) Forward(x *tensor.Tensor) *tensor.Tensor {
//		s.y = layers.Resize(s.y, x.Rows(), x.Cols())
//		…
//	}
func Resize(t *tensor.Tensor, rows, cols int) *tensor.Tensor { return tensor.Resize(t, rows, cols) }

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
