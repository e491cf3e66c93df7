package train

import (
	"runtime"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// The data-parallel tail of a training step.
//
// On two cores, a step of the homework's network shares its large
// products between the cores: the first layer's forward product and its
// weight step. Everything between those two ran on one core while the
// other waited: the ReLU, the output layer, the loss, and back. That is
// about 17 of the 40 ms a 2-thread epoch of 784-128-10 lost against half
// a 1-thread one (docs/performance.md, fifth round), and none of its
// products is large enough to share.
//
// So the step cuts the batch's rows instead, for a Sequential of a Linear
// layer followed by ReLU and Linear layers, trained with plain SGD:
//
//  1. the first layer's forward product, Z¹ = X·W¹ᵀ + b¹, shared by the
//     cores as always;
//  2. tensor.Parallel: each of two parts takes half of the rows of Z¹
//     through the rest of the network on twins of its layers (the same
//     parameters, buffers of their own), through a loss of its own, and
//     back to the rows of δ¹ = ∂L/∂Z¹, computing only ∂L/∂A on the way
//     (Linear.BackwardInput), with the weights before the step;
//  3. on the caller, each Linear layer's SGD step over the whole batch
//     (Linear.UpdateSGD), from the parts' rows, which each part copied
//     side by side into whole-batch tensors before it returned; the first
//     layer's is shared by the cores as always.
//
// Every number comes out as the unsplit step computes it: a row of a
// product does not depend on the other rows, the loss gradient is divided
// by the whole batch (loss.SoftmaxCrossEntropy.BackwardFor), the weight
// steps see the whole batch in the same order, and the batch's loss is the
// sum of the per-sample losses in row order, divided by the batch size.
// TestSplitStepSameBits checks that the weights after many steps are the
// same bits either way.

// minSplitRows is the smallest batch a step cuts in two: below it, each
// half's work is too short to be worth handing to another core.
const minSplitRows = 16

// splitStep runs steps cut as above. It is built once per training run,
// for one model.
type splitStep struct {
	first  *layers.Linear
	tail   []layers.Layer   // the model's other layers, in order
	linear []*layers.Linear // the Linear layers of tail, in order
	parts  [2]splitPart

	// The whole batch, assembled from the parts for the weight steps:
	// each part copies its rows in (splitPart.copyRows), on its own core.
	ins    []*tensor.Tensor // the input of each tail Linear layer
	deltas []*tensor.Tensor // ∂L/∂Z of each tail Linear layer
	delta1 *tensor.Tensor   // ∂L/∂Z¹
	probs  *tensor.Tensor   // the softmax probabilities, for the error rate

	n   int            // the rows of the current batch
	run func(part int) // runs a part of the current batch, made once (a closure per step would allocate)
}

// splitPart is one half of the batch's rows and what it needs to take
// them through the network's tail.
type splitPart struct {
	r0, r1 int
	layers []layers.Layer // twins of splitStep.tail
	ce     loss.SoftmaxCrossEntropy
	in     *tensor.Tensor   // rows r0..r1 of Z¹, a view
	y      []int            // their labels
	ins    []*tensor.Tensor // what each Linear layer of the tail saw
	deltas []*tensor.Tensor // and the ∂L/∂Z it got
	delta1 *tensor.Tensor   // rows r0..r1 of ∂L/∂Z¹
}

// newSplitStep returns a splitStep for model, or nil if the model is not
// a Sequential of a Linear layer followed by ReLU and Linear layers (and
// at least one more layer), or if two of its parameters share a tensor.
func newSplitStep(model layers.Layer) *splitStep {
	seq, ok := model.(*layers.Sequential)
	if !ok {
		return nil
	}
	ls := seq.Layers()
	if len(ls) < 2 {
		return nil
	}
	first, ok := ls[0].(*layers.Linear)
	if !ok {
		return nil
	}
	if seq.Tied() {
		return nil // each layer's step over the whole batch would be wrong
	}
	s := &splitStep{first: first, tail: ls[1:]}
	for _, l := range s.tail {
		switch l := l.(type) {
		case *layers.ReLU:
		case *layers.Linear:
			s.linear = append(s.linear, l)
		default:
			return nil
		}
	}
	if len(s.linear) == 0 {
		return nil // the logits would be a ReLU's output
	}
	for p := range s.parts {
		part := &s.parts[p]
		part.in = &tensor.Tensor{Shape: []int{0, first.Out()}}
		for _, l := range s.tail {
			switch l := l.(type) {
			case *layers.ReLU:
				part.layers = append(part.layers, layers.NewReLU())
			case *layers.Linear:
				part.layers = append(part.layers, l.Twin())
			}
		}
		part.ins = make([]*tensor.Tensor, len(s.linear))
		part.deltas = make([]*tensor.Tensor, len(s.linear))
	}
	s.ins = make([]*tensor.Tensor, len(s.linear))
	s.deltas = make([]*tensor.Tensor, len(s.linear))
	s.run = func(p int) {
		part := &s.parts[p]
		part.run(s.n)
		part.copyRows(s)
	}
	return s
}

// use reports whether the batch x, y is cut in two. A batch whose labels
// do not fit (too few, too many, out of range) is not: the whole step
// then panics with the loss's message, naming the sample by its row in the
// batch. A part's panic would reach the caller too (tensor.Parallel raises
// it again there), but would name the sample by its row in the part.
func (s *splitStep) use(x *tensor.Tensor, y []int) bool {
	if s == nil || x.Rows() < minSplitRows || len(y) != x.Rows() || runtime.GOMAXPROCS(0) == 1 {
		return false
	}
	classes := s.classes()
	for _, c := range y {
		if c < 0 || c >= classes {
			return false
		}
	}
	return true
}

// step is one plain SGD step with learning rate lr on the batch x, y,
// computed as described above. It returns the batch's mean loss and its
// softmax probabilities, which belong to s.
func (s *splitStep) step(ce *loss.SoftmaxCrossEntropy, x *tensor.Tensor, y []int, lr float64) (float64, *tensor.Tensor) {
	n := x.Rows()
	s.n = n
	z1 := s.first.Forward(x)
	cols := z1.Cols()
	var work float64 // for the pacing rule: the tail's forward and input-gradient products
	for _, l := range s.linear {
		work += 4 * float64(n) * float64(l.In()) * float64(l.Out())
	}
	for p := range s.parts {
		part := &s.parts[p]
		part.r0, part.r1 = p*n/2, (p+1)*n/2
		part.in.Data = z1.Data[part.r0*cols : part.r1*cols]
		part.in.Shape[0] = part.r1 - part.r0
		part.y = y[part.r0:part.r1]
		part.ce.Smoothing = ce.Smoothing // checked by Run
	}
	// The whole-batch tensors the parts copy their rows into. Copying on
	// the parts' cores rather than here after them halves the time the
	// copies take, and leaves each row in the cache of the core that
	// computed it, where the weight steps below read it.
	for k, l := range s.linear {
		s.ins[k] = layers.Resize(s.ins[k], n, l.In())
		s.deltas[k] = layers.Resize(s.deltas[k], n, l.Out())
	}
	s.delta1 = layers.Resize(s.delta1, n, cols)
	s.probs = layers.Resize(s.probs, n, s.classes())
	tensor.Parallel(len(s.parts), work, s.run)

	// The weight steps, each over the whole batch. Their order does not
	// matter: each moves its own layer's parameters, and every ∂L/∂A was
	// computed with the weights before the step.
	for k, l := range s.linear {
		l.UpdateSGD(s.deltas[k], s.ins[k], lr)
	}
	s.first.BackwardSGD(s.delta1, lr, false)

	// The loss as SoftmaxCrossEntropy.Forward sums it, sample by sample
	// in row order.
	var total float64
	for p := range s.parts {
		for _, v := range s.parts[p].ce.Losses() {
			total += v
		}
	}
	return total / float64(n), s.probs
}

// classes returns the width of the logits: the last Linear layer's.
func (s *splitStep) classes() int {
	return s.linear[len(s.linear)-1].Out()
}

// copyRows copies the part's rows r0..r1 of what the weight steps and the
// caller need into s's whole-batch tensors. Parts copy disjoint rows, so
// they can do it at the same time.
func (part *splitPart) copyRows(s *splitStep) {
	rows := func(dst, src *tensor.Tensor) {
		cols := dst.Cols()
		copy(dst.Data[part.r0*cols:part.r1*cols], src.Data)
	}
	for k := range s.ins {
		rows(s.ins[k], part.ins[k])
		rows(s.deltas[k], part.deltas[k])
	}
	rows(s.delta1, part.delta1)
	rows(s.probs, part.ce.Probs())
}

// run takes the part's rows through the tail of the network and back, for
// a batch of n rows in all.
func (part *splitPart) run(n int) {
	h := part.in
	k := 0
	for _, l := range part.layers {
		if _, ok := l.(*layers.Linear); ok {
			part.ins[k] = h
			k++
		}
		h = l.Forward(h)
	}
	part.ce.Forward(h, part.y)
	d := part.ce.BackwardFor(n)
	for i := len(part.layers) - 1; i >= 0; i-- {
		if l, ok := part.layers[i].(*layers.Linear); ok {
			k--
			part.deltas[k] = d
			d = l.BackwardInput(d)
		} else {
			d = part.layers[i].Backward(d)
		}
	}
	part.delta1 = d
}
