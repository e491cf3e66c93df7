package layers

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// GELU is the Gaussian error linear unit y = x·Φ(x), element-wise, where Φ
// is the standard normal distribution function (Hendrycks & Gimpel 2016).
//
// By default it is the exact form with the error function, like PyTorch's
// default nn.GELU() (approximate='none'); with Approximate "tanh" it is the
// tanh approximation of nn.GELU(approximate='tanh'), used by GPT-2 and
// BERT. The package documentation derives both derivatives. It has no
// parameters.
type GELU struct {
	// Approximate is "none" (the exact erf form) or "tanh", PyTorch's
	// names. NewGELU sets it.
	Approximate string

	x  *tensor.Tensor // input of the last Forward, kept for Backward
	y  *tensor.Tensor // output buffer
	dx *tensor.Tensor // input-gradient buffer
}

// NewGELU returns a GELU layer; approximate is "none" (or "") for the exact
// x·Φ(x), the default of PyTorch, or "tanh" for the tanh approximation. It
// panics on any other value.
func NewGELU(approximate string) *GELU {
	if approximate == "" {
		approximate = "none"
	}
	checkApproximate("NewGELU", approximate)
	return &GELU{Approximate: approximate}
}

func checkApproximate(op, a string) {
	if a != "none" && a != "tanh" {
		panic(fmt.Sprintf(`layers: %s: approximate must be "none" or "tanh", have %q`, op, a))
	}
}

const (
	invSqrt2    = 0.7071067811865476 // 1/√2
	invSqrt2Pi  = 0.3989422804014327 // 1/√(2π)
	sqrt2OverPi = 0.7978845608028654 // √(2/π)
	geluCubic   = 0.044715
)

// Forward returns x·Φ(x) (eq. G1 of the package doc) or its tanh
// approximation (G3), for x of any shape (B×d, or B×C×H×W after a
// convolution), in a buffer owned by the layer. The layer keeps a
// reference to x for Backward, so x must not change in between.
func (g *GELU) Forward(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("GELU.Forward", x)
	checkApproximate("GELU.Forward", g.Approximate)
	g.x = x
	g.y = ResizeShape(g.y, x.Shape...)
	if g.Approximate == "tanh" {
		for i, v := range x.Data {
			t := math.Tanh(sqrt2OverPi * (v + geluCubic*v*v*v))
			g.y.Data[i] = 0.5 * v * (1 + t) // G3
		}
		return g.y
	}
	for i, v := range x.Data {
		// G1 with Φ(x) = ½ erfc(−x/√2): the same as ½(1 + erf(x/√2)), but
		// for very negative x that sum cancels to 0 (erf → −1) while erfc
		// keeps full relative precision of the tiny Φ.
		g.y.Data[i] = v * 0.5 * math.Erfc(-v*invSqrt2)
	}
	return g.y
}

// Backward returns dout ⊙ GELU′(x): Φ(x) + x φ(x) (eq. G2) for the exact
// form, the derivative G4 of the tanh approximation otherwise.
func (g *GELU) Backward(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("GELU", dout, g.y)
	g.dx = ResizeShape(g.dx, dout.Shape...)
	if g.Approximate == "tanh" {
		for i, d := range dout.Data {
			v := g.x.Data[i]
			t := math.Tanh(sqrt2OverPi * (v + geluCubic*v*v*v))
			// G4: ½(1 + t) + ½ x (1 − t²) √(2/π) (1 + 3·0.044715 x²)
			g.dx.Data[i] = d * (0.5*(1+t) + 0.5*v*(1-t*t)*sqrt2OverPi*(1+3*geluCubic*v*v))
		}
		return g.dx
	}
	for i, d := range dout.Data {
		v := g.x.Data[i]
		phi := invSqrt2Pi * math.Exp(-0.5*v*v)                  // φ(x), the normal density
		g.dx.Data[i] = d * (0.5*math.Erfc(-v*invSqrt2) + v*phi) // G2: Φ(x) + x φ(x)
	}
	return g.dx
}

// Params returns nil: GELU has nothing to train.
func (g *GELU) Params() []*Param { return nil }

// String returns "GELU" or "GELU(tanh)".
func (g *GELU) String() string {
	if g.Approximate == "tanh" {
		return "GELU(tanh)"
	}
	return "GELU"
}
