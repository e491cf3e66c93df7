package train

import (
	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// Loss is what Step and Run need of a loss function: the batch's mean loss
// for the network's outputs (one row per sample) and the labels, and then
// its gradient with respect to those outputs. loss.SoftmaxCrossEntropy and
// loss.MSE are two; a student's own loss needs only these methods.
type Loss interface {
	// Forward returns the mean loss of the batch and keeps what Backward
	// needs.
	Forward(logits *tensor.Tensor, labels []int) float64
	// Backward returns ∂L/∂logits for the last Forward.
	Backward() *tensor.Tensor
}

// Step runs one update of opt (for example a *layers.SGD) on the batch
// (x, y) with the loss lf and returns the batch's loss (before the
// update). It allocates nothing once the buffers of the model, the loss
// and the optimiser exist. It is the four lines of the package
// documentation; Run takes the same step with less work, with the same
// bits (see the package documentation).
func Step(model layers.Layer, lf Loss, opt optim.Optimizer, x *tensor.Tensor, y []int) float64 {
	l := lf.Forward(model.Forward(x), y)
	model.Backward(lf.Backward())
	opt.Step(model.Params())
	return l
}

// stepper takes Run's steps, with the bits of Step but less work.
//
// For a Sequential whose layers are all this library's (a layer of your
// own goes through Sequential's Forward and Backward, which name it when
// its shapes are wrong), it runs the layers itself, which lets it skip
// what nobody needs:
//
//   - the gradient with respect to the input of the first layer with
//     parameters, a Linear layer's ∂L/∂A = Δ W or a Conv2d's ∂L/∂X (and
//     the backward passes of the layers without parameters before it, such
//     as an Unflatten): it is the gradient with respect to the data, which
//     no optimiser uses; for the homework's network a quarter of the
//     training step;
//   - with plain SGD and no hooks, the stored weight gradient: each Linear
//     layer's step is taken as soon as its Δ is known, W ← W − lr·Δᵀ·A as
//     one product into W (fused.GemmSGD), which saves three passes over
//     memory the size of W (writing ∂L/∂W, reading it back with W, zeroing
//     it): on the Zen 4 machine 1–9% of a training epoch on one core and
//     6–15% on two. Layers of other types take Backward and then their own
//     SGD step. A network in which two layers share a parameter is not
//     fused: that parameter's gradient is complete only at the end.
//
// The fused step needs the gradients to be zero, so the first step is
// always unfused (the optimiser zeroes them); fused steps leave them zero.
// On more than one core a fused step of a Linear–ReLU network with the
// softmax cross-entropy is also cut by rows of the batch (split.go), and
// the ReLU and MaxPool2d layers of any network share their elements and
// image planes between the cores (layerForward, layerBackward): their own
// methods, which the course kit hands to students, run on one core.
//
// A BatchNorm2d followed by a ReLU and a MaxPool2d, the block of a
// convolutional network, runs as one pass each way (fused.Block), channel
// by channel, plane by plane, instead of three passes over the batch:
// about three quarters of the three layers' time, which made the CNN's
// epoch of docs/performance.md 5–10% shorter. Blocks are made only after
// the network's first layer with parameters, where the backward pass
// stops, so that a block that runs forward runs back too. A step with
// hooks runs every layer on its own, so that a hook finds each layer's
// buffers as its own passes leave them.
type stepper struct {
	model  layers.Layer
	loss   Loss
	opt    optim.Optimizer
	seq    []layers.Layer    // the model's layers, or nil to use model.Forward and Backward
	first  int               // the index in seq of the first layer with parameters
	params [][]*layers.Param // each layer's Params
	blocks []fused.Block     // at a BatchNorm2d followed by ReLU and MaxPool2d, the three as one, or nil
	ins    []*tensor.Tensor  // each layer's input in this step
	da     []*tensor.Tensor  // ∂L/∂A of each Linear layer, in a fused step
	fuse   bool              // plain SGD and no shared parameters
	sgd    layers.SGD        // the fused steps' rule for layers other than Linear
	split  *splitStep        // the fused step cut by rows, or nil
	steps  int               // steps taken so far
}

func newStepper(model layers.Layer, lf Loss, opt optim.Optimizer) *stepper {
	s := &stepper{model: model, loss: lf, opt: opt, seq: ownLayers(model)}
	if s.seq == nil {
		return s
	}
	s.first = len(s.seq)
	for i, l := range s.seq {
		s.params = append(s.params, l.Params())
		if len(s.params[i]) > 0 {
			s.first = min(s.first, i)
		}
	}
	s.blocks = findBlocks(s.seq, s.first+1)
	s.ins = make([]*tensor.Tensor, len(s.seq))
	s.da = make([]*tensor.Tensor, len(s.seq))
	s.fuse = plainSGD(opt) && !tied(model.Params())
	if s.fuse {
		s.split = newSplitStep(s.seq, lf)
	}
	return s
}

// step runs one update at learning rate lr (already set in the optimiser)
// on the batch (x, y) and returns the batch's loss and error rate before
// the update. With hooks, info describes the update to them.
func (s *stepper) step(x *tensor.Tensor, y []int, lr float64, hooks []Hook, info *StepInfo) (l, errRate float64) {
	s.steps++
	var logits *tensor.Tensor
	if len(hooks) == 0 && s.fuse && s.steps > 1 {
		if s.split.use(x, y) {
			l, logits = s.split.step(x, y, lr)
		} else {
			l, logits = s.fused(x, y, lr)
		}
		return l, loss.ErrorRate(logits, y)
	}
	l, logits = s.gradients(x, y, len(hooks) == 0)
	errRate = loss.ErrorRate(logits, y) // now: a hook may run the model
	if len(hooks) > 0 {
		info.Loss = l
		hookGradients(hooks, info)
	}
	s.opt.Step(s.model.Params())
	if len(hooks) > 0 {
		hookUpdated(hooks, info)
	}
	return l, errRate
}

// forward runs the layers one by one, keeping each one's input, or with
// blocks the three layers of each block as one (fused.Block).
func (s *stepper) forward(x *tensor.Tensor, blocks bool) *tensor.Tensor {
	if !blocks {
		return forwardLayers(s.seq, nil, x, s.ins)
	}
	return forwardLayers(s.seq, s.blocks, x, s.ins)
}

// block returns the block that ends with layer i, if the step's forward
// pass ran it.
func (s *stepper) block(i int, blocks bool) fused.Block {
	if !blocks || i < 2 {
		return nil
	}
	return s.blocks[i-2]
}

// layerForward returns l.Forward(x), shared between the cores where
// package layers has a shared pass for l that its Forward cannot use
// (ReLU, MaxPool2d: see fused.Forward), with the same bits.
func layerForward(l layers.Layer, x *tensor.Tensor) *tensor.Tensor {
	if y, ok := fused.Forward(l, x); ok {
		return y.(*tensor.Tensor)
	}
	return l.Forward(x)
}

// layerBackward returns l.Backward(d), shared as layerForward does.
func layerBackward(l layers.Layer, d *tensor.Tensor) *tensor.Tensor {
	if dx, ok := fused.Backward(l, d); ok {
		return dx.(*tensor.Tensor)
	}
	return l.Backward(d)
}

// gradients runs the forward and backward passes, leaving every parameter's
// gradient in its Grad (for a hook to look at and the optimiser to use),
// and returns the loss and the network's outputs. With blocks, the layers
// of each block run as one; without, every layer runs on its own, so that
// a hook finds each layer's buffers as its own passes leave them.
func (s *stepper) gradients(x *tensor.Tensor, y []int, blocks bool) (float64, *tensor.Tensor) {
	if s.seq == nil {
		logits := s.model.Forward(x)
		l := s.loss.Forward(logits, y)
		s.model.Backward(s.loss.Backward())
		return l, logits
	}
	logits := s.forward(x, blocks)
	l := s.loss.Forward(logits, y)
	d := s.loss.Backward()
	for i := len(s.seq) - 1; i > s.first; i-- {
		if b := s.block(i, blocks); b != nil {
			d = b.Backward(d).(*tensor.Tensor)
			i -= 2
			continue
		}
		d = layerBackward(s.seq[i], d)
	}
	if s.first < len(s.seq) {
		s.paramGradients(s.first, d)
	}
	return l, logits
}

// paramGradients adds the parameter gradients of layer i, whose output
// gradient is d, without its input gradient if it can (see stepper).
func (s *stepper) paramGradients(i int, d *tensor.Tensor) {
	switch l := s.seq[i].(type) {
	case *layers.Linear:
		// Linear.Backward's parameter gradients without its ∂L/∂A.
		tensor.Gemm(true, false, 1, d, s.ins[i], 1, l.W.Grad) // ∂L/∂W += Δᵀ A
		tensor.SumRows(l.B.Grad.Data, d)                      // ∂L/∂b += Σᵢ Δᵢ
	default:
		if !fused.ParamGradients(l, d) {
			l.Backward(d)
		}
	}
}

// fused is a plain SGD step taken during the backward pass (see stepper).
func (s *stepper) fused(x *tensor.Tensor, y []int, lr float64) (float64, *tensor.Tensor) {
	logits := s.forward(x, true)
	l := s.loss.Forward(logits, y)
	d := s.loss.Backward()
	s.sgd.LR = lr
	for i := len(s.seq) - 1; i >= s.first; i-- {
		if b := s.block(i, true); b != nil {
			d = b.Backward(d).(*tensor.Tensor)
			i -= 2
			s.sgd.Step(s.params[i]) // the BatchNorm2d's; ReLU and MaxPool2d have none
			continue
		}
		lin, ok := s.seq[i].(*layers.Linear)
		if !ok {
			if i > s.first {
				d = layerBackward(s.seq[i], d)
			} else {
				s.paramGradients(i, d)
			}
			s.sgd.Step(s.params[i])
			continue
		}
		var da *tensor.Tensor
		if i > s.first { // ∂L/∂A = Δ W, with W before its step
			s.da[i] = layers.Resize(s.da[i], d.Rows(), lin.In())
			tensor.Gemm(false, false, 1, d, lin.W.Value, 0, s.da[i])
			da = s.da[i]
		}
		stepLinear(lin, d, s.ins[i], lr)
		d = da
	}
	return l, logits
}

// stepLinear takes the plain SGD step of a Linear layer whose input was a
// and whose ∂L/∂Z is d, without storing ∂L/∂W, with the bits of Backward
// and SGD.Step. The layer's gradients must be zero; they stay zero.
func stepLinear(l *layers.Linear, d, a *tensor.Tensor, lr float64) {
	fused.GemmSGD(true, false, l.Out(), l.In(), d.Rows(), lr, d.Data, a.Data, l.W.Grad.Data, l.W.Value.Data) // W −= lr·Δᵀ A
	tensor.SumRows(l.B.Grad.Data, d)                                                                         // ∂L/∂b = Σᵢ Δᵢ
	tensor.AxpyZero(-lr, l.B.Grad, l.B.Value)                                                                // b −= lr·∂L/∂b, then ∂L/∂b = 0
}

// plainSGD reports whether opt is plain SGD, θ ← θ − lr·g with nothing
// else: layers.SGD, or optim.SGD without momentum or weight decay.
func plainSGD(opt optim.Optimizer) bool {
	switch o := opt.(type) {
	case *layers.SGD:
		return true
	case *optim.SGD:
		return o.Momentum == 0 && o.WeightDecay == 0 && !o.Nesterov
	}
	return false
}

// tied reports whether two parameters share a tensor (tied weights).
func tied(params []*layers.Param) bool {
	seen := make(map[*tensor.Tensor]bool)
	for _, p := range params {
		if seen[p.Value] || seen[p.Grad] {
			return true
		}
		seen[p.Value], seen[p.Grad] = true, true
	}
	return false
}
