package optim

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// Adam is the Adam optimiser (torch.optim.Adam), or AdamW
// (torch.optim.AdamW) when Decoupled is set:
//
//	θ ← θ − η λ θ                          (AdamW only)
//	g ← g + λ θ                            (Adam with WeightDecay λ)
//	m ← β₁ m + (1 − β₁) g
//	v ← β₂ v + (1 − β₂) g²
//	θ ← θ − η m̂ / (√v̂ + ε),   m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ).
//
// Make one with NewAdam or NewAdamW; the package documentation explains the
// bias correction and why AdamW decays the weights outside the gradient.
type Adam struct {
	LR          float64 // learning rate η
	Beta1       float64 // β₁ in [0, 1), decay of the mean of the gradients
	Beta2       float64 // β₂ in [0, 1), decay of the mean of their squares
	Eps         float64 // ε > 0 added to √v̂
	WeightDecay float64 // λ ≥ 0
	// Decoupled applies WeightDecay to the weights directly (AdamW) instead
	// of adding it to the gradient (Adam's L2).
	Decoupled bool

	slots slots
}

// NewAdam returns Adam with learning rate lr and the usual β₁ = 0.9,
// β₂ = 0.999, ε = 1e-8, no weight decay.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// NewAdamW returns AdamW: Adam with decoupled weight decay λ = weightDecay
// (PyTorch's default is 0.01).
func NewAdamW(lr, weightDecay float64) *Adam {
	o := NewAdam(lr)
	o.WeightDecay, o.Decoupled = weightDecay, true
	return o
}

// SetLR sets the learning rate of the next Step.
func (o *Adam) SetLR(lr float64) { o.LR = lr }

func (o *Adam) check() {
	if !(o.Beta1 >= 0 && o.Beta1 < 1) || !(o.Beta2 >= 0 && o.Beta2 < 1) {
		panic(fmt.Sprintf("optim: Adam: betas (%g, %g) outside [0, 1) (the zero value is not usable: use NewAdam)", o.Beta1, o.Beta2))
	}
	if !(o.Eps > 0) || math.IsInf(o.Eps, 0) {
		panic(fmt.Sprintf("optim: Adam: eps %g is not a positive number (use NewAdam)", o.Eps))
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		panic(fmt.Sprintf("optim: Adam: weight decay %g is not a number ≥ 0", o.WeightDecay))
	}
}

// Step updates every parameter by the rule above and zeroes its gradient.
// It allocates only the first time it sees a parameter, for m and v.
func (o *Adam) Step(params []*layers.Param) {
	o.check()
	if o.slots.names == nil {
		o.slots.names = []string{"exp_avg", "exp_avg_sq"}
	}
	eta, b1, b2, eps := o.LR, o.Beta1, o.Beta2, o.Eps
	l2, decay := o.WeightDecay, 1.0
	if o.Decoupled {
		l2, decay = 0, 1-eta*o.WeightDecay // θ ← (1 − ηλ)θ
	}
	for _, p := range params {
		st := o.slots.get("Adam.Step", p)
		st.step++
		t := float64(st.step)
		// The bias corrections as two scalars (see the package doc):
		// θ ← θ − (η/c₁) m / (√v/√c₂ + ε).
		c1, c2 := 1-math.Pow(b1, t), 1-math.Pow(b2, t)
		stepSize, rootC2 := eta/c1, math.Sqrt(c2)
		th, g, m, v := p.Value.Data, p.Grad.Data, st.bufs[0], st.bufs[1]
		g, m, v = g[:len(th)], m[:len(th)], v[:len(th)]
		for i := range th {
			gi := g[i] + l2*th[i]        // Adam's L2: g + λθ
			mi := b1*m[i] + (1-b1)*gi    // m ← β₁m + (1−β₁)g
			vi := b2*v[i] + (1-b2)*gi*gi // v ← β₂v + (1−β₂)g²
			m[i], v[i] = mi, vi
			th[i] = decay*th[i] - stepSize*mi/(math.Sqrt(vi)/rootC2+eps)
		}
		p.Grad.Zero()
	}
}

// State returns the moments of params, named "<param>.exp_avg" (m) and
// "<param>.exp_avg_sq" (v), and their step counts "<param>.step", sharing
// memory with the optimiser.
func (o *Adam) State(params []*layers.Param) map[string]*tensor.Tensor {
	return o.slots.stateOf(params)
}

// LoadState copies state written by State back into the optimiser, for the
// parameters params (matched by name). Every parameter must have its state,
// of its shape and finite. On error nothing has changed.
func (o *Adam) LoadState(params []*layers.Param, state map[string]*tensor.Tensor) error {
	if o.slots.names == nil {
		o.slots.names = []string{"exp_avg", "exp_avg_sq"}
	}
	return o.slots.load("Adam.LoadState", params, state)
}

// String describes the optimiser, e.g. "AdamW(lr 0.001, weight decay 0.05)".
func (o *Adam) String() string {
	name := "Adam"
	if o.Decoupled {
		name = "AdamW"
	}
	s := fmt.Sprintf("%s(lr %g", name, o.LR)
	if o.Beta1 != 0.9 || o.Beta2 != 0.999 {
		s += fmt.Sprintf(", betas %g, %g", o.Beta1, o.Beta2)
	}
	if o.Eps != 1e-8 {
		s += fmt.Sprintf(", eps %g", o.Eps)
	}
	if o.WeightDecay != 0 {
		s += fmt.Sprintf(", weight decay %g", o.WeightDecay)
	}
	return s + ")"
}
