package train

import "github.com/backprop-go/backprop/layers"

// bestKeeper follows the validation runs for early stopping and
// restore-best: the best point so far, how many runs have passed without
// beating it, and (for restore-best) a copy of the parameters it had.
type bestKeeper struct {
	point Point
	seen  bool
	stale int         // validation runs in a row that did not beat point
	saved [][]float64 // parameter values at point, one per Param
	at    int         // the update saved holds, 0 for none
}

// better reports whether p beats q: a lower error, or the same error and a
// lower loss.
func better(p, q Point) bool {
	return p.Error < q.Error || (p.Error == q.Error && p.Loss < q.Loss)
}

// observe records validation point p of the model whose parameters are
// params, keeps a copy of them when p is the best so far and keep is set,
// and reports whether patience has run out.
func (b *bestKeeper) observe(p Point, params []*layers.Param, keep bool, patience int) (stop bool) {
	if !b.seen || better(p, b.point) {
		b.point, b.seen, b.stale = p, true, 0
		if keep {
			if b.saved == nil { // the only allocation: one copy of the weights
				b.saved = make([][]float64, len(params))
				for i, q := range params {
					b.saved[i] = make([]float64, len(q.Value.Data))
				}
			}
			for i, q := range params {
				copy(b.saved[i], q.Value.Data)
			}
			b.at = p.Update
		}
		return false
	}
	b.stale++
	return patience > 0 && b.stale >= patience
}

// restore copies the kept parameters back into params and reports whether
// that changed the model (false when the last validation was the best).
func (b *bestKeeper) restore(params []*layers.Param) bool {
	if b.saved == nil {
		return false
	}
	changed := false
	for i, q := range params {
		for j, v := range b.saved[i] {
			if q.Value.Data[j] != v {
				changed = true
				break
			}
		}
		copy(q.Value.Data, b.saved[i])
	}
	return changed
}
