package loss

import (
	"github.com/backprop-go/backprop/tensor"
)

// MSE is the mean squared error between the softmax probabilities p of the
// logits and the one-hot labels y, L = (1/B) Σₙ ‖pₙ − yₙ‖², with its
// gradient (see "Mean squared error" in the package documentation). It is
// here to be compared with SoftmaxCrossEntropy, whose gradient p − y does
// not vanish when the network is confidently wrong; this one's does. It
// satisfies train.Loss:
//
//	train.Run(model, batches, val, train.Config{LR: 0.1, Epochs: 5, Loss: &loss.MSE{}})
//
// The zero value is ready to use; it keeps its buffers between calls, so a
// value is not safe for concurrent use.
type MSE struct {
	probs  *tensor.Tensor // softmax of the last logits
	grad   *tensor.Tensor // ∂L/∂logits, filled by Backward
	labels []int          // copy of the last labels
}

// Forward returns the mean over the batch of ‖p − y‖², with p = softmax of
// each row of logits (shape [B, classes]) and y the one-hot label. It
// panics if the shapes disagree, the batch is empty or a label is out of
// range.
func (e *MSE) Forward(logits *tensor.Tensor, labels []int) float64 {
	n, c := checkBatch("MSE.Forward", "logits", logits, labels)
	if n == 0 {
		panic("loss: MSE.Forward: empty batch")
	}
	e.probs = tensor.Resize(e.probs, n, c)
	e.labels = append(e.labels[:0], labels...)
	var total float64
	for i := 0; i < n; i++ {
		p := e.probs.Data[i*c : (i+1)*c]
		softmaxRow(p, logits.Data[i*c:(i+1)*c])
		for j, v := range p {
			if j == labels[i] {
				v--
			}
			total += v * v
		}
	}
	return total / float64(n)
}

// Backward returns ∂L/∂logits for the last Forward (MSE2): with
// g = 2(p − y)/B, row by row δₖ = pₖ (gₖ − Σⱼ gⱼ pⱼ). The tensor belongs to
// the loss and is overwritten by the next Backward.
func (e *MSE) Backward() *tensor.Tensor {
	if e.probs == nil {
		panic("loss: MSE.Backward called before Forward")
	}
	n, c := e.probs.Shape[0], e.probs.Shape[1]
	e.grad = tensor.Resize(e.grad, n, c)
	for i := 0; i < n; i++ {
		p, d := e.probs.Data[i*c:(i+1)*c], e.grad.Data[i*c:(i+1)*c]
		var dot float64 // Σⱼ gⱼ pⱼ
		for j, v := range p {
			d[j] = 2 * v / float64(n) // gⱼ, the gradient with respect to pⱼ
			if j == e.labels[i] {
				d[j] -= 2 / float64(n)
			}
			dot += d[j] * v
		}
		for j, v := range p {
			d[j] = v * (d[j] - dot) // the softmax Jacobian times g
		}
	}
	return e.grad
}

// Probs returns the softmax probabilities of the last Forward, one row per
// sample. The tensor belongs to the loss.
func (e *MSE) Probs() *tensor.Tensor { return e.probs }

// String returns "MSE".
func (e *MSE) String() string { return "MSE" }
