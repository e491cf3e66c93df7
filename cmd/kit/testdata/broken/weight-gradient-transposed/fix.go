// Mistake: ∂L/∂W is computed as Aᵀ Δ, the transpose of Δᵀ A (W and Wᵀ swapped), and stored row by row into W.Grad.
// Loses: g
package mlp

import "github.com/backprop-go/backprop/tensor"

func (l *Linear) Backward(dz *tensor.Tensor) *tensor.Tensor {
	n := dz.Shape[0]
	for i := 0; i < l.in; i++ {
		for j := 0; j < l.out; j++ {
			var s float64
			for b := 0; b < n; b++ {
				s += l.a.Data[b*l.in+i] * dz.Data[b*l.out+j]
			}
			l.W.Grad.Data[i*l.out+j] += s // (Aᵀ Δ)[i][j], where (Δᵀ A)[j][i] belongs
		}
	}
	for b := 0; b < n; b++ {
		for j := 0; j < l.out; j++ {
			l.B.Grad.Data[j] += dz.Data[b*l.out+j]
		}
	}
	da := tensor.New(n, l.in)
	tensor.Gemm(false, false, 1, dz, l.W.Value, 0, da)
	return da
}
