package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Dropout is inverted dropout (Srivastava et al. 2014): in training mode it
// zeroes each input entry with probability P and multiplies the survivors by
// 1/(1 − P), so that the expected output equals the input; in evaluation mode
// it is the identity. See the package documentation for the derivation.
//
// It draws its masks from the *rand.Rand it was given, so a seeded generator
// gives the same masks, run after run. It has no parameters.
type Dropout struct {
	// P is the probability of zeroing an entry, in [0, 1] (PyTorch's p).
	P float64
	// Frozen makes Forward in training mode reuse the last mask instead of
	// drawing a new one (the first Forward, or one whose shape differs from
	// the mask's, still draws). A gradient check needs it: it calls Forward
	// many times and compares the results, which is only meaningful if
	// every call drops the same units. Training leaves it false.
	Frozen bool

	rng        *rand.Rand
	evaluating bool           // false, the zero value, is training mode
	identity   bool           // the last Forward ran in evaluation mode
	mask       *tensor.Tensor // 0 or 1/(1 − P) per entry, drawn by Forward
	y          *tensor.Tensor // output buffer
	dx         *tensor.Tensor // input-gradient buffer
}

// NewDropout returns a Dropout layer in training mode that drops each entry
// with probability p, drawing the masks from rng. It panics unless
// 0 ≤ p ≤ 1 and rng is non-nil.
func NewDropout(p float64, rng *rand.Rand) *Dropout {
	checkProb("NewDropout", p)
	if rng == nil {
		panic("layers: NewDropout: nil *rand.Rand (pass a seeded one, so masks are reproducible)")
	}
	return &Dropout{P: p, rng: rng}
}

func checkProb(op string, p float64) {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("layers: %s: drop probability must be in [0, 1], have %v", op, p))
	}
}

// SetTraining switches between training (random masks) and evaluation
// (identity). It implements Trainable, so Sequential.SetTraining reaches it.
func (d *Dropout) SetTraining(training bool) { d.evaluating = !training }

// Training reports whether the layer is in training mode.
func (d *Dropout) Training() bool { return !d.evaluating }

// Forward returns x ⊙ M (eq. D1 of the package doc) in training mode, with
// a mask M whose entries are 0 with probability P and 1/(1 − P) otherwise,
// and a copy of x in evaluation mode (D3). x may have any shape after the
// batch dimension; each entry is dropped on its own (on a B×C×H×W input this
// is PyTorch's nn.Dropout, not nn.Dropout2d, which drops whole channels).
// The output belongs to the layer.
func (d *Dropout) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("Dropout.Forward", x)
	checkProb("Dropout.Forward", d.P)
	d.y = ResizeShape(d.y, x.Shape...)
	d.identity = d.evaluating
	if d.evaluating {
		copy(d.y.Data, x.Data) // D3: the identity
		return d.y
	}
	if !d.Frozen || d.mask == nil || !d.mask.SameShape(x) {
		d.drawMask(x.Shape)
	}
	for i, v := range x.Data {
		d.y.Data[i] = v * d.mask.Data[i] // D1
	}
	return d.y
}

// SetRand gives the layer the generator its masks are drawn from, replacing
// the one it had. A Dropout loaded from a model file has none (a file
// stores no generator) and needs one before a training-mode Forward.
func (d *Dropout) SetRand(rng *rand.Rand) { d.rng = rng }

// drawMask fills the mask for an input of the given shape: each entry is
// dropped (0) with probability P and kept, scaled by 1/(1 − P), otherwise.
func (d *Dropout) drawMask(shape []int) {
	if d.rng == nil {
		panic("layers: Dropout.Forward: no *rand.Rand to draw the mask from; a Dropout loaded from a file needs SetRand before it trains")
	}
	d.mask = ResizeShape(d.mask, shape...)
	keep := 0.0
	if d.P < 1 {
		keep = 1 / (1 - d.P) // P = 1 drops everything (and keep would be +Inf)
	}
	for i := range d.mask.Data {
		if d.rng.Float64() < d.P {
			d.mask.Data[i] = 0
		} else {
			d.mask.Data[i] = keep
		}
	}
}

// Backward returns dout ⊙ M (eq. D2), the same mask as the last Forward, in
// training mode, and a copy of dout in evaluation mode (the mode of the
// last Forward, not the current one).
func (d *Dropout) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("Dropout", dout, d.y)
	d.dx = ResizeShape(d.dx, dout.Shape...)
	if d.identity {
		copy(d.dx.Data, dout.Data)
		return d.dx
	}
	for i, g := range dout.Data {
		d.dx.Data[i] = g * d.mask.Data[i] // D2: the mask is the local derivative
	}
	return d.dx
}

// Mask returns the mask of the last training-mode Forward (entries 0 or
// 1/(1 − P)), nil before the first. It belongs to the layer.
func (d *Dropout) Mask() *tensor.Tensor { return d.mask }

// Params returns nil: Dropout has nothing to train.
func (d *Dropout) Params() []*Param { return nil }

// String describes the layer, e.g. "Dropout(0.3)".
func (d *Dropout) String() string { return fmt.Sprintf("Dropout(%g)", d.P) }
