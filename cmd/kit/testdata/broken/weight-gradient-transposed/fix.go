// Mistake: ∂L/∂W is computed as Aᵀ Δ, the transpose of Δᵀ A (W and Wᵀ swapped), and stored row by row into W.Grad.
// Loses: g
package mlp

import "github.com/backprop-go/backprop/tensor"

func (l *Linear) Backward(dz *tensor.Tensor) *tensor.Tensor {
	n, out, in := dz.Shape[0], l.W.Value.Shape[0], l.W.Value.Shape[1]
	for i := 0; i < in; i++ {
		for j := 0; j < out; j++ {
			var s float64
			for b := 0; b < n; b++ {
				s += l.a.Data[b*in+i] * dz.Data[b*out+j]
			}
			l.W.Grad.Data[i*out+j] += s // (Aᵀ Δ)[i][j], where (Δᵀ A)[j][i] belongs
		}
	}
	for b := 0; b < n; b++ {
		for j := 0; j < out; j++ {
			l.B.Grad.Data[j] += dz.Data[b*out+j]
		}
	}
	da := tensor.New(n, in)
	tensor.Gemm(false, false, 1, dz, l.W.Value, 0, da)
	return da
}
