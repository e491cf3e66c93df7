package layers

import "github.com/backprop-go/backprop/tensor"

// SGD is plain stochastic gradient descent: θ ← θ − LR·∂L/∂θ. It is the
// homework's optimiser and the simplest case of optim.SGD; package optim
// adds momentum, weight decay, Adam and AdamW behind the same Step.
type SGD struct {
	// LR is the learning rate (step size).
	LR float64
}

// Step moves every parameter against its gradient, p ← p − LR·g, and then
// zeroes the gradients, ready for the next batch's Backward to accumulate
// into them. Both happen in one pass over each parameter
// ([tensor.AxpyZero]).
func (o *SGD) Step(params []*Param) {
	for _, p := range params {
		tensor.AxpyZero(-o.LR, p.Grad, p.Value)
	}
}

// ZeroGrads sets every parameter's gradient to zero. Backward accumulates
// into the gradients, so call it (or let SGD.Step do it) between batches.
func ZeroGrads(params []*Param) {
	for _, p := range params {
		p.Grad.Zero()
	}
}

// SetLR sets the learning rate of the next Step, so that SGD satisfies the
// optim.Optimizer interface that learning-rate schedules drive.
func (o *SGD) SetLR(lr float64) { o.LR = lr }
