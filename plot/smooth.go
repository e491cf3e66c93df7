package plot

import "math"

// Smooth returns the centred moving average of y over window points (an
// even window is widened by one, to stay centred), the same length as y. It
// turns the noisy loss of single mini-batch updates into a readable curve;
// plot it over the raw series drawn in a faint colour. NaN or infinite
// values are left out of every average (a window holding none gives NaN).
//
// The two ends are treated differently, because a training curve is
// different there. Near the start the window shrinks symmetrically, to the
// points that exist on both sides, so the first value is y[0] itself: the
// loss falls fast there, a window cut on one side only would pull the start
// towards later, lower values, and a symmetric one keeps a straight trend
// straight. Near the end the curve stops where the window is full: the last
// window/2 values are NaN, which a LineChart leaves out. The loss is nearly
// flat there and the noise of single batches is what a narrowing window
// would show: a curve ending on the last batch's own value often ends on a
// spike that reads as "the loss went up at the end".
func Smooth(y []float64, window int) []float64 {
	return smooth(y, window, func(i int) int { return i })
}

// SmoothLogX is Smooth for a series plotted on a logarithmic x axis against
// 1, 2, 3, …: the half-width of the window at index i is also at most i/4,
// so it covers the same small stretch of the axis everywhere (about ±0.1 of
// a decade) instead of averaging the first hundred points into one blur.
// Like Smooth, it stops where that window no longer fits before the end.
func SmoothLogX(y []float64, window int) []float64 {
	return smooth(y, window, func(i int) int { return i / 4 })
}

// smooth averages y[i-h … i+h] with h = min(window/2, limit(i), i), and
// gives NaN where i+h is past the end.
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
		h := min(window/2, limit(i), i)
		lo, hi := i-h, i+h+1 // hi is one past the window's end
		if hi > len(y) {
			out[i] = math.NaN() // the window is cut by the end
			continue
		}
		n := count[hi] - count[lo]
		if n == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = (sum[hi] - sum[lo]) / float64(n)
	}
	return out
}
