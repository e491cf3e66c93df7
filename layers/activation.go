package layers

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

// checkBackward panics unless Backward of the element-wise layer op may run:
// Forward has produced out (nil: it has not run) and dout is a gradient of
// the same shape.
func checkBackward(op string, dout, out *tensor.Tensor) {
	if out == nil {
		panic(fmt.Sprintf("layers: %s.Backward called before Forward", op))
	}
	if dout == nil {
		panic(fmt.Sprintf("layers: %s.Backward: nil gradient", op))
	}
	if !dout.SameShape(out) {
		panic(fmt.Sprintf("layers: %s.Backward: gradient has shape %v, output had shape %v", op, dout.Shape, out.Shape))
	}
}
