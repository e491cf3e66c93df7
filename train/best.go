package train

import (
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// bestKeeper follows the validation runs for early stopping and
// restore-best: the best point so far, how many runs have passed without
// beating it, and (for restore-best) a copy of the model's state it had:
// the parameters and the buffers that are not parameters (a batch norm's
// running statistics), see stateTensors.
type bestKeeper struct {
	point Point
	seen  bool
	stale int         // validation runs in a row that did not beat point
	saved [][]float64 // the state tensors' values at point
	at    int         // the update saved holds, 0 for none
}

// better reports whether p beats q: a lower error, or the same error and a
// lower loss.
func better(p, q Point) bool {
	return p.Error < q.Error || (p.Error == q.Error && p.Loss < q.Loss)
}

// observe records validation point p of the model whose state is params,
// keeps a copy of it when p is the best so far and keep is set, and reports
// whether patience has run out.
func (b *bestKeeper) observe(p Point, params []*tensor.Tensor, keep bool, patience int) (stop bool) {
	if !b.seen || better(p, b.point) {
		b.point, b.seen, b.stale = p, true, 0
		if keep {
			if b.saved == nil { // the only allocation: one copy of the weights
				b.saved = make([][]float64, len(params))
				for i, q := range params {
					b.saved[i] = make([]float64, len(q.Data))
				}
			}
			for i, q := range params {
				copy(b.saved[i], q.Data)
			}
			b.at = p.Update
		}
		return false
	}
	b.stale++
	return patience > 0 && b.stale >= patience
}

// restore copies the kept state back into params and reports whether that
// changed the model (false when the last validation was the best).
func (b *bestKeeper) restore(params []*tensor.Tensor) bool {
	if b.saved == nil {
		return false
	}
	changed := false
	for i, q := range params {
		for j, v := range b.saved[i] {
			if q.Data[j] != v {
				changed = true
				break
			}
		}
		copy(q.Data, b.saved[i])
	}
	return changed
}

// stateTensors returns every tensor that makes model what it is: the Value
// of each parameter, then its layers.Buffers (the running mean and variance
// of each layers.BatchNorm1d), which evaluation mode uses but no optimiser
// touches. A model that is not layers.Buffered itself but has a Layers
// method (as layers.Sequential has) is searched layer by layer, so a
// student's container that does not list its Buffers is covered too.
func stateTensors(model Model) []*tensor.Tensor {
	var ts []*tensor.Tensor
	for _, p := range model.Params() {
		ts = append(ts, p.Value)
	}
	var walk func(l any)
	walk = func(l any) {
		switch l := l.(type) {
		case layers.Buffered:
			for _, b := range l.Buffers() {
				ts = append(ts, b.Value)
			}
		case interface{ Layers() []layers.Layer }:
			for _, c := range l.Layers() {
				walk(c)
			}
		}
	}
	walk(model)
	return ts
}
