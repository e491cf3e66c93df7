package loss

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// Softmax is the softmax function as a stand-alone stage with its own
// backward pass, p = softmax(z) row by row. Together with CrossEntropy it
// computes the same loss as SoftmaxCrossEntropy in two steps, so a student
// can check that chaining the two backward passes gives the fused gradient
// p − y. For training use SoftmaxCrossEntropy: it is cheaper and stable.
// The zero value is ready to use. Like every loss here it keeps buffers
// between calls, so a value is not safe for concurrent use.
type Softmax struct {
	p  *tensor.Tensor
	dz *tensor.Tensor
}

// Forward returns softmax of each row of z (computed with the row maximum
// subtracted, so it cannot overflow). The tensor belongs to the Softmax.
func (s *Softmax) Forward(z *tensor.Tensor) *tensor.Tensor {
	if z.Dims() != 2 {
		panic(fmt.Sprintf("loss: Softmax.Forward: need a 2-D tensor, have shape %v", z.Shape))
	}
	n, c := z.Shape[0], z.Shape[1]
	s.p = resize(s.p, n, c)
	for i := 0; i < n; i++ {
		zi, pi := z.Data[i*c:(i+1)*c], s.p.Data[i*c:(i+1)*c]
		m := math.Inf(-1)
		for _, v := range zi {
			m = max(m, v)
		}
		var sum float64
		for j, v := range zi {
			pi[j] = math.Exp(v - m)
			sum += pi[j]
		}
		for j := range pi {
			pi[j] /= sum
		}
	}
	return s.p
}

// Backward takes dp = ∂L/∂p and returns ∂L/∂z, the Jacobian–vector product
// dz = p ⊙ (dp − Σⱼ dpⱼ pⱼ) row by row. (The softmax Jacobian is
// ∂pⱼ/∂zₖ = pⱼ(1[j=k] − pₖ); multiplying it by dp gives this without ever
// forming the C×C matrix.) The tensor belongs to the Softmax.
func (s *Softmax) Backward(dp *tensor.Tensor) *tensor.Tensor {
	if s.p == nil {
		panic("loss: Softmax.Backward called before Forward")
	}
	if !dp.SameShape(s.p) {
		panic(fmt.Sprintf("loss: Softmax.Backward: gradient has shape %v, output had shape %v", dp.Shape, s.p.Shape))
	}
	n, c := s.p.Shape[0], s.p.Shape[1]
	s.dz = resize(s.dz, n, c)
	for i := 0; i < n; i++ {
		pi, gi, di := s.p.Data[i*c:(i+1)*c], dp.Data[i*c:(i+1)*c], s.dz.Data[i*c:(i+1)*c]
		var dot float64
		for j := range pi {
			dot += gi[j] * pi[j]
		}
		for j := range pi {
			di[j] = pi[j] * (gi[j] - dot)
		}
	}
	return s.dz
}

// CrossEntropy is the cross-entropy of probabilities against labels,
// L = mean over the batch of −log p_y, as a stand-alone stage. It takes
// probabilities (e.g. from Softmax), not logits, so it returns +Inf when a
// probability underflowed to 0: that is why training uses the fused
// SoftmaxCrossEntropy. The zero value is ready to use; a value is not safe
// for concurrent use.
type CrossEntropy struct {
	p      *tensor.Tensor // probabilities of the last Forward (not copied)
	labels []int
	dp     *tensor.Tensor
}

// Forward returns the mean of −log p[i, labels[i]] over the rows of p. It
// keeps a reference to p for Backward, so p must not change in between.
func (e *CrossEntropy) Forward(p *tensor.Tensor, labels []int) float64 {
	n, c := checkBatch("CrossEntropy.Forward", "probabilities", p, labels)
	if n == 0 {
		panic("loss: CrossEntropy.Forward: empty batch")
	}
	e.p = p
	e.labels = append(e.labels[:0], labels...)
	var total float64
	for i, y := range labels {
		total -= math.Log(p.Data[i*c+y])
	}
	return total / float64(n)
}

// Backward returns ∂L/∂p: −1/(B·p_y) at each sample's label and 0 elsewhere
// (that is −y/p divided by the batch size B). The tensor belongs to the
// CrossEntropy.
func (e *CrossEntropy) Backward() *tensor.Tensor {
	if e.p == nil {
		panic("loss: CrossEntropy.Backward called before Forward")
	}
	n, c := e.p.Shape[0], e.p.Shape[1]
	e.dp = resize(e.dp, n, c)
	e.dp.Zero()
	for i, y := range e.labels {
		e.dp.Data[i*c+y] = -1 / (float64(n) * e.p.Data[i*c+y])
	}
	return e.dp
}
