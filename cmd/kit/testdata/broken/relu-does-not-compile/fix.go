// Mistake: relu.go does not compile (a tensor is compared with a number); the rest of the module does.
// Loses: h
package mlp

import "github.com/backprop-go/backprop/tensor"

func (r *ReLU) Forward(x *tensor.Tensor) *tensor.Tensor {
	r.y = max(x, 0)
	return r.y
}
