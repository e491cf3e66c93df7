// Package train is the training loop of the homework (parts k and l): draw a
// batch, run the network forward, measure the loss, run it backward, take an
// SGD step; every EvalEvery updates, measure loss and error on the whole
// validation set. It records both as a History that can be written as CSV
// and plotted (parts m and n).
//
// It is its own package so that the loop a student reads is one screen of
// code (Step and Run below), with the network in layers, the loss in loss and
// the batches in data.
//
// One step, for a batch X (B×784) with labels y:
//
//	logits := model.Forward(X)     // Z = A Wᵀ + b, ReLU, … layer by layer
//	l := ce.Forward(logits, y)     // mean cross-entropy over the batch
//	model.Backward(ce.Backward())  // δ = (P − Y)/B flows back, filling every Grad
//	sgd.Step(model.Params())       // W -= lr·∂L/∂W, then zero the gradients
//
// The training loss and error recorded per update are those of the batch just
// before its update; they are noisy because each batch is small. The
// validation figures are exact over the whole validation set.
package train

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/progress"
	"github.com/backprop-go/backprop/tensor"
)

// Batches is where the loop draws training batches from. Next returns the
// next batch, or ok == false at the end of an epoch, after which the next
// call starts a new epoch. *data.Loader is one.
type Batches interface {
	Next() (x *tensor.Tensor, y []int, ok bool)
	NumBatches() int
}

// Set is a labelled set of samples, one per row of X.
type Set struct {
	X *tensor.Tensor
	Y []int
}

// Config says how long and how fast to train.
type Config struct {
	// LR is the SGD learning rate.
	LR float64
	// Schedule, if not nil, gives the learning rate of each update
	// (numbered from 1) instead of LR; StepDecay makes the common one.
	Schedule func(update int) float64
	// Epochs is the number of passes over the training batches. It is used
	// when Updates is 0.
	Epochs int
	// Updates is the total number of weight updates; it overrides Epochs.
	Updates int
	// EvalEvery is how many updates pass between validation runs (part l);
	// 0 means 500. The validation set is also evaluated after the last update.
	EvalEvery int
	// EvalBatch is the batch size for evaluation; 0 means 1000. It changes
	// speed only, not the results.
	EvalBatch int
	// Progress receives the progress line; nil trains silently.
	Progress io.Writer
	// TrainEval, if not nil, is a fixed subset of the training data (say
	// 5,000 images) evaluated at the same updates as the validation set
	// (every EvalEvery updates and after the last),
	// with the same network state, into History.TrainEval. The per-batch
	// training loss is measured on a different batch at every update, before
	// its step; TrainEval gives training curves that are snapshots like the
	// validation curve, so the two can be compared point by point (part n).
	TrainEval *Set
}

// Step runs one SGD update on the batch (x, y) and returns the batch's loss
// (before the update). It allocates nothing once the buffers of the model and
// the loss exist.
//
// The backward pass skips the gradient with respect to x, which SGD does not
// need, when the model can (layers.ParamBackwarder, as Sequential does).
func Step(model layers.Layer, ce *loss.SoftmaxCrossEntropy, sgd *layers.SGD, x *tensor.Tensor, y []int) float64 {
	logits := model.Forward(x)
	l := ce.Forward(logits, y)
	if pb, ok := model.(layers.ParamBackwarder); ok {
		pb.BackwardParams(ce.Backward())
	} else {
		model.Backward(ce.Backward())
	}
	sgd.Step(model.Params())
	return l
}

// DivergedError reports a loss that became NaN or ±Inf: training stopped
// there. It almost always means the learning rate is too high.
type DivergedError struct {
	Update int     // the update (1-based) whose batch loss was not finite
	Epoch  int     // the epoch (1-based) it was in
	LR     float64 // the learning rate in use
	Loss   float64 // the loss value, NaN or ±Inf
}

// Error names the update, the epoch and the learning rate, and suggests a fix.
func (e *DivergedError) Error() string {
	return fmt.Sprintf("train: loss became %v at update %d (epoch %d) with learning rate %g; training stopped: try a smaller learning rate", e.Loss, e.Update, e.Epoch, e.LR)
}

// Run trains model on batches with plain SGD and returns the history. If
// val is not nil it is evaluated every cfg.EvalEvery updates and after the
// last one. A NaN or infinite loss stops training with a *DivergedError,
// and the history up to that update is still returned. That update's SGD
// step has already been taken with non-finite gradients, so the model's
// weights are then NaN or infinite: start again from a fresh model.
func Run(model *layers.Sequential, batches Batches, val *Set, cfg Config) (_ *History, err error) {
	rate := cfg.Schedule
	if rate == nil {
		rate = func(int) float64 { return cfg.LR }
	}
	total := cfg.Updates
	if total <= 0 {
		total = cfg.Epochs * batches.NumBatches()
	}
	if total <= 0 {
		return nil, fmt.Errorf("train: nothing to do: %d epochs of %d batches, %d updates", cfg.Epochs, batches.NumBatches(), cfg.Updates)
	}
	every := cfg.EvalEvery
	if every <= 0 {
		every = 500
	}
	if val != nil && len(val.Y) != val.X.Rows() {
		return nil, fmt.Errorf("train: validation set has %d labels for %d samples", len(val.Y), val.X.Rows())
	}
	if te := cfg.TrainEval; te != nil && len(te.Y) != te.X.Rows() {
		return nil, fmt.Errorf("train: TrainEval set has %d labels for %d samples", len(te.Y), te.X.Rows())
	}

	h := &History{LR: cfg.LR}
	var ce loss.SoftmaxCrossEntropy
	sgd := &layers.SGD{LR: cfg.LR}
	bar := progress.New(cfg.Progress, "train", int64(total))
	defer func() {
		if err != nil {
			bar.Clear() // so that the caller's error starts on a clean line
		}
	}()
	start := time.Now()
	lastVal := math.NaN()
	var recent [100]float64 // the last 100 batch losses, a ring
	recentSum := 0.0
	model.SetTraining(true)

	epoch := 1
	for update := 1; update <= total; update++ {
		x, y, ok := batches.Next()
		if !ok { // end of an epoch: the next call starts a new one
			epoch++
			if x, y, ok = batches.Next(); !ok {
				return h, fmt.Errorf("train: the batch source is empty")
			}
		}
		sgd.LR = rate(update)
		if !(sgd.LR > 0) || math.IsInf(sgd.LR, 0) {
			return h, fmt.Errorf("train: learning rate must be a positive number, have %g at update %d", sgd.LR, update)
		}
		l := Step(model, &ce, sgd, x, y)
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return h, &DivergedError{Update: update, Epoch: epoch, LR: sgd.LR, Loss: l}
		}
		h.Train = append(h.Train, Point{Update: update, Epoch: epoch, Loss: l, Error: loss.ErrorRate(ce.Probs(), y)})

		if update%every == 0 || update == total {
			if val != nil {
				vl, ve := Evaluate(model, val, cfg.EvalBatch)
				h.Val = append(h.Val, Point{Update: update, Epoch: epoch, Loss: vl, Error: ve})
				lastVal = ve
			}
			if cfg.TrainEval != nil {
				tl, te := Evaluate(model, cfg.TrainEval, cfg.EvalBatch)
				h.TrainEval = append(h.TrainEval, Point{Update: update, Epoch: epoch, Loss: tl, Error: te})
			}
		}
		// The progress line shows the mean loss of the last 100 updates: one
		// batch's loss jumps too much to read.
		slot := (update - 1) % len(recent)
		recentSum += l - recent[slot]
		recent[slot] = l
		note := fmt.Sprintf("epoch %d  update %d/%d  lr %.4g  loss %.4f (mean of last %d)",
			epoch, update, total, sgd.LR, recentSum/float64(min(update, len(recent))), min(update, len(recent)))
		if !math.IsNaN(lastVal) {
			note += fmt.Sprintf("  val err %.2f%%", 100*lastVal)
		}
		bar.Update(int64(update), note)
	}
	h.Elapsed = time.Since(start)
	bar.Done(h.Summary())
	return h, nil
}

// StepDecay returns a schedule that trains at lr for the first updates and
// at lr·factor after them, for example StepDecay(0.2, 7000, 0.1). A large
// rate moves fast, but the noise of small batches keeps the weights bouncing
// around the minimum; the smaller one lets them settle.
func StepDecay(lr float64, first int, factor float64) func(update int) float64 {
	return func(update int) float64 {
		if update <= first {
			return lr
		}
		return lr * factor
	}
}

// Evaluate returns the mean cross-entropy loss and the error rate of model
// on the whole set, in batches of batchSize (0 means 1000). The model is put
// in evaluation mode for the duration and then back in the mode it was in.
// It panics if set.Y does not hold one label per row of set.X.
//
// Evaluate runs model.Forward, which overwrites what the layers kept for
// Backward: do not call it between a Forward and its Backward (with equal
// batch sizes the Backward would not even panic, just use the wrong data).
func Evaluate(model *layers.Sequential, set *Set, batchSize int) (meanLoss, errRate float64) {
	n := set.X.Rows()
	if len(set.Y) != n {
		panic(fmt.Sprintf("train: Evaluate: %d labels for %d samples", len(set.Y), n))
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	if batchSize <= 0 {
		batchSize = 1000
	}
	defer model.SetTraining(model.Training()) // back to the mode it was in
	model.SetTraining(false)

	var ce loss.SoftmaxCrossEntropy
	cols := set.X.Cols()
	var sumLoss, sumWrong float64
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		x := tensor.FromData(set.X.Data[lo*cols:hi*cols], hi-lo, cols)
		logits := model.Forward(x)
		// Forward returns the batch mean; weight it by the batch size so the
		// last, smaller batch counts for what it is.
		sumLoss += ce.Forward(logits, set.Y[lo:hi]) * float64(hi-lo)
		sumWrong += loss.ErrorRate(logits, set.Y[lo:hi]) * float64(hi-lo)
	}
	return sumLoss / float64(n), sumWrong / float64(n)
}

// Predict returns the predicted class (the arg max of the logits) of every
// row of x, in batches of batchSize (0 means 1000). Like Evaluate, it
// switches the model to evaluation mode and back to the mode it was in, and must
// not run between a Forward and its Backward.
func Predict(model *layers.Sequential, x *tensor.Tensor, batchSize int) []int {
	if batchSize <= 0 {
		batchSize = 1000
	}
	defer model.SetTraining(model.Training()) // back to the mode it was in
	model.SetTraining(false)
	n, cols := x.Rows(), x.Cols()
	pred := make([]int, 0, n)
	var buf []int
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		logits := model.Forward(tensor.FromData(x.Data[lo*cols:hi*cols], hi-lo, cols))
		buf = tensor.ArgmaxRows(buf, logits)
		pred = append(pred, buf...)
	}
	return pred
}
