// Mistake: The gradient check uses the one-sided difference (f(θ+h) − f(θ))/h, whose error is O(h) instead of O(h²).
// Loses: j
package mlp

func central(f func() float64, data []float64, i int, h float64) float64 {
	old := data[i]
	f0 := f()
	data[i] = old + h
	fp := f()
	data[i] = old
	return (fp - f0) / h
}
