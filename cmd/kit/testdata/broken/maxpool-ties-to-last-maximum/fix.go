// Mistake: MaxPool2d.Forward compares with ≥, so on a tie the last maximum of the window, not the first, gets δ (the outputs are still right).
// Assignment: conv
// Loses: c4
package conv

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

func (m *MaxPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := m.forward("MaxPool2d.Forward", x)
	if cap(m.arg) < len(m.y.Data) {
		m.arg = make([]int, len(m.y.Data))
	}
	m.arg = m.arg[:len(m.y.Data)]
	g.windows(func(o, at0 int) {
		best := at0
		for u := 0; u < g.k; u++ {
			for at := at0 + u*g.w; at < at0+u*g.w+g.k; at++ {
				if x.Data[at] >= x.Data[best] || (math.IsNaN(x.Data[at]) && !math.IsNaN(x.Data[best])) {
					best = at
				}
			}
		}
		m.arg[o] = best
		m.y.Data[o] = x.Data[best] // P1: Y[n,c,i,j] = max over the window
	})
	return m.y
}
