package diagnose

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// InitLoss is the first check of CS231n's "babysitting" list: before any
// training, a classifier knows nothing of the labels, so its loss is what
// its logits give on average over labels drawn independently of them.
//
// For one sample with logits z₁ … z_C, mean z̄ and variance
// s² = (1/C) Σₖ (zₖ − z̄)², the cross-entropy averaged over the C labels is
// exactly
//
//	(1/C) Σ_y (log Σₖ e^{zₖ} − z_y) = ln C + log((1/C) Σₖ e^{zₖ−z̄})
//
// and, expanding e^d = 1 + d + d²/2 + … with the deviations d = zₖ − z̄
// (whose mean is 0), log(1 + s²/2 + …) ≈ s²/2: the expected loss is
// ln C + s²/2, or ln C + σ²/2 with σ² the mean of s² over the samples (exact
// for Gaussian logits as C grows, since the mean of e^d is then e^{σ²/2}).
// Logits all equal give ln C = 2.303 for 10 classes. He initialisation,
// which keeps the variance of every layer's output near that of its input,
// gives the homework's 784-256-128-10 network logits of variance 0.35 to 0.8
// (seeds 1 to 3), and so a loss 0.2 to 0.45 above ln C. That is not a
// fault: the loss is what such logits give. The check warns when the loss
// is not what the logits predict (labels that leak into the inputs, a
// network already trained, labels that do not match the outputs), or when
// the logits themselves are far from 0 (weights far too large, inputs not
// normalised), which a loss of several units over ln C shows.
type InitLoss struct {
	Loss     float64 // mean cross-entropy of the untrained model on the samples
	LnC      float64 // ln C, the loss of logits that are all equal
	Variance float64 // σ², the variance of each sample's logits across the classes, averaged over samples
	Expected float64 // ln C + σ²/2, the loss logits of that variance give, knowing nothing of the labels
	Tol      float64 // the allowed |Loss − Expected|
}

// MaxInitSpread is the largest σ²/2 (the excess of the expected loss at
// initialisation over ln C) that InitLoss accepts: logits with a standard
// deviation above √2 make the untrained network confident, which slows the
// start of training and shows weights that are too large. He initialisation
// gives 0.2 to 0.4 on the homework's network.
const MaxInitSpread = 1.0

// OK reports whether the loss is within the tolerance of what the logits'
// variance predicts, and that variance is not too large.
func (r InitLoss) OK() bool {
	return math.Abs(r.Loss-r.Expected) <= r.Tol && r.Variance/2 <= MaxInitSpread
}

// String says what was measured against what it expects and, when it is
// off, what it usually means.
func (r InitLoss) String() string {
	s := fmt.Sprintf("loss at initialisation %.3f, expected %.3f = ln C + σ²/2 = %.3f + %.3f/2 for logits of variance σ² = %.3f (tolerance %.2g)",
		r.Loss, r.Expected, r.LnC, r.Variance, r.Variance, r.Tol)
	switch {
	case math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) || math.IsNaN(r.Variance) || math.IsInf(r.Variance, 0):
		return s + ": WARNING not a number: the forward pass overflows (inputs not normalised? weights far too large?)"
	case r.Variance/2 > MaxInitSpread:
		return s + fmt.Sprintf(": WARNING too high: the untrained network is already confident; its logits are not near 0 "+
			"(σ²/2 = %.2g over ln C, above %g). Usual causes: initial weights too large for the output layer, or inputs not normalised", r.Variance/2, MaxInitSpread)
	case r.Loss > r.Expected+r.Tol:
		return s + ": WARNING too high for the logits' variance: the untrained network is wrong more confidently than chance; " +
			"the labels may not match the outputs"
	case r.Loss < r.Expected-r.Tol:
		return s + ": WARNING too low: an untrained network cannot know the answer; the labels may leak into " +
			"the inputs, or the network was already trained"
	}
	return s + ": ok"
}

// CheckInitLoss measures the mean cross-entropy of model on set and the
// variance of its logits, to be run before training; classes is C. tol 0
// means 0.25, enough for the spread that random initial weights give a
// 784-256-128-10 network on 1,000 images (about ±0.1) and well below what a
// planted leak or a bad weight scale gives (units).
func CheckInitLoss(model train.Model, set *train.Set, classes int, tol float64) InitLoss {
	if tol <= 0 {
		tol = 0.25
	}
	l, _ := train.Evaluate(model, set, 0)
	v := logitVariance(model, set.X)
	lnC := math.Log(float64(classes))
	return InitLoss{Loss: l, LnC: lnC, Variance: v, Expected: lnC + v/2, Tol: tol}
}

// logitVariance returns the variance of each row of model's output on x
// across its columns (dividing by the number of columns), averaged over
// the rows, in evaluation mode.
func logitVariance(model train.Model, x *tensor.Tensor) float64 {
	defer model.SetTraining(model.Training())
	model.SetTraining(false)
	z := model.Forward(x)
	n, c := z.Rows(), z.Cols()
	if n == 0 || c == 0 {
		return math.NaN()
	}
	sum := 0.0
	for i := range n {
		row := z.Row(i)
		mean := 0.0
		for _, v := range row {
			mean += v
		}
		mean /= float64(c)
		ss := 0.0
		for _, v := range row {
			ss += (v - mean) * (v - mean)
		}
		sum += ss / float64(c)
	}
	return sum / float64(n)
}

// Overfit is the result of OverfitBatch.
type Overfit struct {
	Samples int       // the batch size
	LR      float64   // the learning rate of the (last) attempt
	Tried   []float64 // every learning rate tried, in order (RunSanity tries up to three)
	Updates int       // updates run
	Target  float64   // the loss it had to reach
	Losses  []float64 // the batch loss before each update, and after the last
	Reached int       // the first update after which the loss was below Target; 0 if never
}

// OK reports whether the loss reached the target.
func (r Overfit) OK() bool { return r.Reached > 0 }

// String gives the first and last loss and, on failure, the usual causes.
func (r Overfit) String() string {
	first, last := r.Losses[0], r.Losses[len(r.Losses)-1]
	if r.OK() {
		return fmt.Sprintf("overfit %d samples: loss %.3f → %.2g, below %.2g after %d of %d updates at lr %.3g: ok", r.Samples, first, last, r.Target, r.Reached, r.Updates, r.LR)
	}
	var rates []string
	for _, lr := range r.Tried {
		rates = append(rates, fmt.Sprintf("%.3g", lr))
	}
	tried := strings.Join(rates, ", ")
	return fmt.Sprintf("overfit %d samples: FAILED, loss %.3f → %.3g after %d updates at lr %s, never below %.2g: a network "+
		"this size must memorise %d samples; a backward pass with a bug, a learning rate far too small (or so "+
		"large that the loss grows), or labels that change between steps are the usual causes",
		r.Samples, first, last, r.Updates, tried, r.Target, r.Samples)
}

// OverfitBatch trains model on the one batch (x, y) for at most updates
// steps of plain SGD with learning rate lr and reports whether the loss fell
// below target (0 means 0.05). This is Karpathy's "overfit one batch": any
// network with more parameters than samples can memorise 20 images, so a
// loss that stays high points at the training machinery, not the data. The
// model's parameters are restored afterwards, so the check leaves it as it
// found it (state that is not a Param, such as batch-norm statistics, is
// not restored).
func OverfitBatch(model train.Model, x *tensor.Tensor, y []int, lr float64, updates int, target float64) Overfit {
	if target <= 0 {
		target = 0.05
	}
	saved := snapshot(model.Params())
	defer restore(model.Params(), saved)
	defer model.SetTraining(model.Training())
	model.SetTraining(true)

	var ce loss.SoftmaxCrossEntropy
	sgd := &layers.SGD{LR: lr}
	r := Overfit{Samples: x.Rows(), Target: target, LR: lr, Tried: []float64{lr}}
	for u := 1; u <= updates; u++ {
		l := train.Step(model, &ce, sgd, x, y)
		r.Losses = append(r.Losses, l)
		r.Updates = u
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return r
		}
		if l < target {
			r.Reached = u - 1 // the loss measured before update u is that after update u−1
			if r.Reached == 0 {
				r.Reached = 1 // already there: count the first update
			}
			return r
		}
	}
	var ce2 loss.SoftmaxCrossEntropy
	last := ce2.Forward(model.Forward(x), y)
	r.Losses = append(r.Losses, last)
	if last < target {
		r.Reached = updates
	}
	return r
}

// CheckGradients compares the backward pass of the whole network, with the
// softmax cross-entropy loss on top, against central differences of its
// forward pass on the real samples (x, y): gradcheck.Func on every
// parameter of the model, perEntry entries of each (0 means 20). Checking
// the assembled network catches what checking layers one by one cannot: a
// Sequential that wires them wrongly, a loss gradient off by the batch
// size. The model runs in evaluation mode (a deterministic forward); its
// gradients are zero afterwards.
func CheckGradients(model train.Model, x *tensor.Tensor, y []int, perEntry int, seed uint64) gradcheck.Report {
	if perEntry <= 0 {
		perEntry = 20
	}
	defer model.SetTraining(model.Training())
	model.SetTraining(false)
	var ce loss.SoftmaxCrossEntropy
	params := model.Params()
	layers.ZeroGrads(params)
	ce.Forward(model.Forward(x), y)
	model.Backward(ce.Backward())
	rep := gradcheck.Func(func() float64 { return ce.Forward(model.Forward(x), y) }, params,
		gradcheck.Options{MaxPerTensor: perEntry, Seed: seed, Kinks: true})
	layers.ZeroGrads(params)
	return rep
}

// GradTol is the relative error below which Sanity accepts a gradient
// check. A network of ReLUs has kinks: an entry whose ±ε nudge moves a unit
// across zero gives an honest difference of about 1e-4, so the bar sits
// above that, and far below the 1e-1 to 1 of a real bug.
const GradTol = 1e-3

// SanityOptions sets the checks of Sanity; the zero value is the default.
type SanityOptions struct {
	Classes int     // C; 0 means the largest label + 1
	InitTol float64 // see CheckInitLoss; 0 means 0.25
	Batch   int     // samples to overfit; 0 means 20
	Updates int     // update budget for the overfit; 0 means 300
	// LR is the overfit's first learning rate; 0 means 0.1. If it fails,
	// RunSanity tries 3 and 10 times that rate before reporting a failure:
	// a sigmoid network needs larger steps than a ReLU one, and a
	// broken backward pass fails at every rate.
	LR         float64
	GradSample int    // samples for the gradient check; 0 means 4
	Seed       uint64 // chooses the entries the gradient check nudges
}

// Sanity is what Run found before training.
type Sanity struct {
	Init    InitLoss         // the loss of the untrained model against ln C + σ²/2
	Overfit Overfit          // whether the model can drive one small batch's loss to near 0
	Grad    gradcheck.Report // the gradient check of the whole network
}

// ErrSanity is wrapped by the error of a failed Sanity check.
var ErrSanity = errors.New("sanity check failed")

// Err returns nil when the overfit and the gradient check passed, and an
// error wrapping ErrSanity saying which failed otherwise. A loss at
// initialisation off what its logits predict is only a warning (a deliberately different init
// can be fine), shown by String.
func (s *Sanity) Err() error {
	var bad []string
	if !s.Overfit.OK() {
		bad = append(bad, s.Overfit.String())
	}
	if !s.Grad.OK(GradTol) {
		bad = append(bad, fmt.Sprintf("gradient check FAILED: relative error %.2g in %v (tolerance %.0e): the backward pass "+
			"does not compute the derivative of the forward pass", s.Grad.Worst.RelErr, s.Grad.Failed(GradTol), GradTol))
	}
	if bad == nil {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrSanity, strings.Join(bad, "; "))
}

// String reports the three checks, one per line.
func (s *Sanity) String() string {
	g := fmt.Sprintf("gradient check of the whole network: worst relative error %.2g (%s), tolerance %.0e", s.Grad.Worst.RelErr, s.Grad.Worst.Tensor, GradTol)
	if s.Grad.OK(GradTol) {
		g += ": ok"
	} else {
		g += ": FAILED"
	}
	return s.Init.String() + "\n" + s.Overfit.String() + "\n" + g + "\n"
}

// RunSanity runs the three checks before training: the loss at
// initialisation on the first 1,000 samples of set, overfitting its first
// Batch samples (at up to three learning rates, see SanityOptions.LR),
// and a gradient check of the network on its first GradSample samples. The
// model is left as it was.
func RunSanity(model train.Model, set *train.Set, opts SanityOptions) *Sanity {
	if opts.Classes <= 0 {
		for _, c := range set.Y {
			opts.Classes = max(opts.Classes, c+1)
		}
	}
	if opts.Batch <= 0 {
		opts.Batch = 20
	}
	if opts.Updates <= 0 {
		opts.Updates = 300
	}
	if opts.LR <= 0 {
		opts.LR = 0.1
	}
	if opts.GradSample <= 0 {
		opts.GradSample = 4
	}
	x, y := head(set, 1000)
	s := &Sanity{Init: CheckInitLoss(model, &train.Set{X: x, Y: y}, opts.Classes, opts.InitTol)}
	x, y = head(set, opts.Batch)
	var tried []float64
	for _, f := range []float64{1, 3, 10} {
		s.Overfit = OverfitBatch(model, x, y, f*opts.LR, opts.Updates, 0)
		tried = append(tried, f*opts.LR)
		if s.Overfit.OK() {
			break
		}
	}
	s.Overfit.Tried = tried
	x, y = head(set, opts.GradSample)
	s.Grad = CheckGradients(model, x, y, 0, opts.Seed)
	return s
}

// head returns the first n samples of set (all if it has fewer), copied,
// in the shape of set.X: one sample per row, or per index of the first
// dimension when the samples are images (N×C×H×W).
func head(set *train.Set, n int) (*tensor.Tensor, []int) {
	n = min(n, set.X.Shape[0])
	per := 0
	if set.X.Shape[0] > 0 {
		per = set.X.Len() / set.X.Shape[0]
	}
	shape := append([]int{n}, set.X.Shape[1:]...)
	x := tensor.FromData(append([]float64(nil), set.X.Data[:n*per]...), shape...)
	return x, append([]int(nil), set.Y[:n]...)
}

// snapshot copies the values of params; restore puts them back.
func snapshot(params []*layers.Param) [][]float64 {
	s := make([][]float64, len(params))
	for i, p := range params {
		s[i] = append([]float64(nil), p.Value.Data...)
	}
	return s
}

func restore(params []*layers.Param, s [][]float64) {
	for i, p := range params {
		copy(p.Value.Data, s[i])
		p.Grad.Zero()
	}
}
