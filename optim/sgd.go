package optim

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, as torch.optim.SGD (without dampening):
//
//	g ← g + λ θ           (WeightDecay λ)
//	v ← μ v + g           (Momentum μ; v starts at 0)
//	θ ← θ − η v           or, with Nesterov,  θ ← θ − η (g + μ v).
//
// With Momentum 0 and WeightDecay 0 it is plain SGD, θ ← θ − η g, the same
// update as layers.SGD. The zero value is plain SGD with learning rate 0; set
// LR (or let a schedule call SetLR).
type SGD struct {
	LR          float64 // learning rate η
	Momentum    float64 // μ in [0, 1); 0 turns momentum off
	Nesterov    bool    // use Nesterov's look-ahead form (needs Momentum > 0)
	WeightDecay float64 // λ ≥ 0, the L2 coefficient added to the gradient

	slots slots
}

// SetLR sets the learning rate of the next Step.
func (o *SGD) SetLR(lr float64) { o.LR = lr }

func (o *SGD) check() {
	if !(o.Momentum >= 0 && o.Momentum < 1) {
		panic(fmt.Sprintf("optim: SGD: momentum %g outside [0, 1)", o.Momentum))
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		panic(fmt.Sprintf("optim: SGD: weight decay %g is not a number ≥ 0", o.WeightDecay))
	}
	if o.Nesterov && o.Momentum == 0 {
		panic("optim: SGD: Nesterov needs a momentum > 0")
	}
}

// Step updates every parameter by the rule above and zeroes its gradient.
// It allocates only the first time it sees a parameter, for its velocity.
func (o *SGD) Step(params []*layers.Param) {
	o.check()
	eta, mu, wd := o.LR, o.Momentum, o.WeightDecay
	if mu == 0 {
		for _, p := range params {
			if wd != 0 {
				tensor.Axpy(wd, p.Value, p.Grad) // g += λθ
			}
			tensor.AxpyZero(-eta, p.Grad, p.Value) // θ −= ηg, then g = 0, in one pass
		}
		return
	}
	if o.slots.names == nil {
		o.slots.names = []string{"momentum_buffer"}
	}
	for _, p := range params {
		st := o.slots.get("SGD.Step", p)
		st.step++
		th, g, v := p.Value.Data, p.Grad.Data, st.bufs[0]
		g, v = g[:len(th)], v[:len(th)] // one bounds check for the loop
		for i := range th {
			gi := g[i] + wd*th[i] // g + λθ
			vi := mu*v[i] + gi    // v ← μv + g
			v[i] = vi
			if o.Nesterov {
				th[i] -= eta * (gi + mu*vi) // θ ← θ − η(g + μv)
			} else {
				th[i] -= eta * vi // θ ← θ − ηv
			}
		}
		p.Grad.Zero()
	}
}

// State returns the velocities of params, named "<param>.momentum_buffer",
// and their step counts "<param>.step", sharing memory with the optimiser.
// Without momentum SGD keeps no state and the map is empty.
func (o *SGD) State(params []*layers.Param) map[string]*tensor.Tensor {
	return o.slots.stateOf(params)
}

// LoadState copies state written by State back into the optimiser, for the
// parameters params (matched by name). Every parameter must have its state
// (of its shape, finite), unless SGD has no momentum and state is empty. On
// error nothing has changed.
func (o *SGD) LoadState(params []*layers.Param, state map[string]*tensor.Tensor) error {
	if o.Momentum == 0 && len(state) == 0 {
		return nil // plain SGD keeps no state
	}
	if o.slots.names == nil {
		o.slots.names = []string{"momentum_buffer"}
	}
	return o.slots.load("SGD.LoadState", params, state)
}

// String describes the optimiser, e.g. "SGD(lr 0.1, momentum 0.9, Nesterov)".
func (o *SGD) String() string {
	s := fmt.Sprintf("SGD(lr %g", o.LR)
	if o.Momentum != 0 {
		s += fmt.Sprintf(", momentum %g", o.Momentum)
	}
	if o.Nesterov {
		s += ", Nesterov"
	}
	if o.WeightDecay != 0 {
		s += fmt.Sprintf(", weight decay %g", o.WeightDecay)
	}
	return s + ")"
}
