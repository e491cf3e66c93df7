// Package train is the training loop of the homework (parts k and l): draw a
// batch, run the network forward, measure the loss, run it backward, take an
// optimiser step (plain SGD unless Config.Optimizer says otherwise); every
// EvalEvery updates, measure loss and error on the whole validation set. It
// records both as a History that can be written as CSV and plotted (parts m
// and n). It can stop early when the validation error stops improving and
// hand back the best model it saw (Config.Patience, Config.RestoreBest).
//
// It is its own package so that the loop a student reads is one screen of
// code (Step and Run below), with the network in layers, the loss in loss,
// the update rule in optim and the batches in data. It sits above all of
// them.
//
// One step, for a batch X (B×784) with labels y:
//
//	logits := model.Forward(X)     // Z = A Wᵀ + b, ReLU, … layer by layer
//	l := ce.Forward(logits, y)     // mean cross-entropy over the batch
//	model.Backward(ce.Backward())  // δ = (P − Y)/B flows back, filling every Grad
//	opt.Step(model.Params())       // W -= lr·∂L/∂W (for SGD), then zero the gradients
//
// Run takes the same step with less work where it can, with the same bits:
// it skips the gradient with respect to the data, and with plain SGD and
// no hooks it moves each Linear layer's weights as soon as its Δ is known,
// without storing ∂L/∂W; on more than one core it also cuts the batch's
// rows between the cores (step.go and split.go say how).
//
// Any loss with Forward and Backward will do (Config.Loss, the Loss
// interface): loss.SoftmaxCrossEntropy by default, loss.MSE to answer
// part k's question "why cross-entropy?" by experiment.
//
// Config.Hooks let a caller look inside the loop: after the backward pass
// (gradients filled), after the step, and after each validation run. They are
// how package diagnose records what a teacher asks to see; a run without
// hooks does not pay for them.
//
// The training loss and error recorded per update are those of the batch just
// before its update; they are noisy because each batch is small. The
// validation figures are exact over the whole validation set.
package train

import (
	"fmt"
	"io"
	"math"
	"reflect"
	"sync"
	"time"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// Batches is where the loop draws training batches from. Next returns the
// next batch, or ok == false at the end of an epoch, after which the next
// call starts a new epoch. *data.Loader is one.
type Batches interface {
	Next() (x *tensor.Tensor, y []int, ok bool)
	NumBatches() int
}

// Model is what Run, Evaluate and Predict need of a network: a Layer (Forward,
// Backward, Params) that can be switched between training and evaluation
// behaviour and reports which it is in. *layers.Sequential is one; a
// student's own network type needs only these methods.
type Model interface {
	layers.Layer
	layers.Trainable
	// Training reports whether the model is in training mode.
	Training() bool
}

// Set is a labelled set of samples, one per row of X.
type Set struct {
	X *tensor.Tensor // the samples, shape [n, features]
	Y []int          // Y[i] is the class (0 to C−1) of row i of X
}

// Config says how long and how fast to train.
type Config struct {
	// LR is the learning rate.
	LR float64
	// Schedule, if not nil, gives the learning rate of each update
	// (numbered from 1) instead of LR; StepDecay makes the common one, and
	// package optim has more (optim.Cosine, optim.Warmup, …).
	Schedule func(update int) float64
	// Optimizer is the update rule, e.g. &optim.SGD{Momentum: 0.9} or
	// optim.NewAdamW(0, 0.05); nil is plain SGD (layers.SGD). Before every
	// update Run sets its learning rate to LR or to Schedule's value, so the
	// optimiser's own LR is replaced. It keeps its state after Run returns,
	// so a second Run continues where the first stopped.
	Optimizer optim.Optimizer
	// Epochs is the number of passes over the training batches. It is used
	// when Updates is 0.
	Epochs int
	// Updates is the total number of weight updates; it overrides Epochs.
	Updates int
	// EvalEvery is how many updates pass between validation runs (part l);
	// 0 means 500. The validation set is also evaluated after the last update.
	EvalEvery int
	// EvalBatch is the batch size for evaluation; 0 means DefaultEvalBatch.
	// It changes speed and memory, not the predictions.
	EvalBatch int
	// Progress receives the progress line; nil trains silently.
	Progress io.Writer
	// Hooks are called during the run, every update and every validation
	// run (see Hook); nil costs nothing.
	Hooks []Hook

	// Patience, when > 0, stops training early once that many validation
	// runs in a row have not lowered the best validation error (ties are
	// broken by the loss). It needs a validation set. History.Stopped says
	// where it stopped.
	Patience int
	// Loss is the training loss; nil is loss.SoftmaxCrossEntropy with
	// LabelSmoothing. Validation is always scored with the plain
	// cross-entropy, so that runs with different losses compare.
	Loss Loss
	// LabelSmoothing is the default loss's label-smoothing weight α in
	// [0, 1] (loss.SoftmaxCrossEntropy.Smoothing): the target of every sample
	// becomes 1 − α on its class plus α/C spread over all C classes. The
	// training loss in the history includes it. It must be 0 with a Loss of
	// your own (give that loss its own smoothing).
	LabelSmoothing float64
	// RestoreBest puts the parameters of the best validation run (the
	// lowest error) back into the model at the end of Run, so that the
	// model returned is the one History.Best describes. It keeps one copy
	// of the parameters, made at the first validation.
	RestoreBest bool

	// TrainEval, if not nil, is a fixed subset of the training data (say
	// 5,000 images) evaluated at the same updates as the validation set
	// (every EvalEvery updates and after the last), with the same network
	// state, into History.TrainEval. The per-batch training loss is measured
	// on a different batch at every update, before its step; TrainEval gives
	// training curves that are snapshots like the validation curve, so the
	// two can be compared point by point (part n).
	TrainEval *Set
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

// DataError reports a NaN or an infinity in the data: the samples are
// broken, whatever the learning rate. Run returns it for the validation set
// before training starts, and for a training batch whose loss came out
// non-finite (instead of a *DivergedError).
type DataError struct {
	Set      string  // "the validation set" or "the training batch of update N"
	Update   int     // that update (1-based), 0 for the validation set
	Row, Col int     // the first non-finite value: sample (row of Set) and feature
	Value    float64 // NaN, +Inf or −Inf
}

// Error names the set, the place and the value, and says it is the data.
func (e *DataError) Error() string {
	return fmt.Sprintf("train: %s holds %v at sample %d, feature %d: the data is broken (not a learning-rate problem)", e.Set, e.Value, e.Row, e.Col)
}

// checkFinite returns a *DataError for the first NaN or ±Inf in the 2-D x.
func checkFinite(x *tensor.Tensor, set string, update int) error {
	for i, v := range x.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			c := x.Cols()
			return &DataError{Set: set, Update: update, Row: i / c, Col: i % c, Value: v}
		}
	}
	return nil
}

// Run trains model on batches with cfg.Optimizer (plain SGD if nil) and
// returns the history. If val is not nil it is evaluated every
// cfg.EvalEvery updates and after the last one; with cfg.Patience it may
// stop earlier, and with cfg.RestoreBest the model ends with the weights of
// its best validation. A NaN or infinite loss stops training with a
// *DivergedError, and the history up to that update is still returned; if
// that update's batch holds NaN or ±Inf, or the validation set does, the
// error is a *DataError instead. That update's step has already been taken
// with non-finite gradients, so the model's weights are then NaN or
// infinite: start again from a fresh model. Epochs × batches that
// overflows int is an error, not a shorter run.
//
// Batch norm cannot train on a batch of one sample (its variance is 0):
// for a model with a layers.BatchNorm1d, Run leaves out a training batch
// of one sample, as PyTorch's DataLoader(drop_last=True) would, and draws
// the next one (data.Loader's DropLast leaves out every short last batch).
// Config.Epochs still means Epochs × NumBatches updates, so such a run
// ends a few updates into one more epoch.
func Run(model Model, batches Batches, val *Set, cfg Config) (_ *History, err error) {
	r, err := newRun(model, batches, val, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			r.bar.Clear() // so that the caller's error starts on a clean line
		}
	}()
	model.SetTraining(true)
	for update := 1; update <= r.total; update++ {
		x, y, err := r.next()
		if err != nil {
			return r.h, err
		}
		lr := r.rate(update)
		if !(lr > 0) || math.IsInf(lr, 0) {
			return r.h, fmt.Errorf("train: learning rate must be a positive number, have %g at update %d", lr, update)
		}
		r.opt.SetLR(lr)
		r.info = StepInfo{Update: update, Epoch: r.epoch, LR: lr, Model: model, X: x, Y: y}
		l, e := r.steps.step(x, y, lr, cfg.Hooks, &r.info)
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return r.h, r.diverged(x, update, lr, l)
		}
		r.h.Train = append(r.h.Train, Point{Update: update, Epoch: r.epoch, Loss: l, Error: e})
		stop := false
		if update%r.every == 0 || update == r.total {
			stop = r.validate(update)
		}
		r.progress(update, lr, l)
		if stop {
			r.h.Stopped = update
			break
		}
	}
	r.h.Restored = cfg.RestoreBest && r.best.restore(r.state)
	r.h.Elapsed = time.Since(r.start)
	r.bar.Done(r.h.Summary())
	return r.h, nil
}

// StepDecay returns a schedule that trains at lr for the first updates and
// at lr·factor after them, for example StepDecay(0.2, 7000, 0.1). A large
// rate moves fast, but the noise of small batches keeps the weights bouncing
// around the minimum; the smaller one lets them settle.
// It is optim.StepDecay, kept here for the callers that found it here.
func StepDecay(lr float64, first int, factor float64) func(update int) float64 {
	return optim.StepDecay(lr, first, factor)
}

// DefaultEvalBatch is the batch size of Evaluate and Predict when none is
// given. Evaluation needs no gradient, so a larger batch than training's
// only saves per-batch overhead; but every layer keeps its output for the
// largest batch it has seen, and a convolutional network's outputs are
// large: a batch of 1,000 28×28 images through examples/cnn's network
// leaves about 1 GB of feature maps in its layers, a batch of 128 about
// 130 MB. The batch size changes no prediction; the mean loss, a sum of
// batch means weighted by their sizes, may change in its last bits.
const DefaultEvalBatch = 128

// Evaluate returns the mean cross-entropy loss and the error rate of model
// on the whole set, in batches of batchSize (0 means DefaultEvalBatch). The model is put
// in evaluation mode for the duration and then back in the mode it was in.
// It panics if set.Y does not hold one label per row of set.X.
//
// Evaluate runs model.Forward (for a Sequential of this library's layers,
// after the first batch, the same pass with the work of its ReLU,
// MaxPool2d and BatchNorm2d layers shared between the cores as Run's steps
// share it: the same results), which overwrites what the layers kept for
// Backward: do not call it between a Forward and its Backward (with equal
// batch sizes the Backward would not even panic, just use the wrong data).
//
// Evaluate and Predict are safe to call from several goroutines on one
// model, once it is trained: calls on the same model take turns. They are
// not safe while Run trains that model.
func Evaluate(model Model, set *Set, batchSize int) (meanLoss, errRate float64) {
	mu := modelLock(model)
	mu.Lock()
	defer mu.Unlock()
	return evaluate(model, set, batchSize, nil, newInference(model, false))
}

// modelLocks let several goroutines call Predict and Evaluate on one
// trained model. A forward pass writes into buffers the layers own (that is
// what keeps training free of allocations), so two at once on one model
// would mix their batches. Calls on the same model take turns on the lock
// its address picks; calls on different models rarely share one. Run
// takes no lock: the training path pays nothing, and a model being trained
// is not to be used by anyone else meanwhile.
var modelLocks [64]sync.Mutex

// modelLock returns the lock of model. A FlipAveraged wrapper runs the
// model it wraps, so it takes that model's lock: two wrappers of one
// model, or a wrapper and the model, take turns.
func modelLock(model Model) *sync.Mutex {
	for {
		f, ok := model.(*flipAveraged)
		if !ok {
			break
		}
		model = f.Model
	}
	v := reflect.ValueOf(model)
	if v.Kind() != reflect.Pointer {
		return &modelLocks[0]
	}
	return &modelLocks[(v.Pointer()>>6)%uintptr(len(modelLocks))]
}

// evaluate is Evaluate that also writes the predicted class of every sample
// into pred (one entry per sample) when pred is not nil, for a Hook's
// EvalInfo.Pred, and runs the forward passes through inf: Run keeps one
// per set it evaluates, so that the blocks' buffers are made once a run.
func evaluate(model Model, set *Set, batchSize int, pred []int, inf *inference) (meanLoss, errRate float64) {
	n := set.X.Rows()
	if len(set.Y) != n {
		panic(fmt.Sprintf("train: Evaluate: %d labels for %d samples", len(set.Y), n))
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	if batchSize <= 0 {
		batchSize = DefaultEvalBatch
	}
	defer model.SetTraining(model.Training()) // back to the mode it was in
	model.SetTraining(false)

	var ce loss.SoftmaxCrossEntropy
	cols := set.X.Cols()
	var sumLoss, sumWrong float64
	var buf []int
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		x := tensor.FromData(set.X.Data[lo*cols:hi*cols], hi-lo, cols)
		logits := inf.forward(x)
		// Forward returns the batch mean; weight it by the batch size so the
		// last, smaller batch counts for what it is.
		sumLoss += ce.Forward(logits, set.Y[lo:hi]) * float64(hi-lo)
		sumWrong += loss.ErrorRate(logits, set.Y[lo:hi]) * float64(hi-lo)
		if pred != nil {
			buf = tensor.ArgmaxRows(buf, logits)
			copy(pred[lo:hi], buf)
		}
	}
	return sumLoss / float64(n), sumWrong / float64(n)
}

// Predict returns the predicted class (the arg max of the logits) of every
// row of x, in batches of batchSize (0 means DefaultEvalBatch). Like Evaluate, it
// switches the model to evaluation mode and back to the mode it was in, and must
// not run between a Forward and its Backward. Like Evaluate, it is safe to
// call from several goroutines on one trained model.
func Predict(model Model, x *tensor.Tensor, batchSize int) []int {
	mu := modelLock(model)
	mu.Lock()
	defer mu.Unlock()
	if batchSize <= 0 {
		batchSize = DefaultEvalBatch
	}
	defer model.SetTraining(model.Training()) // back to the mode it was in
	model.SetTraining(false)
	n, cols := x.Rows(), x.Cols()
	pred := make([]int, 0, n)
	var buf []int
	inf := newInference(model, false)
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		logits := inf.forward(tensor.FromData(x.Data[lo*cols:hi*cols], hi-lo, cols))
		buf = tensor.ArgmaxRows(buf, logits)
		pred = append(pred, buf...)
	}
	return pred
}

// lossWindow keeps the last len(losses) batch losses for the progress line.
// mean adds them up afresh each time (100 additions, nothing beside a
// training step): a running sum that adds the new loss and subtracts the
// oldest would keep the rounding error of a huge early loss (1e20 at a
// too-high learning rate) forever, and once showed a mean of −13.5 for
// positive losses.
type lossWindow struct {
	losses [100]float64
	next   int // where the next loss goes
	n      int // how many of losses are filled, at most len(losses)
}

func (w *lossWindow) add(l float64) {
	w.losses[w.next] = l
	w.next = (w.next + 1) % len(w.losses)
	w.n = min(w.n+1, len(w.losses))
}

func (w *lossWindow) mean() float64 {
	sum := 0.0
	for _, l := range w.losses[:w.n] {
		sum += l
	}
	return sum / float64(w.n)
}
