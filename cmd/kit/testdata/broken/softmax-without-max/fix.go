// Mistake: Softmax exponentiates the logits without subtracting the row's maximum, so large logits overflow to Inf and the loss becomes NaN.
// Loses: i
package mlp

import (
	"math"

	"github.com/backprop-go/backprop/tensor"
)

func (s *SoftmaxCrossEntropy) Forward(logits *tensor.Tensor, labels []int) float64 {
	n, c := logits.Shape[0], logits.Shape[1]
	s.probs = tensor.New(n, c)
	s.labels = append(s.labels[:0], labels...)
	var total float64
	for i := 0; i < n; i++ {
		z := logits.Data[i*c : (i+1)*c]
		p := s.probs.Data[i*c : (i+1)*c]
		var sum float64
		for j, v := range z {
			p[j] = math.Exp(v)
			sum += p[j]
		}
		for j := range p {
			p[j] /= sum
		}
		total += -math.Log(p[labels[i]])
	}
	return total / float64(n)
}
