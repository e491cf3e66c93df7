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
//
// A Linear is its two parameters: NewLinear draws W at random, and
// &Linear{W: w, B: b} makes one from parameters you have (W of shape
// [out, in], B of shape [1, out]). Two layers built on the same W and B
// are tied: a step on one is a step on both.
//
// A Linear is not safe for concurrent use: it keeps its input for Backward
// and writes its output into a buffer it owns.
type Linear struct {
	// W holds the weights, shape [out, in]: row j is the weight vector of
	// output unit j, exactly the m×d matrix W of z = W a + b.
	W *Param
	// B holds the bias, shape [1, out] (a row vector, so that every
	// parameter is a 2-D tensor and it broadcasts over the batch's rows).
	B *Param

	a  *tensor.Tensor // input of the last Forward, kept for Backward
	z  *tensor.Tensor // output buffer, reused
	da *tensor.Tensor // input-gradient buffer, reused
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
		W: &Param{Name: "weight", Value: tensor.New(out, in), Grad: tensor.New(out, in)},
		B: &Param{Name: "bias", Value: tensor.New(1, out), Grad: tensor.New(1, out)},
	}
}

// In returns the number of input features, the columns of W.
func (l *Linear) In() int { return l.W.Value.Shape[1] }

// Out returns the number of output features, the rows of W.
func (l *Linear) Out() int { return l.W.Value.Shape[0] }

// Forward computes Z = A Wᵀ + 1bᵀ for the batch A (shape [B, in]) and
// returns Z (shape [B, out]). Z belongs to the layer: the next Forward
// overwrites it, and reshapes it if the batch size differs, so Clone it to
// keep it. The layer keeps a reference to A for Backward, so A must not
// change in between.
func (l *Linear) Forward(a *tensor.Tensor) *tensor.Tensor {
	l.checkParams()
	in, out := l.In(), l.Out()
	must2D("Linear.Forward", a, in)
	l.a = a
	l.z = Resize(l.z, a.Shape[0], out)
	// The bias add is fused into the product: start every row of Z as b
	// and let Gemm accumulate A Wᵀ on top of it (beta = 1), so Z is
	// written in one pass instead of a product plus a broadcast add.
	b := l.B.Value.Data
	for i := 0; i < a.Shape[0]; i++ {
		copy(l.z.Data[i*out:(i+1)*out], b)
	}
	tensor.Gemm(false, true, 1, a, l.W.Value, 1, l.z)
	return l.z
}

// Backward takes Δ = ∂L/∂Z (shape [B, out]), adds ∂L/∂W = Δᵀ A into W.Grad
// and ∂L/∂b = Σ rows of Δ into B.Grad, and returns ∂L/∂A = Δ W
// (shape [B, in]), which belongs to the layer.
func (l *Linear) Backward(dz *tensor.Tensor) *tensor.Tensor {
	if l.a == nil {
		panic("layers: Linear.Backward called before Forward")
	}
	if dz == nil || dz.Dims() != 2 || dz.Shape[0] != l.a.Shape[0] || dz.Shape[1] != l.Out() {
		var shape []int
		if dz != nil {
			shape = dz.Shape
		}
		panic(fmt.Sprintf("layers: Linear.Backward: the gradient with respect to the output has shape %v, want [%d %d] (the shape of the last Forward's output)", shape, l.a.Shape[0], l.Out()))
	}
	tensor.Gemm(true, false, 1, dz, l.a, 1, l.W.Grad) // dW += Δᵀ A
	tensor.SumRows(l.B.Grad.Data, dz)                 // db += Σᵢ Δᵢ
	l.da = Resize(l.da, dz.Shape[0], l.In())
	tensor.Gemm(false, false, 1, dz, l.W.Value, 0, l.da) // dA = Δ W
	return l.da
}

// checkParams panics unless W and B are set and their shapes agree.
func (l *Linear) checkParams() {
	if l.W == nil || l.B == nil || l.W.Value == nil || l.B.Value == nil {
		panic("layers: Linear: W or B is not set: make a Linear with NewLinear, or set both W and B")
	}
	w, b := l.W.Value, l.B.Value
	if w.Dims() != 2 || b.Dims() != 2 || b.Shape[0] != 1 || b.Shape[1] != w.Shape[0] {
		panic(fmt.Sprintf("layers: Linear: W has shape %v and B %v, want [out in] and [1 out]", w.Shape, b.Shape))
	}
}

// Params returns W and B, in that order, named "weight" and "bias" as in
// PyTorch's nn.Linear.
func (l *Linear) Params() []*Param { return []*Param{l.W, l.B} }

// String describes the layer, e.g. "Linear(784→128)".
func (l *Linear) String() string { return fmt.Sprintf("Linear(%d→%d)", l.In(), l.Out()) }
