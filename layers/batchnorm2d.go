package layers

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// BatchNorm2d is batch normalisation for convolutional feature maps, as
// PyTorch's nn.BatchNorm2d(C): each channel of an N×C×H×W batch is one
// feature, standardised over all N·H·W values it takes in the batch
// (every pixel of every image), then scaled and shifted by its learned γ
// and β. It is BatchNorm1d with M = N·H·W samples per feature: equations
// BN1–BN9 of the package documentation with B replaced by M (see "Batch
// normalisation of feature maps" there). The interface is BatchNorm1d's:
// SetTraining, running statistics with momentum, Buffers.
type BatchNorm2d struct {
	// Weight is γ and Bias is β, both of shape [C] (PyTorch's weight and
	// bias), initialised to ones and zeros.
	Weight, Bias *Param
	// RunningMean and RunningVar ([C], zeros and ones at first) are the
	// running averages (BN8, the variance unbiased with M/(M − 1)) that
	// evaluation mode uses.
	RunningMean, RunningVar *tensor.Tensor
	// NumBatchesTracked counts the training-mode Forward calls
	// (PyTorch's num_batches_tracked).
	NumBatchesTracked int64
	// Eps is ε of BN3; Momentum is the weight of a new batch in BN8.
	Eps, Momentum float64

	c          int
	evaluating bool           // false, the zero value, is training mode
	usedBatch  bool           // the last Forward used batch statistics
	xhat       *tensor.Tensor // x̂ of the last Forward (BN3), kept for Backward
	y, dx      *tensor.Tensor // output and input-gradient buffers
	mean       []float64      // μ of the last Forward, per channel
	invStd     []float64      // s = 1/√(σ² + ε) of the last Forward, per channel

	// For sharing the channels between cores (share.go): the input or
	// gradient of the pass under way, and the job.
	in  *tensor.Tensor
	job spanJob
}

// NewBatchNorm2d returns a batch normalisation layer over c channels in
// training mode, with γ = 1, β = 0, running mean 0 and running variance 1,
// ε = 1e-5 and momentum 0.1 (PyTorch's defaults).
func NewBatchNorm2d(c int) *BatchNorm2d {
	if c <= 0 {
		panic(fmt.Sprintf("layers: NewBatchNorm2d: number of channels must be positive, have %d", c))
	}
	b := &BatchNorm2d{
		Weight:      &Param{Name: "weight", Value: tensor.New(c), Grad: tensor.New(c)},
		Bias:        &Param{Name: "bias", Value: tensor.New(c), Grad: tensor.New(c)},
		RunningMean: tensor.New(c),
		RunningVar:  tensor.New(c),
		Eps:         DefaultBatchNormEps,
		Momentum:    DefaultBatchNormMomentum,
		c:           c,
		mean:        make([]float64, c),
		invStd:      make([]float64, c),
	}
	b.Weight.Value.Fill(1)
	b.RunningVar.Fill(1)
	return b
}

// Channels returns C, the number of channels normalised.
func (b *BatchNorm2d) Channels() int { return b.c }

// SetTraining switches between batch statistics (training) and running
// statistics (evaluation). It implements Trainable.
func (b *BatchNorm2d) SetTraining(training bool) { b.evaluating = !training }

// Training reports whether the layer is in training mode.
func (b *BatchNorm2d) Training() bool { return !b.evaluating }

// Forward normalises each channel of x (N×C×H×W) and returns γ x̂ + β
// (BN4) in a buffer owned by the layer. In training mode x̂ uses the mean
// and variance of the channel's N·H·W values (BN1–BN3), which it also
// folds into the running averages (BN8), and N·H·W must be at least 2; in
// evaluation mode it uses the running averages (BN9).
//
// Every channel is normalised on its own (its sums run over its own
// values, image after image), so the channels are shared between cores,
// and each channel's three passes (BN1, BN2, then BN3–BN4) run one after
// the other while its values are still in the cache.
func (b *BatchNorm2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	n, hw := b.startForward(x)
	b.y = ResizeShape(b.y, x.Shape...)
	share(&b.job, (*batchNorm2dForward)(b), b.c, n*hw)
	b.endForward()
	return b.y
}

// startForward checks x, sizes x̂, notes the mode and keeps x in b.in for
// a Forward pass (its own or the block's, block.go); it returns N and
// H·W.
func (b *BatchNorm2d) startForward(x *tensor.Tensor) (n, hw int) {
	must4D("BatchNorm2d.Forward", x, b.c)
	n, hw = x.Shape[0], x.Shape[2]*x.Shape[3]
	if !b.evaluating && n*hw < 2 {
		panic(fmt.Sprintf("layers: BatchNorm2d.Forward: training needs at least 2 values per channel to estimate a variance, have input of shape %v", x.Shape))
	}
	b.xhat = ResizeShape(b.xhat, x.Shape...)
	b.usedBatch = !b.evaluating
	b.in = x
	return n, hw
}

// endForward ends a pass begun by startForward.
func (b *BatchNorm2d) endForward() {
	b.in = nil
	if b.usedBatch {
		b.NumBatchesTracked++
	}
}

// batchNorm2dForward is BatchNorm2d's Forward pass over channels.
type batchNorm2dForward BatchNorm2d

func (b *batchNorm2dForward) span(lo, hi int) {
	x := b.in
	n, hw := x.Shape[0], x.Shape[2]*x.Shape[3]
	gamma, beta := b.Weight.Value.Data, b.Bias.Value.Data
	for c := lo; c < hi; c++ {
		(*BatchNorm2d)(b).stats(c, lo, hi)
		mu, s := b.mean[c], b.invStd[c]
		for i := range n {
			plane := (i*b.c + c) * hw // X[i,c] is x.Data[plane : plane+hw]
			xs, xh, y := x.Data[plane:plane+hw], b.xhat.Data[plane:plane+hw], b.y.Data[plane:plane+hw]
			xh, y = xh[:len(xs)], y[:len(xs)]
			for j, v := range xs {
				xh[j] = (v - mu) * s            // BN3: x̂ = (x − μ)/√(σ² + ε)
				y[j] = gamma[c]*xh[j] + beta[c] // BN4: y = γ x̂ + β
			}
		}
	}
}

// stats sets channel c's μ and 1/√(σ² + ε) in b.mean[c] and b.invStd[c]
// for a Forward of b.in over the channels lo, …, hi−1: the running
// statistics in evaluation mode (BN9), the batch's otherwise (BN1, BN2),
// which it also folds into the running averages (BN8). The channels are
// visited in order from lo: BN1's sums of channels lo, lo+2, … are taken
// with the next channel's beside them.
func (b *BatchNorm2d) stats(c, lo, hi int) {
	if b.evaluating { // BN9: the running statistics stand in for μ and σ²
		b.mean[c] = b.RunningMean.Data[c]
		b.invStd[c] = 1 / math.Sqrt(b.RunningVar.Data[c]+b.Eps)
		return
	}
	x := b.in
	n, hw := x.Shape[0], x.Shape[2]*x.Shape[3]
	if (c-lo)%2 == 0 {
		// BN1's sums, of this channel and the next, side by side (see
		// sums2); the next is this one again if it is the last.
		c1 := min(c+1, hi-1)
		b.mean[c], b.mean[c1] = 0, 0
		for i := range n {
			b.mean[c], b.mean[c1] = sums2(b.mean[c], b.mean[c1], x.Data[(i*b.c+c)*hw:][:hw], x.Data[(i*b.c+c1)*hw:][:hw])
		}
	}
	b.batchStats(c)
}

// batchStats turns channel c's sum Σ x, which b.mean[c] holds, into its
// mean μ (BN1), computes its biased variance σ² (BN2) over its M = N·H·W
// values of b.in, two passes as BatchNorm1d does, keeps 1/√(σ² + ε) in
// b.invStd[c], and updates the running averages (BN8).
func (b *BatchNorm2d) batchStats(c int) {
	x := b.in
	n, hw := x.Shape[0], x.Shape[2]*x.Shape[3]
	m := float64(n * hw)
	mu := b.mean[c] / m // BN1
	// Σ (x − μ)², a sum per plane added plane after plane, two planes side
	// by side (see sums2); the last is paired with itself if n is odd.
	var variance float64
	for i := 0; i < n; i += 2 {
		i1 := min(i+1, n-1)
		s0, s1 := squaredDeviations2(mu, x.Data[(i*b.c+c)*hw:][:hw], x.Data[(i1*b.c+c)*hw:][:hw])
		variance += s0
		if i1 != i {
			variance += s1
		}
	}
	variance /= m // BN2, biased
	// BN8: the running variance is unbiased (× M/(M − 1)), like PyTorch's.
	mom, unbias := b.Momentum, m/(m-1)
	b.RunningMean.Data[c] = (1-mom)*b.RunningMean.Data[c] + mom*mu
	b.RunningVar.Data[c] = (1-mom)*b.RunningVar.Data[c] + mom*variance*unbias
	b.mean[c] = mu
	b.invStd[c] = 1 / math.Sqrt(variance+b.Eps)
}

// Two sums side by side.
//
// A sum adds one value after the other, and an addition cannot start
// before the one before it has finished, a few cycles later: one sum
// keeps the adder idle most of the time. The order of the additions sets
// the bits, so it cannot change; but two sums that do not depend on each
// other (two channels' Σ x, two planes' Σ (x − μ)²) can run side by side,
// each in its own order, in about the time of one.

// sums2 returns s0 + Σ a and s1 + Σ b, each added in order; b is as long
// as a.
func sums2(s0, s1 float64, a, b []float64) (float64, float64) {
	b = b[:len(a)]
	for j := range a {
		s0 += a[j]
		s1 += b[j]
	}
	return s0, s1
}

// squaredDeviations2 returns Σ (a − μ)² and Σ (b − μ)², each added in
// order from zero; b is as long as a.
func squaredDeviations2(mu float64, a, b []float64) (s0, s1 float64) {
	b = b[:len(a)]
	for j := range a {
		s0 += (a[j] - mu) * (a[j] - mu)
		s1 += (b[j] - mu) * (b[j] - mu)
	}
	return s0, s1
}

// gradientSums2 returns Σ g and Σ g x̂ over two planes, (g0, xh0) and
// (g1, xh1), each added in order from zero; all are as long as g0.
func gradientSums2(g0, xh0, g1, xh1 []float64) (sg0, sgx0, sg1, sgx1 float64) {
	xh0, g1, xh1 = xh0[:len(g0)], g1[:len(g0)], xh1[:len(g0)]
	for j := range g0 {
		sg0 += g0[j]
		sgx0 += g0[j] * xh0[j]
		sg1 += g1[j]
		sgx1 += g1[j] * xh1[j]
	}
	return sg0, sgx0, sg1, sgx1
}

// Backward takes ∂L/∂Y (N×C×H×W), adds ∂L/∂γ = Σ g x̂ and ∂L/∂β = Σ g (BN5,
// sums over n, h and w) into the gradients and returns ∂L/∂X: BN7 with M
// = N·H·W after a training-mode Forward, γ s g after an evaluation-mode
// one. Channels are shared between cores as in Forward.
func (b *BatchNorm2d) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("BatchNorm2d", dout, b.y)
	b.dx = ResizeShape(b.dx, dout.Shape...)
	b.in = dout
	share(&b.job, (*batchNorm2dBackward)(b), b.c, len(dout.Data)/b.c)
	b.in = nil
	return b.dx
}

// batchNorm2dBackward is BatchNorm2d's Backward pass over channels.
type batchNorm2dBackward BatchNorm2d

func (b *batchNorm2dBackward) span(lo, hi int) {
	n := b.in.Shape[0]
	for c := lo; c < hi; c++ {
		(*BatchNorm2d)(b).backwardChannel(c, n, b, nil, nil)
	}
}

// gradPlane returns plane nc (image n, channel c at n·C + c) of ∂L/∂Y,
// the pass's own.
func (b *batchNorm2dBackward) gradPlane(_ []float64, nc int) []float64 {
	hw := b.in.Shape[2] * b.in.Shape[3]
	return b.in.Data[nc*hw:][:hw]
}

// gradPlanes hands backwardChannel the planes of ∂L/∂Y: gradPlane returns
// plane nc (image n, channel c at n·C + c), one of the pass's own or one
// it computes into dst, which is a plane long.
type gradPlanes interface {
	gradPlane(dst []float64, nc int) []float64
}

// backwardChannel is Backward for channel c of N images: it adds ∂L/∂γ
// and ∂L/∂β of the channel (BN5) and writes its planes of ∂L/∂X (BN7)
// from the planes of ∂L/∂Y that gp gives, two of them at a time into g0
// and g1 if gp computes them.
func (b *BatchNorm2d) backwardChannel(c, n int, gp gradPlanes, g0, g1 []float64) {
	hw := len(b.xhat.Data) / (n * b.c)
	invM := 1 / float64(n*hw)
	// Σ g and Σ g x̂, a sum per plane added plane after plane, two planes
	// side by side (see sums2); the last is paired with itself if n is
	// odd.
	var sumG, sumGX float64
	for i := 0; i < n; i += 2 {
		i1 := min(i+1, n-1)
		d0 := gp.gradPlane(g0, i*b.c+c)
		d1 := d0
		if i1 != i {
			d1 = gp.gradPlane(g1, i1*b.c+c)
		}
		p0, p1 := (i*b.c+c)*hw, (i1*b.c+c)*hw
		sg0, sgx0, sg1, sgx1 := gradientSums2(d0, b.xhat.Data[p0:p0+hw], d1, b.xhat.Data[p1:p1+hw])
		sumG += sg0
		sumGX += sgx0
		if p1 != p0 {
			sumG += sg1
			sumGX += sgx1
		}
	}
	b.Weight.Grad.Data[c] += sumGX // BN5: ∂L/∂γ = Σ g x̂ over n, h, w
	b.Bias.Grad.Data[c] += sumG    // BN5: ∂L/∂β = Σ g over n, h, w
	gs := b.Weight.Value.Data[c] * b.invStd[c]
	// BN7 with M = N·H·W: ∂L/∂x = (s/M)(M ĝ − Σ ĝ − x̂ Σ ĝ x̂), ĝ = γ g (BN6).
	mg, mgx := invM*sumG, invM*sumGX
	for i := range n {
		plane := (i*b.c + c) * hw
		b.backwardPlane(b.dx.Data[plane:plane+hw], gp.gradPlane(g0, i*b.c+c), b.xhat.Data[plane:plane+hw], gs, mg, mgx)
	}
}

// backwardPlane writes ∂L/∂x of one plane into dx from its ∂L/∂y g and
// x̂: BN7 with M = N·H·W, given gs = γ s, mg = Σ g / M and mgx = Σ g x̂ / M
// over the channel, after a training-mode Forward; γ s g after an
// evaluation-mode one.
func (b *BatchNorm2d) backwardPlane(dx, g, xh []float64, gs, mg, mgx float64) {
	xh, dx = xh[:len(g)], dx[:len(g)]
	if !b.usedBatch {
		for j := range g {
			dx[j] = gs * g[j] // BN9 is affine: ∂L/∂x = γ s g
		}
		return
	}
	for j := range g {
		dx[j] = gs * (g[j] - mg - xh[j]*mgx)
	}
}

// Buffers returns RunningMean and RunningVar, named "running_mean" and
// "running_var".
func (b *BatchNorm2d) Buffers() []*Buffer {
	return []*Buffer{{Name: "running_mean", Value: b.RunningMean}, {Name: "running_var", Value: b.RunningVar}}
}

// Params returns Weight (γ) and Bias (β), in that order.
func (b *BatchNorm2d) Params() []*Param { return []*Param{b.Weight, b.Bias} }

// String describes the layer, e.g. "BatchNorm2d(32)".
func (b *BatchNorm2d) String() string { return fmt.Sprintf("BatchNorm2d(%d)", b.c) }
