// Mistake: The loss gradient is P − Y, without dividing by the batch size B, although the loss is a mean over the batch.
// Loses: i
package mlp

import "github.com/backprop-go/backprop/tensor"

func (s *SoftmaxCrossEntropy) Backward() *tensor.Tensor {
	n, c := s.probs.Shape[0], s.probs.Shape[1]
	s.grad = s.probs.Clone()
	for i := 0; i < n; i++ {
		s.grad.Data[i*c+s.labels[i]] -= 1
	}
	return s.grad
}
