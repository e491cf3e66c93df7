// Mistake: The training loop shuffles the images but takes the labels in their original order, so images and labels no longer match.
// Loses: k
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
	next := n // position in the epoch
	var order []int
	for update := 1; update <= cfg.Updates; update++ {
		if next+cfg.BatchSize > n {
			order, next = rng.Perm(n), 0
		}
		xb := tensor.New(cfg.BatchSize, d)
		yb := make([]int, cfg.BatchSize)
		for i := 0; i < cfg.BatchSize; i++ {
			copy(xb.Row(i), x.Row(order[next+i]))
			yb[i] = labels[next+i] // should be labels[order[next+i]]
		}
		next += cfg.BatchSize
		logits := net.Forward(xb)
		h.Loss = append(h.Loss, lossFn.Forward(logits, yb))
		h.Error = append(h.Error, loss.ErrorRate(logits, yb))
		net.Backward(lossFn.Backward())
		opt.Step(net.Params())
		if update%cfg.EvalEvery == 0 || update == cfg.Updates {
			l, e := Evaluate(net, lossFn, valX, valLabels)
			h.Val = append(h.Val, Eval{Update: update, Loss: l, Error: e})
		}
	}
	return h
}
