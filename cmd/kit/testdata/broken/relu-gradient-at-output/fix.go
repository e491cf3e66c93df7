// Mistake: ReLU.Backward lets the gradient through where the output y ≥ 0, which is everywhere, instead of where x > 0.
// Loses: h
package mlp

import "github.com/backprop-go/backprop/tensor"

func (r *ReLU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	r.dx = tensor.New(dout.Shape[0], dout.Shape[1])
	for i, g := range dout.Data {
		if r.y.Data[i] >= 0 {
			r.dx.Data[i] = g
		}
	}
	return r.dx
}
