package plot

import "math"

// Smooth returns the centred moving average of y over window points (an
// even window is widened by one, to stay centred), the same length as y. Near the ends the window shrinks symmetrically, to the
// points that exist on both sides, so the first value is y[0] itself and a
// straight trend is not bent at the edges (a window cut on one side only
// would pull the start of a falling loss towards later, lower values). NaN
// or infinite values are left out of every average (a window holding none
// gives NaN). It turns the noisy loss of single mini-batch updates into a
// readable curve; plot it over the raw series drawn in a faint colour.
func Smooth(y []float64, window int) []float64 {
	return smooth(y, window, func(i int) int { return i })
}

// SmoothLogX is Smooth for a series plotted on a logarithmic x axis against
// 1, 2, 3, …: the half-width of the window at index i is also at most i/4,
// so it covers the same small stretch of the axis everywhere (about ±0.1 of
// a decade) instead of averaging the first hundred points into one blur.
func SmoothLogX(y []float64, window int) []float64 {
	return smooth(y, window, func(i int) int { return i / 4 })
}

// smooth averages y[i-h … i+h] with h = min(window/2, limit(i), n−1−i).
func smooth(y []float64, window int, limit func(i int) int) []float64 {
	window = max(window, 1)
	// Prefix sums of the finite values and of how many there are.
	sum := make([]float64, len(y)+1)
	count := make([]int, len(y)+1)
	for i, v := range y {
		sum[i+1], count[i+1] = sum[i], count[i]
		if isFinite(v) {
			sum[i+1] += v
			count[i+1]++
		}
	}
	out := make([]float64, len(y))
	for i := range y {
		h := min(window/2, limit(i), i, len(y)-1-i)
		lo, hi := i-h, i+h+1 // hi is one past the window's end
		n := count[hi] - count[lo]
		if n == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = (sum[hi] - sum[lo]) / float64(n)
	}
	return out
}
