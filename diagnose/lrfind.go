package diagnose

import (
	"errors"
	"fmt"
	"math"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/train"
)

// LRFindOptions sets the learning-rate range test; the zero value runs 100
// steps from 1e-5 to 10.
type LRFindOptions struct {
	Min, Max float64 // the first and the last learning rate; 0 means 1e-5 and 10
	Steps    int     // updates; 0 means 100
	// Beta is the weight of the exponential moving average that smooths the
	// noisy batch losses; 0 means 0.9 (about the last 10 steps).
	Beta float64
	// StopFactor ends the test early once the smoothed loss exceeds this
	// many times its best value: the rate has passed the edge of stability.
	// 0 means 4.
	StopFactor float64
}

// LRFind is the result of a learning-rate range test.
type LRFind struct {
	LR       []float64 // the learning rate of each step
	Loss     []float64 // the loss before each step
	Smoothed []float64 // its bias-corrected moving average
	// Best is the rate at which the smoothed loss was lowest, Suggested
	// the rate to train with: Best/10.
	Best, Suggested float64
}

// RangeTest runs the learning-rate range test (Smith 2015, "Cyclical
// learning rates"; fast.ai's lr_find): one short run whose learning rate
// grows exponentially, lrₖ = Min·(Max/Min)^(k/(Steps−1)), recording the loss
// of every step. While the rate is too small the loss hardly moves; then it
// falls faster and faster; past the edge of stability it shoots up. The rate
// with the lowest smoothed loss is already at that edge (the loss was still
// falling only because the steps before were smaller), so the suggestion is
// a tenth of it, the rule of thumb of fast.ai: large, but safely stable.
//
// step(lr) must take one optimisation step at learning rate lr and return
// the loss measured before it. It is a function so that anything can be
// tested, a network (RangeTestModel) or a parabola.
func RangeTest(step func(lr float64) float64, opts LRFindOptions) (*LRFind, error) {
	lo, hi, n := opts.Min, opts.Max, opts.Steps
	if lo <= 0 {
		lo = 1e-5
	}
	if hi <= 0 {
		hi = 10
	}
	if n <= 1 {
		n = 100
	}
	beta, stop := opts.Beta, opts.StopFactor
	if beta <= 0 || beta >= 1 {
		beta = 0.9
	}
	if stop <= 1 {
		stop = 4
	}
	if !(lo < hi) {
		return nil, fmt.Errorf("diagnose: RangeTest: learning rates from %g to %g", lo, hi)
	}
	r := &LRFind{}
	avg, best := 0.0, math.Inf(1)
	for k := range n {
		lr := lo * math.Pow(hi/lo, float64(k)/float64(n-1))
		l := step(lr)
		if math.IsNaN(l) || math.IsInf(l, 0) {
			break
		}
		avg = beta*avg + (1-beta)*l
		s := avg / (1 - math.Pow(beta, float64(k+1))) // bias correction, as in Adam
		r.LR = append(r.LR, lr)
		r.Loss = append(r.Loss, l)
		r.Smoothed = append(r.Smoothed, s)
		if s < best {
			best, r.Best = s, lr
		}
		if s > stop*best {
			break
		}
	}
	if len(r.LR) == 0 {
		return r, errors.New("diagnose: RangeTest: the loss was not finite from the first step")
	}
	r.Suggested = r.Best / 10
	return r, nil
}

// RangeTestModel runs RangeTest on a network: plain SGD on batches drawn
// from batches, with the softmax cross-entropy loss. The model's parameters
// are restored afterwards (the test has wrecked them), so it can be trained
// from its initial weights next. A batch of one sample after larger ones
// (the short last batch of an epoch) is left out, so a model with batch
// norm can be tested on any batch size but 1.
func RangeTestModel(model train.Model, batches train.Batches, opts LRFindOptions) (*LRFind, error) {
	saved := snapshot(model.Params())
	defer restore(model.Params(), saved)
	defer model.SetTraining(model.Training())
	model.SetTraining(true)
	var ce loss.SoftmaxCrossEntropy
	sgd := &layers.SGD{}
	wide := false // a batch of more than one sample has come
	return RangeTest(func(lr float64) float64 {
		x, y, ok := batches.Next()
		for ; ; x, y, ok = batches.Next() {
			if !ok {
				x, y, _ = batches.Next()
			}
			// A short last batch of one sample is left out, as
			// PyTorch's DataLoader(drop_last=True) would: batch norm
			// cannot train on it, and one sample's step is noise.
			if !wide || x.Rows() != 1 {
				break
			}
		}
		wide = wide || x.Rows() > 1
		sgd.LR = lr
		return train.Step(model, &ce, sgd, x, y)
	}, opts)
}
