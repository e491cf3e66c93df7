// Mistake: Linear.Backward never adds ∂L/∂b to B.Grad.
// Loses: g
package mlp

import "github.com/backprop-go/backprop/tensor"

func (l *Linear) Backward(dz *tensor.Tensor) *tensor.Tensor {
	tensor.Gemm(true, false, 1, dz, l.a, 1, l.W.Grad) // ∂L/∂W += Δᵀ A
	da := tensor.New(dz.Shape[0], l.W.Value.Shape[1])
	tensor.Gemm(false, false, 1, dz, l.W.Value, 0, da) // ∂L/∂A = Δ W
	return da
}
