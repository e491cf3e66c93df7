package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Init selects how NewLinear draws the initial weights. Both scale the
// weights with the layer's fan-in so that the variance of the activations
// stays roughly constant from layer to layer instead of exploding or dying.
type Init int

const (
	// He draws W from N(0, 2/in) (He et al. 2015). The factor 2 makes up for
	// ReLU zeroing half of its inputs; use it for layers followed by ReLU.
	// It is the zero value of Init.
	He Init = iota
	// Xavier (Glorot & Bengio 2010) draws W uniformly from
	// [-√(6/(in+out)), √(6/(in+out))], whose variance is 2/(in+out). It suits
	// layers followed by tanh, sigmoid or nothing.
	Xavier
)

// String returns "He" or "Xavier".
func (i Init) String() string {
	switch i {
	case He:
		return "He"
	case Xavier:
		return "Xavier"
	}
	return fmt.Sprintf("Init(%d)", int(i))
}

// Linear is a fully connected layer. For one sample it computes z = W a + b
// with W of shape out×in (m×d); for a batch with one sample per row it
// computes Z = A Wᵀ + 1bᵀ. See the package documentation for the gradients.
// A Linear is not safe for concurrent use: it keeps its input for Backward
// and writes its output into a buffer it owns.
type Linear struct {
	// W holds the weights, shape [out, in]: row j is the weight vector of
	// output unit j, exactly the m×d matrix W of z = W a + b.
	W *Param
	// B holds the bias, shape [1, out] (a row vector, so that every
	// parameter is a 2-D tensor and it broadcasts over the batch's rows).
	B *Param

	in, out int
	a       *tensor.Tensor // input of the last Forward, kept for Backward
	z       *tensor.Tensor // output buffer, reused
	da      *tensor.Tensor // input-gradient buffer, reused
}

// NewLinear returns a Linear layer mapping in features to out features, with
// weights drawn by init from rng and a zero bias.
func NewLinear(in, out int, init Init, rng *rand.Rand) *Linear {
	l := newLinear(in, out)
	switch init {
	case He:
		std := math.Sqrt(2 / float64(in))
		for i := range l.W.Value.Data {
			l.W.Value.Data[i] = std * rng.NormFloat64()
		}
	case Xavier:
		lim := math.Sqrt(6 / float64(in+out))
		for i := range l.W.Value.Data {
			l.W.Value.Data[i] = lim * (2*rng.Float64() - 1)
		}
	default:
		panic(fmt.Sprintf("layers: NewLinear: unknown init %v", init))
	}
	return l
}

// newLinear returns a Linear layer with all-zero weights and bias.
func newLinear(in, out int) *Linear {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("layers: NewLinear: sizes must be positive, have in=%d out=%d", in, out))
	}
	return &Linear{
		W:  &Param{Name: "weight", Value: tensor.New(out, in), Grad: tensor.New(out, in)},
		B:  &Param{Name: "bias", Value: tensor.New(1, out), Grad: tensor.New(1, out)},
		in: in, out: out,
	}
}

// In returns the number of input features.
func (l *Linear) In() int { return l.in }

// Out returns the number of output features.
func (l *Linear) Out() int { return l.out }

// Forward computes Z = A Wᵀ + 1bᵀ for the batch A (shape [B, in]) and
// returns Z (shape [B, out]). Z belongs to the layer: the next Forward
// overwrites it, and reshapes it if the batch size differs, so Clone it to
// keep it. The layer keeps a reference to A for Backward, so A must not
// change in between.
func (l *Linear) Forward(a *tensor.Tensor) *tensor.Tensor {
	must2D("Linear.Forward", a, l.in)
	l.a = a
	l.z = Resize(l.z, a.Shape[0], l.out)
	// The bias add is fused into the product: start every row of Z as b
	// and let Gemm accumulate A Wᵀ on top of it (beta = 1), so Z is
	// written in one pass instead of a product plus a broadcast add.
	b := l.B.Value.Data
	for i := 0; i < a.Shape[0]; i++ {
		copy(l.z.Data[i*l.out:(i+1)*l.out], b)
	}
	tensor.Gemm(false, true, 1, a, l.W.Value, 1, l.z)
	return l.z
}

// Backward takes Δ = ∂L/∂Z (shape [B, out]), adds ∂L/∂W = Δᵀ A into W.Grad
// and ∂L/∂b = Σ rows of Δ into B.Grad, and returns ∂L/∂A = Δ W
// (shape [B, in]), which belongs to the layer.
func (l *Linear) Backward(dz *tensor.Tensor) *tensor.Tensor {
	l.BackwardParams(dz) // checks dz
	return l.inputGrad(dz)
}

// BackwardInput is Backward without the parameter gradients: it returns
// ∂L/∂A = Δ W, the product δˡ Wˡ of the recursion (2) in the package
// documentation for every row of the batch (the ReLU layer after it applies
// the mask), and adds nothing to W.Grad or B.Grad. The tensor belongs to
// the layer. train's data-parallel step uses it on Twins, which each see
// some rows of the batch, and takes the step on W over the whole batch
// afterwards (UpdateSGD).
func (l *Linear) BackwardInput(dz *tensor.Tensor) *tensor.Tensor {
	l.checkBackward(dz)
	return l.inputGrad(dz)
}

// inputGrad is BackwardInput on a dz already checked.
func (l *Linear) inputGrad(dz *tensor.Tensor) *tensor.Tensor {
	l.da = Resize(l.da, dz.Shape[0], l.in)
	tensor.Gemm(false, false, 1, dz, l.W.Value, 0, l.da) // dA = Δ W
	return l.da
}

// UpdateSGD takes the plain SGD step of BackwardSGD for a batch whose
// input was a and whose ∂L/∂Z is dz: W ← W − lr·Δᵀ A as one product into
// W, without writing W.Grad, and b ← b − lr·Σᵢ Δᵢ. W.Grad must be zero, as
// SGD.Step leaves it; it stays zero. It is what BackwardSGD does after
// ∂L/∂A, for a caller that computed ∂L/∂A some other way (BackwardInput on
// each part of the batch).
func (l *Linear) UpdateSGD(dz, a *tensor.Tensor, lr float64) {
	must2D("Linear.UpdateSGD", a, l.in)
	must2D("Linear.UpdateSGD", dz, l.out)
	l.sgdStep(dz, a, lr)
}

// sgdStep is UpdateSGD on arguments already checked.
func (l *Linear) sgdStep(dz, a *tensor.Tensor, lr float64) {
	tensor.GemmSGD(true, false, lr, dz, a, l.W.Grad, l.W.Value) // W −= lr·Δᵀ A
	tensor.SumRows(l.B.Grad.Data, dz)                           // db = Σᵢ Δᵢ
	tensor.AxpyZero(-lr, l.B.Grad, l.B.Value)                   // b −= lr·db, db = 0
}

// Twin returns a Linear layer that shares l's parameters (the same W and
// B, so a step on one is a step on both) but has buffers of its own: two
// goroutines can then run Forward and BackwardInput on different rows of
// a batch at once, one on l and one on its twin. Backward and the SGD
// methods add to or move the shared parameters and must not run on both
// at once.
func (l *Linear) Twin() *Linear {
	return &Linear{W: l.W, B: l.B, in: l.in, out: l.out}
}

// BackwardParams is Backward without ∂L/∂A: it only adds ∂L/∂W and ∂L/∂b
// into the gradients. For a first layer, whose input is the data, it saves
// the product Δ W, a third of the layer's backward and forward work.
func (l *Linear) BackwardParams(dz *tensor.Tensor) {
	l.checkBackward(dz)
	tensor.Gemm(true, false, 1, dz, l.a, 1, l.W.Grad) // dW += Δᵀ A
	tensor.SumRows(l.B.Grad.Data, dz)                 // db += Σᵢ Δᵢ
}

// BackwardSGD is Backward and a plain SGD step in one (see SGDBackwarder):
// it computes ∂L/∂A = Δ W with the weights before the step (unless input
// is false), then W ← W − lr·Δᵀ A as one product into W, without writing
// W.Grad, and b ← b − lr·Σᵢ Δᵢ. W.Grad must be zero, as SGD.Step leaves it;
// it stays zero.
func (l *Linear) BackwardSGD(dz *tensor.Tensor, lr float64, input bool) *tensor.Tensor {
	l.checkBackward(dz)
	var da *tensor.Tensor
	if input {
		da = l.inputGrad(dz) // before W moves
	}
	l.sgdStep(dz, l.a, lr)
	return da
}

// checkBackward panics unless dz fits the last Forward.
func (l *Linear) checkBackward(dz *tensor.Tensor) {
	if l.a == nil {
		panic("layers: Linear.Backward called before Forward")
	}
	must2D("Linear.Backward", dz, l.out)
	if dz.Shape[0] != l.a.Shape[0] {
		panic(fmt.Sprintf("layers: Linear.Backward: gradient has shape %v, but the last Forward had a batch of %d", dz.Shape, l.a.Shape[0]))
	}
}

// Params returns W and B, in that order, named "weight" and "bias" as in
// PyTorch's nn.Linear.
func (l *Linear) Params() []*Param { return []*Param{l.W, l.B} }

// String describes the layer, e.g. "Linear(784→128)".
func (l *Linear) String() string { return fmt.Sprintf("Linear(%d→%d)", l.in, l.out) }
