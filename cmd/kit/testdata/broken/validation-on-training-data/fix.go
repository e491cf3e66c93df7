// Mistake: The training loop "validates" on the training samples instead of the validation set.
// Loses: l
package mlp

import (
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

func Train(net layers.Layer, lossFn Loss, opt Optimizer, x *tensor.Tensor, labels []int, valX *tensor.Tensor, valLabels []int, cfg Config) History {
	n, d := x.Shape[0], x.Shape[1]
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed))
	var h History
	var order []int
	for update := 1; update <= cfg.Updates; update++ {
		if len(order) < cfg.BatchSize {
			order = rng.Perm(n)
		}
		xb := tensor.New(cfg.BatchSize, d)
		yb := make([]int, cfg.BatchSize)
		for i, s := range order[:cfg.BatchSize] {
			copy(xb.Row(i), x.Row(s))
			yb[i] = labels[s]
		}
		order = order[cfg.BatchSize:]
		logits := net.Forward(xb)
		h.Loss = append(h.Loss, lossFn.Forward(logits, yb))
		h.Error = append(h.Error, loss.ErrorRate(logits, yb))
		net.Backward(lossFn.Backward())
		opt.Step(net.Params())
		if update%cfg.EvalEvery == 0 || update == cfg.Updates {
			l, e := Evaluate(net, lossFn, x, labels) // should be valX, valLabels
			h.Val = append(h.Val, Eval{Update: update, Loss: l, Error: e})
		}
	}
	return h
}
