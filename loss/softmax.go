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
// subtracted, so it cannot overflow: see softmaxRow). The tensor belongs to
// the Softmax.
func (s *Softmax) Forward(z *tensor.Tensor) *tensor.Tensor {
	if z.Dims() != 2 {
		panic(fmt.Sprintf("loss: Softmax.Forward: need a 2-D tensor, have shape %v", z.Shape))
	}
	n, c := z.Shape[0], z.Shape[1]
	s.p = tensor.Resize(s.p, n, c)
	for i := 0; i < n && c > 0; i++ {
		zi, pi := z.Data[i*c:(i+1)*c], s.p.Data[i*c:(i+1)*c]
		softmaxRow(pi, zi)
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
	s.dz = tensor.Resize(s.dz, n, c)
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
	e.dp = tensor.Resize(e.dp, n, c)
	e.dp.Zero()
	for i, y := range e.labels {
		e.dp.Data[i*c+y] = -1 / (float64(n) * e.p.Data[i*c+y])
	}
	return e.dp
}

// softmaxRow writes softmax(z) into p (of z's length, at least 1) and
// returns m, the maximum of z, and ls = log Σⱼ exp(zⱼ − m), so that
// log-sum-exp(z) = m + ls and log pⱼ = (zⱼ − m) − ls. It is the one
// softmax of the library: subtracting m changes nothing mathematically
// (softmax(z) = softmax(z − m)) but keeps every exponent ≤ 0, so exp
// cannot overflow, and the largest term is exp(0) = 1, so the sum cannot
// underflow to 0 and the log stays finite (see "Why log-sum-exp" in the
// package documentation).
func softmaxRow(p, z []float64) (m, ls float64) {
	m = z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var sum float64
	for j, v := range z {
		p[j] = math.Exp(v - m)
		sum += p[j]
	}
	for j := range p {
		p[j] /= sum
	}
	return m, math.Log(sum)
}

// LogSoftmax writes log softmax of each row of z into dst and returns it:
// log pⱼ = zⱼ − log Σₖ exp(zₖ), computed as (zⱼ − m) − log Σₖ exp(zₖ − m)
// with m the row's maximum, so it stays finite where log(softmax(z)) would
// give log 0 = −Inf (PyTorch's log_softmax). If dst is nil or too small a
// new tensor is allocated; passing the same dst every call reuses it.
func LogSoftmax(dst, z *tensor.Tensor) *tensor.Tensor {
	if z == nil || z.Dims() != 2 {
		var shape []int
		if z != nil {
			shape = z.Shape
		}
		panic(fmt.Sprintf("loss: LogSoftmax: need a 2-D tensor, have shape %v", shape))
	}
	n, c := z.Shape[0], z.Shape[1]
	dst = tensor.Resize(dst, n, c)
	if c == 0 {
		return dst
	}
	for i := 0; i < n; i++ {
		zi, di := z.Data[i*c:(i+1)*c], dst.Data[i*c:(i+1)*c]
		m, ls := softmaxRow(di, zi)
		for j, v := range zi {
			di[j] = (v - m) - ls
		}
	}
	return dst
}
