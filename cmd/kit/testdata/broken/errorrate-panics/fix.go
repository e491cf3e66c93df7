// Mistake: ErrorRate reads one entry past the end of each row and panics on the last sample.
// Loses: i
package mlp

import "github.com/backprop-go/backprop/tensor"

func ErrorRate(logits *tensor.Tensor, labels []int) float64 {
	c := logits.Shape[1]
	wrong := 0
	for i, y := range labels {
		row := logits.Data[i*c : (i+1)*c+1]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best != y {
			wrong++
		}
	}
	return float64(wrong) / float64(len(labels))
}
