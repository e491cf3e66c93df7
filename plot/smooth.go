package plot

import "math"

// Smooth returns the centred moving average of y over window points, the
// same length as y. Near the ends the window shrinks to the points that
// exist, and NaN or infinite values are left out of every average (a window
// holding none gives NaN). It turns the noisy loss of single mini-batch
// updates into a readable curve; plot it over the raw series drawn in a
// faint colour.
func Smooth(y []float64, window int) []float64 {
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
		lo := max(0, i-window/2)
		hi := min(len(y), i-window/2+window) // one past the window's end
		n := count[hi] - count[lo]
		if n == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = (sum[hi] - sum[lo]) / float64(n)
	}
	return out
}
