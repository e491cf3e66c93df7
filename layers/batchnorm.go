package layers

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// BatchNorm1d defaults, PyTorch's.
const (
	// DefaultBatchNormEps is ε, added to the variance before the square
	// root so that a feature that is constant over a batch divides by √ε,
	// not by 0.
	DefaultBatchNormEps = 1e-5
	// DefaultBatchNormMomentum is the weight of the current batch in the
	// running averages (eq. BN8 of the package doc).
	DefaultBatchNormMomentum = 0.1
)

// BatchNorm1d is batch normalisation over the features of a B×m batch
// (Ioffe & Szegedy 2015), as PyTorch's nn.BatchNorm1d(m): in training mode
// each feature (column) is standardised with the mean and variance of the
// batch, then scaled and shifted by the learned γ (Weight) and β (Bias); in
// evaluation mode the running averages of those statistics replace them.
// The package documentation derives its backward pass in full (eqs.
// BN1–BN9).
type BatchNorm1d struct {
	// Weight is γ and Bias is β, both of shape [1, m], initialised to ones
	// and zeros (PyTorch's weight and bias).
	Weight, Bias *Param
	// RunningMean and RunningVar ([1, m], zeros and ones at first) are the
	// running averages (BN8) that evaluation mode uses; the variance is the
	// unbiased one, as in PyTorch. They are state, not parameters: no
	// optimiser touches them, but they are saved with the model.
	RunningMean, RunningVar *tensor.Tensor
	// NumBatchesTracked counts the training-mode Forward calls
	// (PyTorch's num_batches_tracked).
	NumBatchesTracked int64
	// Eps is ε of BN3; Momentum is the weight of a new batch in BN8.
	Eps, Momentum float64

	m          int
	evaluating bool           // false, the zero value, is training mode
	usedBatch  bool           // the last Forward used batch statistics
	xhat       *tensor.Tensor // x̂ of the last Forward (BN3), kept for Backward
	y          *tensor.Tensor // output buffer
	dx         *tensor.Tensor // input-gradient buffer
	mean       []float64      // μ of the last Forward, per feature
	invStd     []float64      // s = 1/√(σ² + ε) of the last Forward, per feature
	sumG       []float64      // Σₙ ĝₙ in Backward, per feature
	sumGX      []float64      // Σₙ ĝₙ x̂ₙ in Backward, per feature
}

// NewBatchNorm1d returns a batch normalisation layer over m features in
// training mode, with γ = 1, β = 0, running mean 0 and running variance 1,
// ε = 1e-5 and momentum 0.1 (PyTorch's defaults).
func NewBatchNorm1d(m int) *BatchNorm1d {
	if m <= 0 {
		panic(fmt.Sprintf("layers: NewBatchNorm1d: number of features must be positive, have %d", m))
	}
	b := &BatchNorm1d{
		Weight:      &Param{Name: "weight", Value: tensor.New(1, m), Grad: tensor.New(1, m)},
		Bias:        &Param{Name: "bias", Value: tensor.New(1, m), Grad: tensor.New(1, m)},
		RunningMean: tensor.New(1, m),
		RunningVar:  tensor.New(1, m),
		Eps:         DefaultBatchNormEps,
		Momentum:    DefaultBatchNormMomentum,
		m:           m,
		mean:        make([]float64, m),
		invStd:      make([]float64, m),
		sumG:        make([]float64, m),
		sumGX:       make([]float64, m),
	}
	b.Weight.Value.Fill(1)
	b.RunningVar.Fill(1)
	return b
}

// Features returns m, the number of features normalised.
func (b *BatchNorm1d) Features() int { return b.m }

// SetTraining switches between batch statistics (training) and running
// statistics (evaluation). It implements Trainable.
func (b *BatchNorm1d) SetTraining(training bool) { b.evaluating = !training }

// Training reports whether the layer is in training mode.
func (b *BatchNorm1d) Training() bool { return !b.evaluating }

// Forward normalises each column of x (shape [B, m]) and returns
// γ x̂ + β (BN4) in a buffer owned by the layer. In training mode x̂ uses the
// batch's mean and variance (BN1–BN3), which it also folds into the running
// averages (BN8), and B must be at least 2; in evaluation mode it uses the
// running averages (BN9).
func (b *BatchNorm1d) Forward(x *tensor.Tensor) *tensor.Tensor {
	must2D("BatchNorm1d.Forward", x, b.m)
	n, m := x.Shape[0], b.m
	if !b.evaluating && n < 2 {
		panic(fmt.Sprintf("layers: BatchNorm1d.Forward: training needs at least 2 samples per batch to estimate a variance, have input of shape %v: "+
			"train on batches of 2 or more (data.LoaderOptions.DropLast leaves out a short last batch; train.Run leaves out batches of one), "+
			"or call SetTraining(false) to predict with the running statistics", x.Shape))
	}
	b.xhat = Resize(b.xhat, n, m)
	b.y = Resize(b.y, n, m)
	b.usedBatch = !b.evaluating
	if b.evaluating {
		for j := range m { // BN9: the running statistics stand in for μ and σ²
			b.mean[j] = b.RunningMean.Data[j]
			b.invStd[j] = 1 / math.Sqrt(b.RunningVar.Data[j]+b.Eps)
		}
	} else {
		b.batchStats(x)
	}
	gamma, beta := b.Weight.Value.Data, b.Bias.Value.Data
	for i := 0; i < n; i++ {
		row, xh, y := x.Data[i*m:(i+1)*m], b.xhat.Data[i*m:(i+1)*m], b.y.Data[i*m:(i+1)*m]
		for j, v := range row {
			xh[j] = (v - b.mean[j]) * b.invStd[j] // BN3: x̂ = (x − μ)/√(σ² + ε)
			y[j] = gamma[j]*xh[j] + beta[j]       // BN4: y = γ x̂ + β
		}
	}
	return b.y
}

// batchStats computes the batch mean μ (BN1) and the biased variance σ²
// (BN2) of each column of x into b.mean and b.invStd (as 1/√(σ² + ε)), and
// updates the running averages (BN8).
//
// The variance takes a second pass over x, Σ(x − μ)², rather than the
// one-pass E[x²] − μ²: that difference of two large, nearly equal numbers
// loses every digit when a feature's mean is large against its spread (for
// pixel values around 1e4 with spread 1, all 16 of them) and can even come
// out negative, and √ of it NaN.
func (b *BatchNorm1d) batchStats(x *tensor.Tensor) {
	n, m := x.Shape[0], b.m
	clear(b.mean)
	for i := 0; i < n; i++ {
		for j, v := range x.Data[i*m : (i+1)*m] {
			b.mean[j] += v
		}
	}
	for j := range b.mean {
		b.mean[j] /= float64(n) // BN1
	}
	variance := b.invStd // σ² first, turned into 1/√(σ² + ε) below
	clear(variance)
	for i := 0; i < n; i++ {
		for j, v := range x.Data[i*m : (i+1)*m] {
			d := v - b.mean[j]
			variance[j] += d * d
		}
	}
	mom, unbias := b.Momentum, float64(n)/float64(n-1)
	for j := range variance {
		variance[j] /= float64(n) // BN2, biased: the batch is all there is
		// BN8: the running variance is unbiased (× B/(B − 1)), like PyTorch's.
		b.RunningMean.Data[j] = (1-mom)*b.RunningMean.Data[j] + mom*b.mean[j]
		b.RunningVar.Data[j] = (1-mom)*b.RunningVar.Data[j] + mom*variance[j]*unbias
		b.invStd[j] = 1 / math.Sqrt(variance[j]+b.Eps)
	}
	b.NumBatchesTracked++
}

// Backward takes ∂L/∂Y (shape [B, m]), adds ∂L/∂γ = Σₙ gₙ x̂ₙ and
// ∂L/∂β = Σₙ gₙ (BN5) into the gradients and returns ∂L/∂X. After a
// training-mode Forward that is BN7, which accounts for μ and σ² depending
// on every sample of the batch; after an evaluation-mode Forward, where μ
// and σ² were constants, it is simply γ s g.
func (b *BatchNorm1d) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("BatchNorm1d", dout, b.y)
	n, m := dout.Shape[0], b.m
	b.dx = Resize(b.dx, n, m)
	gamma := b.Weight.Value.Data
	dgamma, dbeta := b.Weight.Grad.Data, b.Bias.Grad.Data
	clear(b.sumG)
	clear(b.sumGX)
	for i := 0; i < n; i++ {
		g, xh := dout.Data[i*m:(i+1)*m], b.xhat.Data[i*m:(i+1)*m]
		for j := range g {
			b.sumG[j] += g[j]          // Σₙ gₙ
			b.sumGX[j] += g[j] * xh[j] // Σₙ gₙ x̂ₙ
		}
	}
	for j := range m {
		dgamma[j] += b.sumGX[j] // BN5: ∂L/∂γ = Σₙ gₙ x̂ₙ
		dbeta[j] += b.sumG[j]   // BN5: ∂L/∂β = Σₙ gₙ
	}
	if !b.usedBatch {
		for i := 0; i < n; i++ {
			g, dx := dout.Data[i*m:(i+1)*m], b.dx.Data[i*m:(i+1)*m]
			for j := range g {
				dx[j] = gamma[j] * b.invStd[j] * g[j] // BN9 is affine: ∂L/∂x = γ s g
			}
		}
		return b.dx
	}
	// BN7: ∂L/∂xₙ = (s/B)(B ĝₙ − Σₘ ĝₘ − x̂ₙ Σₘ ĝₘ x̂ₘ) with ĝ = γ g (BN6).
	// γ is the same for all samples, so Σ ĝ = γ Σ g and Σ ĝ x̂ = γ Σ g x̂:
	// the sums just computed for BN5 serve here too.
	invN := 1 / float64(n)
	for i := 0; i < n; i++ {
		g, xh, dx := dout.Data[i*m:(i+1)*m], b.xhat.Data[i*m:(i+1)*m], b.dx.Data[i*m:(i+1)*m]
		for j := range g {
			dx[j] = gamma[j] * b.invStd[j] * (g[j] - invN*b.sumG[j] - invN*xh[j]*b.sumGX[j])
		}
	}
	return b.dx
}

// Buffers returns RunningMean and RunningVar, named "running_mean" and
// "running_var" (NumBatchesTracked, a counter that nothing here reads, is
// not one).
func (b *BatchNorm1d) Buffers() []*Buffer {
	return []*Buffer{{Name: "running_mean", Value: b.RunningMean}, {Name: "running_var", Value: b.RunningVar}}
}

// Params returns Weight (γ) and Bias (β), in that order.
func (b *BatchNorm1d) Params() []*Param { return []*Param{b.Weight, b.Bias} }

// String describes the layer, e.g. "BatchNorm1d(128)".
func (b *BatchNorm1d) String() string { return fmt.Sprintf("BatchNorm1d(%d)", b.m) }
