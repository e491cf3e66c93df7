package train

import (
	"runtime"

	"github.com/backprop-go/backprop/internal/parallel"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// The fused step cut by rows of the batch.
//
// On two cores, a step of the homework's network shares its large
// products between the cores: the first layer's forward product and its
// weight step. Everything between those two would run on one core while
// the other waited: the ReLU, the output layer, the loss, and back. On the
// Zen 4 machine that was about 17 of the 40 ms a 2-thread epoch of
// 784-128-10 lost against half a 1-thread one, and none of those products
// is large enough to share.
//
// So the step cuts the batch's rows instead, for a Sequential of a Linear
// layer followed by ReLU and Linear layers, trained with plain SGD:
//
//  1. the first layer's forward product, Z¹ = X·W¹ᵀ + b¹, shared by the
//     cores as always;
//  2. parallel.Do: each of two parts takes half of the rows of Z¹ forward
//     through the rest of the network, on layers of its own (Linear layers
//     built on the model's W and b, so the same parameters with buffers of
//     their own, and ReLUs of its own);
//  3. the loss of the whole batch and its gradient, on the caller;
//  4. parallel.Do again: each part takes its rows of the gradient back to
//     the rows of δ¹ = ∂L/∂Z¹, computing only ∂L/∂A = Δ W on the way, with
//     the weights before the step;
//  5. on the caller, each Linear layer's SGD step over the whole batch
//     (stepLinear), from the parts' rows, which each part copied side by
//     side into whole-batch tensors; the first layer's is shared by the
//     cores as always.
//
// Every number comes out as the unsplit step computes it: a row of a
// product does not depend on the other rows, the loss sees the whole
// batch, and the weight steps see the whole batch in the same order.
// TestSplitStepSameBits checks that the weights after many steps are the
// same bits either way.

// minSplitRows is the smallest batch a step cuts in two: below it, each
// half's work is too short to be worth handing to another core.
const minSplitRows = 16

// splitStep runs steps cut as above. It is built once per training run,
// for one model.
type splitStep struct {
	first  *layers.Linear
	linear []*layers.Linear // the Linear layers after the first, in order
	parts  [2]splitPart

	// The whole batch, assembled from the parts: each part copies its rows
	// in, on its own core.
	ins    []*tensor.Tensor // the input of each Linear layer of linear
	deltas []*tensor.Tensor // ∂L/∂Z of each Linear layer of linear
	delta1 *tensor.Tensor   // ∂L/∂Z¹
	logits *tensor.Tensor   // the network's outputs

	grad              *tensor.Tensor // the loss's gradient, for the backward half
	work              float64        // the work of each half, for the pacing rule
	forward, backward func(part int) // made once (a closure per step would allocate)
}

// splitPart is one half of the batch's rows and what it needs to take
// them through the layers after the first.
type splitPart struct {
	r0, r1 int
	layers []layers.Layer   // the layers after the first, of this part's own
	in     *tensor.Tensor   // rows r0..r1 of Z¹, a view
	grad   *tensor.Tensor   // rows r0..r1 of the loss's gradient, a view
	da     []*tensor.Tensor // ∂L/∂A of each Linear layer
}

// newSplitStep returns a splitStep for a Sequential with layers ls, or nil
// if they are not a Linear layer followed by ReLU and Linear layers, the
// last one Linear.
func newSplitStep(ls []layers.Layer) *splitStep {
	if len(ls) < 2 {
		return nil
	}
	first, ok := ls[0].(*layers.Linear)
	if !ok {
		return nil
	}
	if _, ok := ls[len(ls)-1].(*layers.Linear); !ok {
		return nil
	}
	s := &splitStep{first: first}
	for p := range s.parts {
		part := &s.parts[p]
		part.in = &tensor.Tensor{Shape: []int{0, first.Out()}}
		part.grad = &tensor.Tensor{Shape: []int{0, 0}}
		for _, l := range ls[1:] {
			switch l := l.(type) {
			case *layers.ReLU:
				part.layers = append(part.layers, layers.NewReLU())
			case *layers.Linear:
				part.layers = append(part.layers, &layers.Linear{W: l.W, B: l.B})
				if p == 0 {
					s.linear = append(s.linear, l)
				}
			default:
				return nil
			}
		}
		part.da = make([]*tensor.Tensor, len(s.linear))
	}
	s.ins = make([]*tensor.Tensor, len(s.linear))
	s.deltas = make([]*tensor.Tensor, len(s.linear))
	s.forward = func(p int) { s.parts[p].forward(s) }
	s.backward = func(p int) { s.parts[p].backward(s) }
	return s
}

// use reports whether the batch x is cut in two.
func (s *splitStep) use(x *tensor.Tensor) bool {
	return s != nil && x.Rows() >= minSplitRows && runtime.GOMAXPROCS(0) > 1
}

// step is one plain SGD step with learning rate lr on the batch x, y with
// the loss lf, computed as described above. It returns the batch's mean
// loss and the network's outputs, which belong to s.
func (s *splitStep) step(lf Loss, x *tensor.Tensor, y []int, lr float64) (float64, *tensor.Tensor) {
	n := x.Rows()
	z1 := s.first.Forward(x)
	cols := z1.Cols()
	s.work = 0 // for the pacing rule: the products of each half
	for _, l := range s.linear {
		s.work += 2 * float64(n) * float64(l.In()) * float64(l.Out())
	}
	for p := range s.parts {
		part := &s.parts[p]
		part.r0, part.r1 = p*n/2, (p+1)*n/2
		part.in.Data = z1.Data[part.r0*cols : part.r1*cols]
		part.in.Shape[0] = part.r1 - part.r0
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
	s.logits = layers.Resize(s.logits, n, s.linear[len(s.linear)-1].Out())
	parallel.Do(len(s.parts), s.work, s.forward)

	l := lf.Forward(s.logits, y)
	s.grad = lf.Backward()
	parallel.Do(len(s.parts), s.work, s.backward)

	// The weight steps, each over the whole batch. Their order does not
	// matter: each moves its own layer's parameters, and every ∂L/∂A was
	// computed with the weights before the step.
	for k, lin := range s.linear {
		stepLinear(lin, s.deltas[k], s.ins[k], lr)
	}
	stepLinear(s.first, s.delta1, x, lr)
	return l, s.logits
}

// rows copies src, rows r0..r1 of a whole-batch tensor, into dst.
func (part *splitPart) rows(dst, src *tensor.Tensor) {
	cols := dst.Cols()
	copy(dst.Data[part.r0*cols:part.r1*cols], src.Data)
}

// forward takes the part's rows of Z¹ to the network's outputs.
func (part *splitPart) forward(s *splitStep) {
	h := part.in
	k := 0
	for _, l := range part.layers {
		if _, ok := l.(*layers.Linear); ok {
			part.rows(s.ins[k], h)
			k++
		}
		h = l.Forward(h)
	}
	part.rows(s.logits, h)
}

// backward takes the part's rows of the loss's gradient back to δ¹.
func (part *splitPart) backward(s *splitStep) {
	c := s.grad.Cols()
	d := part.grad
	d.Data, d.Shape[0], d.Shape[1] = s.grad.Data[part.r0*c:part.r1*c], part.r1-part.r0, c
	k := len(s.linear)
	for i := len(part.layers) - 1; i >= 0; i-- {
		l, ok := part.layers[i].(*layers.Linear)
		if !ok {
			d = part.layers[i].Backward(d)
			continue
		}
		k--
		part.rows(s.deltas[k], d)
		part.da[k] = layers.Resize(part.da[k], d.Rows(), l.In())
		tensor.Gemm(false, false, 1, d, l.W.Value, 0, part.da[k]) // ∂L/∂A = Δ W
		d = part.da[k]
	}
	part.rows(s.delta1, d)
}
