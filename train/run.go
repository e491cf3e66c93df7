package train

import (
	"fmt"
	"math"
	"time"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/progress"
	"github.com/backprop-go/backprop/tensor"
)

// runState is the state of one Run: what the loop reads and what it records.
type runState struct {
	model   Model
	batches Batches
	val     *Set
	cfg     Config
	total   int                      // updates to run
	every   int                      // updates between validations
	rate    func(update int) float64 // the learning rate of each update
	opt     interface{ SetLR(float64) }
	steps   *stepper
	info    StepInfo // the hooks' view of the current update
	epoch   int
	oneBN   bool // leave out batches of one sample (the model has batch norm)
	wide    bool // a batch of more than one sample has come

	h       *History
	best    bestKeeper
	state   []*tensor.Tensor // what restore-best keeps: parameters and batch-norm statistics
	pred    []int            // validation predictions, kept only when a hook wants them
	infVal  *inference       // the forward passes of validation
	infTE   *inference       // and of TrainEval (each set's first batch checks its shape)
	lastVal float64          // the last validation error, for the progress line
	recent  lossWindow       // the progress line's mean of the last 100 losses
	bar     *progress.Bar
	start   time.Time
}

// newRun checks cfg and the sets and prepares a run.
func newRun(model Model, batches Batches, val *Set, cfg Config) (*runState, error) {
	r := &runState{model: model, batches: batches, val: val, cfg: cfg, rate: cfg.Schedule, epoch: 1, lastVal: math.NaN()}
	if r.rate == nil {
		r.rate = func(int) float64 { return cfg.LR }
	}
	r.total = cfg.Updates
	if r.total <= 0 {
		nb := batches.NumBatches()
		if cfg.Epochs > 0 && nb > 0 && cfg.Epochs > (math.MaxInt-1)/nb {
			// Wrapped around, the product could be small and positive: a
			// few updates reported as a finished run.
			return nil, fmt.Errorf("train: %d epochs of %d batches is too many updates (more than %d)", cfg.Epochs, nb, math.MaxInt-1)
		}
		r.total = cfg.Epochs * nb
	}
	if r.total == math.MaxInt { // update would overflow after the last one
		r.total--
	}
	if r.total <= 0 {
		return nil, fmt.Errorf("train: nothing to do: %d epochs of %d batches, %d updates", cfg.Epochs, batches.NumBatches(), cfg.Updates)
	}
	r.every = cfg.EvalEvery
	if r.every <= 0 {
		r.every = 500
	}
	if val != nil && len(val.Y) != val.X.Rows() {
		return nil, fmt.Errorf("train: validation set has %d labels for %d samples", len(val.Y), val.X.Rows())
	}
	if te := cfg.TrainEval; te != nil && len(te.Y) != te.X.Rows() {
		return nil, fmt.Errorf("train: TrainEval set has %d labels for %d samples", len(te.Y), te.X.Rows())
	}
	if val != nil {
		if err := checkFinite(val.X, "the validation set", 0); err != nil {
			return nil, err
		}
	}
	if (cfg.Patience > 0 || cfg.RestoreBest) && val == nil {
		return nil, fmt.Errorf("train: early stopping and restore-best need a validation set")
	}
	if cfg.Patience < 0 {
		return nil, fmt.Errorf("train: patience %d: want ≥ 0 (0 turns early stopping off)", cfg.Patience)
	}
	if !(cfg.LabelSmoothing >= 0 && cfg.LabelSmoothing <= 1) {
		return nil, fmt.Errorf("train: label smoothing %g outside [0, 1]", cfg.LabelSmoothing)
	}
	lf := cfg.Loss
	if lf == nil {
		lf = &loss.SoftmaxCrossEntropy{Smoothing: cfg.LabelSmoothing}
	} else if cfg.LabelSmoothing != 0 {
		return nil, fmt.Errorf("train: label smoothing %g is for the default loss; with Config.Loss set, give that loss its own", cfg.LabelSmoothing)
	}
	opt := cfg.Optimizer
	if opt == nil {
		opt = &layers.SGD{}
	}
	r.opt = opt
	r.steps = newStepper(model, lf, opt)
	r.oneBN = hasBatchNorm(model)
	r.h = &History{LR: cfg.LR}
	if cfg.RestoreBest {
		r.state = stateTensors(model)
	}
	if wantPred(cfg.Hooks) && val != nil {
		r.pred = make([]int, val.X.Rows())
	}
	// With hooks, evaluation runs layer by layer through model.Forward, as
	// the steps do (see inference).
	r.infVal, r.infTE = newInference(model, len(cfg.Hooks) > 0), newInference(model, len(cfg.Hooks) > 0)
	r.bar = progress.New(cfg.Progress, "train", int64(r.total))
	r.start = time.Now()
	return r, nil
}

// next returns the next training batch, starting a new epoch at the end of
// one. For a model with batch norm it leaves out a batch of one sample (a
// short last batch), and fails when there is no other kind.
func (r *runState) next() (*tensor.Tensor, []int, error) {
	for skipped := 0; ; skipped++ {
		x, y, ok := r.batches.Next()
		if !ok { // end of an epoch: the next call starts a new one
			r.epoch++
			if x, y, ok = r.batches.Next(); !ok {
				return nil, nil, fmt.Errorf("train: the batch source is empty")
			}
		}
		if !r.oneBN || x.Rows() != 1 {
			r.wide = true
			return x, y, nil
		}
		if !r.wide || skipped > r.batches.NumBatches() {
			return nil, nil, fmt.Errorf("train: the model has batch norm (layers.BatchNorm1d), which needs at least 2 samples per training batch, and the batches hold one: use a larger batch size")
		}
	}
}

// diverged returns the error for a batch whose loss l is not finite.
func (r *runState) diverged(x *tensor.Tensor, update int, lr, l float64) error {
	// Only now, at no cost to the steps that went well, look at the
	// batch: NaN or ±Inf in it is bad data, not divergence.
	if err := checkFinite(x, fmt.Sprintf("the training batch of update %d", update), update); err != nil {
		return err
	}
	return &DivergedError{Update: update, Epoch: r.epoch, LR: lr, Loss: l}
}

// validate evaluates TrainEval and the validation set after update,
// records them, calls the hooks and reports whether to stop early.
func (r *runState) validate(update int) (stop bool) {
	if r.cfg.TrainEval == nil && r.val == nil {
		return false
	}
	start := time.Now()
	if r.cfg.TrainEval != nil {
		tl, te := evaluate(r.model, r.cfg.TrainEval, r.cfg.EvalBatch, nil, r.infTE)
		r.h.TrainEval = append(r.h.TrainEval, Point{Update: update, Epoch: r.epoch, Loss: tl, Error: te})
	}
	var vl, ve float64
	if r.val != nil {
		vl, ve = evaluate(r.model, r.val, r.cfg.EvalBatch, r.pred, r.infVal)
	}
	r.h.Evaluating += time.Since(start) // not the hooks below
	if r.val == nil {
		return false
	}
	p := Point{Update: update, Epoch: r.epoch, Loss: vl, Error: ve}
	r.h.Val = append(r.h.Val, p)
	r.lastVal = ve
	stop = r.best.observe(p, r.state, r.cfg.RestoreBest, r.cfg.Patience)
	r.h.Best = r.best.point
	if len(r.cfg.Hooks) > 0 {
		hookEvaluated(r.cfg.Hooks, &EvalInfo{Point: p, Model: r.model, Set: r.val, Pred: r.pred})
	}
	return stop
}

// progress updates the progress line. It shows the mean loss of the last
// 100 updates: one batch's loss jumps too much to read.
func (r *runState) progress(update int, lr, l float64) {
	r.recent.add(l)
	note := fmt.Sprintf("epoch %d  update %d/%d  lr %.4g  loss %.4f (mean of last %d)",
		r.epoch, update, r.total, lr, r.recent.mean(), r.recent.n)
	if !math.IsNaN(r.lastVal) {
		note += fmt.Sprintf("  val err %.2f%%", 100*r.lastVal)
	}
	r.bar.Update(int64(update), note)
}

// hasBatchNorm reports whether model holds a layers.BatchNorm1d, looking
// into containers with a Layers method (as layers.Sequential has).
func hasBatchNorm(model layers.Layer) bool {
	switch l := model.(type) {
	case *layers.BatchNorm1d:
		return true
	case interface{ Layers() []layers.Layer }:
		for _, c := range l.Layers() {
			if hasBatchNorm(c) {
				return true
			}
		}
	}
	return false
}
