package loss

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

// SoftmaxCrossEntropy is softmax followed by cross-entropy, fused into one
// step: for logits z and label y it computes L = −log softmax(z)_y =
// logsumexp(z) − z_y, averaged over the batch, and its gradient (P − Y)/B.
// The zero value is ready to use; it keeps its buffers between calls, so a
// training loop does not allocate, and for the same reason a value is not
// safe for concurrent use: give each goroutine its own.
//
// With Smoothing α > 0 the target is the smoothed distribution
// q = (1 − α) y + α/C instead of the one-hot y (PyTorch's
// CrossEntropyLoss(label_smoothing=α)); see the package documentation.
type SoftmaxCrossEntropy struct {
	// Smoothing is the label-smoothing weight α in [0, 1]; 0, the zero
	// value, is plain cross-entropy.
	Smoothing float64

	probs  *tensor.Tensor // softmax of the last logits, one row per sample
	grad   *tensor.Tensor // (P − Y)/B, filled by Backward
	losses []float64      // per-sample losses of the last Forward
	labels []int          // copy of the last labels
}

// Forward returns the mean cross-entropy loss of the batch of logits
// (shape [B, classes], one sample per row) against the labels (B class
// indices). It is computed with log-sum-exp and stays finite even for logits
// of ±1e4. It panics if the shapes disagree, the batch is empty, a label
// is out of range or Smoothing is outside [0, 1].
func (s *SoftmaxCrossEntropy) Forward(logits *tensor.Tensor, labels []int) float64 {
	n, c := checkBatch("SoftmaxCrossEntropy.Forward", "logits", logits, labels)
	if n == 0 {
		panic("loss: SoftmaxCrossEntropy.Forward: empty batch")
	}
	if !(s.Smoothing >= 0 && s.Smoothing <= 1) {
		panic(fmt.Sprintf("loss: SoftmaxCrossEntropy.Forward: label smoothing must be in [0, 1], have %v", s.Smoothing))
	}
	s.probs = tensor.Resize(s.probs, n, c)
	s.losses = resizeFloats(s.losses, n)
	s.labels = append(s.labels[:0], labels...)
	var total float64
	for i := 0; i < n; i++ {
		z := logits.Data[i*c : (i+1)*c]
		p := s.probs.Data[i*c : (i+1)*c]
		// L = log Σⱼ exp(zⱼ) − z_y = log Σⱼ exp(zⱼ − m) − (z_y − m). Written
		// as (m + log Σ) − z_y it loses log Σ when m is huge: m + log 2
		// rounds to m from m ≈ 1e16 on, and equal logits gave 0, not log C.
		m, ls := softmaxRow(p, z)
		s.losses[i] = ls - (z[labels[i]] - m)
		if a := s.Smoothing; a > 0 {
			// LS1: −Σⱼ qⱼ log pⱼ = lse − Σⱼ qⱼ zⱼ with q = (1 − α) y + α/C,
			// again relative to m (the weights of q sum to 1).
			var sumZ float64
			for _, v := range z {
				sumZ += v - m
			}
			s.losses[i] = ls - (1-a)*(z[labels[i]]-m) - a/float64(c)*sumZ
		}
		total += s.losses[i]
	}
	return total / float64(n)
}

// Backward returns ∂L/∂logits = (P − Y)/B for the last Forward, where P are
// the softmax probabilities, Y the one-hot labels and B the batch size (the
// loss is a mean); with label smoothing, (P − Q)/B with the smoothed targets
// Q (eq. LS2). The tensor belongs to the loss and is overwritten by the next
// Backward.
func (s *SoftmaxCrossEntropy) Backward() *tensor.Tensor {
	if s.probs == nil {
		panic("loss: SoftmaxCrossEntropy.Backward called before Forward")
	}
	n, c := s.probs.Shape[0], s.probs.Shape[1]
	s.grad = tensor.Resize(s.grad, n, c)
	inv := 1 / float64(n)
	// LS2: qⱼ = α/C + (1 − α)·1[j = y]; α = 0 gives the one-hot (P − Y)/B.
	a := s.Smoothing
	off := a / float64(c) * inv
	for i, p := range s.probs.Data {
		s.grad.Data[i] = p*inv - off
	}
	for i, y := range s.labels {
		s.grad.Data[i*c+y] -= (1 - a) * inv
	}
	return s.grad
}

// Probs returns the softmax probabilities of the last Forward, one row per
// sample. The tensor belongs to the loss.
func (s *SoftmaxCrossEntropy) Probs() *tensor.Tensor { return s.probs }

// Losses returns the loss of each sample of the last Forward, −log p_y
// (−Σⱼ qⱼ log pⱼ with label smoothing).
// Sorting by it finds the "most surprising" samples, often mislabelled
// ones. The slice belongs to the loss.
func (s *SoftmaxCrossEntropy) Losses() []float64 { return s.losses }

// checkBatch panics unless x, the logits (or, for CrossEntropy, the
// probabilities), is a 2-D [B, C] tensor with C ≥ 1 and labels holds B
// values in [0, C). It returns B and C. what names x in the messages.
func checkBatch(op, what string, x *tensor.Tensor, labels []int) (n, c int) {
	if x == nil || x.Dims() != 2 {
		var shape []int
		if x != nil {
			shape = x.Shape
		}
		panic(fmt.Sprintf("loss: %s: need 2-D %s [batch classes], have shape %v", op, what, shape))
	}
	n, c = x.Shape[0], x.Shape[1]
	if c == 0 {
		panic(fmt.Sprintf("loss: %s: %s of shape %v have no classes", op, what, x.Shape))
	}
	if len(labels) != n {
		panic(fmt.Sprintf("loss: %s: %d labels for %s of shape %v", op, len(labels), what, x.Shape))
	}
	for i, y := range labels {
		if y < 0 || y >= c {
			panic(fmt.Sprintf("loss: %s: label %d of sample %d is out of range [0, %d)", op, y, i, c))
		}
	}
	return n, c
}

// resizeFloats returns s with length n, reusing its memory when it can.
func resizeFloats(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
