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
	sumG       []float64      // Σ ĝ/γ = Σ g in Backward, per channel
	sumGX      []float64      // Σ g x̂ in Backward, per channel
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
		sumG:        make([]float64, c),
		sumGX:       make([]float64, c),
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
func (b *BatchNorm2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	must4D("BatchNorm2d.Forward", x, b.c)
	n, hw := x.Shape[0], x.Shape[2]*x.Shape[3]
	if !b.evaluating && n*hw < 2 {
		panic(fmt.Sprintf("layers: BatchNorm2d.Forward: training needs at least 2 values per channel to estimate a variance, have input of shape %v", x.Shape))
	}
	b.xhat = ResizeShape(b.xhat, x.Shape...)
	b.y = ResizeShape(b.y, x.Shape...)
	b.usedBatch = !b.evaluating
	if b.evaluating {
		for c := range b.c { // BN9: the running statistics stand in for μ and σ²
			b.mean[c] = b.RunningMean.Data[c]
			b.invStd[c] = 1 / math.Sqrt(b.RunningVar.Data[c]+b.Eps)
		}
	} else {
		b.batchStats(x)
	}
	gamma, beta := b.Weight.Value.Data, b.Bias.Value.Data
	for nc := 0; nc < n*b.c; nc++ {
		c := nc % b.c
		plane := nc * hw // X[n,c] is x.Data[plane : plane+hw]
		xs, xh, y := x.Data[plane:plane+hw], b.xhat.Data[plane:plane+hw], b.y.Data[plane:plane+hw]
		for i, v := range xs {
			xh[i] = (v - b.mean[c]) * b.invStd[c] // BN3: x̂ = (x − μ)/√(σ² + ε)
			y[i] = gamma[c]*xh[i] + beta[c]       // BN4: y = γ x̂ + β
		}
	}
	return b.y
}

// batchStats computes each channel's mean μ (BN1) and biased variance σ²
// (BN2) over its M = N·H·W values into b.mean and b.invStd (as
// 1/√(σ² + ε)), with two passes over x as BatchNorm1d does, and updates
// the running averages (BN8).
func (b *BatchNorm2d) batchStats(x *tensor.Tensor) {
	n, hw := x.Shape[0], x.Shape[2]*x.Shape[3]
	m := float64(n * hw)
	clear(b.mean)
	variance := b.invStd // σ² first, turned into 1/√(σ² + ε) below
	clear(variance)
	for nc := 0; nc < n*b.c; nc++ {
		for _, v := range x.Data[nc*hw : (nc+1)*hw] {
			b.mean[nc%b.c] += v
		}
	}
	for c := range b.mean {
		b.mean[c] /= m // BN1
	}
	for nc := 0; nc < n*b.c; nc++ {
		mu := b.mean[nc%b.c]
		var s float64
		for _, v := range x.Data[nc*hw : (nc+1)*hw] {
			s += (v - mu) * (v - mu)
		}
		variance[nc%b.c] += s
	}
	mom, unbias := b.Momentum, m/(m-1)
	for c := range variance {
		variance[c] /= m // BN2, biased
		// BN8: the running variance is unbiased (× M/(M − 1)), like PyTorch's.
		b.RunningMean.Data[c] = (1-mom)*b.RunningMean.Data[c] + mom*b.mean[c]
		b.RunningVar.Data[c] = (1-mom)*b.RunningVar.Data[c] + mom*variance[c]*unbias
		b.invStd[c] = 1 / math.Sqrt(variance[c]+b.Eps)
	}
	b.NumBatchesTracked++
}

// Backward takes ∂L/∂Y (N×C×H×W), adds ∂L/∂γ = Σ g x̂ and ∂L/∂β = Σ g (BN5,
// sums over n, h and w) into the gradients and returns ∂L/∂X: BN7 with M
// = N·H·W after a training-mode Forward, γ s g after an evaluation-mode
// one.
func (b *BatchNorm2d) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("BatchNorm2d", dout, b.y)
	n, hw := dout.Shape[0], dout.Shape[2]*dout.Shape[3]
	b.dx = ResizeShape(b.dx, dout.Shape...)
	gamma := b.Weight.Value.Data
	clear(b.sumG)
	clear(b.sumGX)
	for nc := 0; nc < n*b.c; nc++ {
		c := nc % b.c
		g, xh := dout.Data[nc*hw:(nc+1)*hw], b.xhat.Data[nc*hw:(nc+1)*hw]
		var sg, sgx float64
		for i := range g {
			sg += g[i]          // Σ g over the channel's plane in image n
			sgx += g[i] * xh[i] // Σ g x̂
		}
		b.sumG[c] += sg
		b.sumGX[c] += sgx
	}
	for c := range b.c {
		b.Weight.Grad.Data[c] += b.sumGX[c] // BN5: ∂L/∂γ = Σ g x̂ over n, h, w
		b.Bias.Grad.Data[c] += b.sumG[c]    // BN5: ∂L/∂β = Σ g over n, h, w
	}
	invM := 1 / float64(n*hw)
	for nc := 0; nc < n*b.c; nc++ {
		c := nc % b.c
		g, xh, dx := dout.Data[nc*hw:(nc+1)*hw], b.xhat.Data[nc*hw:(nc+1)*hw], b.dx.Data[nc*hw:(nc+1)*hw]
		gs := gamma[c] * b.invStd[c]
		if !b.usedBatch {
			for i := range g {
				dx[i] = gs * g[i] // BN9 is affine: ∂L/∂x = γ s g
			}
			continue
		}
		// BN7 with M = N·H·W: ∂L/∂x = (s/M)(M ĝ − Σ ĝ − x̂ Σ ĝ x̂), ĝ = γ g (BN6).
		mg, mgx := invM*b.sumG[c], invM*b.sumGX[c]
		for i := range g {
			dx[i] = gs * (g[i] - mg - xh[i]*mgx)
		}
	}
	return b.dx
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
