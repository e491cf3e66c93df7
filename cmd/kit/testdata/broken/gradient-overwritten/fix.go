// Mistake: Linear.Backward overwrites W.Grad and B.Grad instead of adding to them.
// Loses: g
package mlp

import "github.com/backprop-go/backprop/tensor"

func (l *Linear) Backward(dz *tensor.Tensor) *tensor.Tensor {
	tensor.Gemm(true, false, 1, dz, l.a, 0, l.W.Grad) // β = 0: the old gradient is dropped
	l.B.Grad.Zero()
	tensor.SumRows(l.B.Grad.Data, dz)
	da := tensor.New(dz.Shape[0], l.W.Value.Shape[1])
	tensor.Gemm(false, false, 1, dz, l.W.Value, 0, da)
	return da
}
