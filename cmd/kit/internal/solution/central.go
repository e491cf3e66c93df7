package solution

// central returns the central difference (f(θ+h) − f(θ−h)) / 2h, where θ is
// entry i of data, an estimate of ∂f/∂θ. It leaves the entry as it found it.
func central(f func() float64, data []float64, i int, h float64) float64 {
	old := data[i]
	data[i] = old + h
	lp := f()
	data[i] = old - h
	lm := f()
	data[i] = old
	return (lp - lm) / (2 * h)
}
