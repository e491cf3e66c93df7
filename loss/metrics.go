package loss

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// Predict stores the predicted class of each row of logits (the index of the
// largest logit, the first one on ties) in dst and returns it; a nil or
// short dst is grown.
func Predict(dst []int, logits *tensor.Tensor) []int { return tensor.ArgmaxRows(dst, logits) }

// ErrorRate returns the fraction of samples whose predicted class (the
// largest logit) differs from the label. It returns NaN for an empty batch,
// and for logits holding a NaN: a model whose output is NaN has diverged,
// and its error rate must not look like a plausible number (as the loss
// does not). It does not allocate.
func ErrorRate(logits *tensor.Tensor, labels []int) float64 {
	n, c := checkBatch("ErrorRate", "logits", logits, labels)
	if n == 0 {
		return math.NaN()
	}
	wrong := 0
	for i, y := range labels {
		row := logits.Data[i*c : (i+1)*c]
		best := 0
		for j, v := range row {
			if math.IsNaN(v) {
				return math.NaN()
			}
			if v > row[best] {
				best = j
			}
		}
		if best != y {
			wrong++
		}
	}
	return float64(wrong) / float64(n)
}

// Accuracy returns the fraction of samples classified correctly,
// 1 − ErrorRate (NaN for an empty batch or NaN logits).
func Accuracy(logits *tensor.Tensor, labels []int) float64 {
	return 1 - ErrorRate(logits, labels)
}
