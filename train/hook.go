package train

import (
	"github.com/backprop-go/backprop/tensor"
)

// Hook lets a caller look inside a run while it trains: Run calls each
// non-nil field at its point of the loop, for every update and every
// validation run, in the order the hooks appear in Config.Hooks. Package
// diagnose builds one that records update-to-weight ratios, dead units and
// per-class accuracy; a student can write their own in a few lines:
//
//	cfg.Hooks = []train.Hook{{Updated: func(u *train.StepInfo) {
//		if u.Update%100 == 0 {
//			fmt.Println(u.Update, u.Loss)
//		}
//	}}}
//
// A Config without hooks pays nothing for them: Run checks len(Hooks) once
// per update. A hook that runs the model (to look at activations) must do so
// only in Updated, after Backward is done; it should switch the model to
// evaluation mode while it does, so that dropout draws no random numbers and
// batch norm keeps its running statistics, and the run stays the same run.
type Hook struct {
	// Gradients is called after the backward pass has filled every
	// parameter's Grad and before the SGD step uses (and zeroes) them:
	// the place to measure gradients, or to copy the weights to see how
	// far the step moves them.
	Gradients func(u *StepInfo)
	// Updated is called after the step has changed the weights.
	Updated func(u *StepInfo)
	// Evaluated is called after each validation run.
	Evaluated func(e *EvalInfo)
}

// StepInfo describes the update in progress to a Hook. It and the tensors
// it points to are only valid during the call: the next update reuses them.
type StepInfo struct {
	Update int            // the update (1-based)
	Epoch  int            // the epoch (1-based) it belongs to
	LR     float64        // the learning rate of this update
	Model  Model          // the network being trained
	X      *tensor.Tensor // the batch, one sample per row
	Y      []int          // its labels
	Loss   float64        // the batch's mean loss, before the step
}

// EvalInfo describes a validation run to a Hook.
type EvalInfo struct {
	Point       // the update, the epoch, and the loss and error on Set
	Model Model // the network being trained
	Set   *Set  // the set evaluated (the validation set)
	// Pred is the predicted class of every sample of Set, computed during
	// the same pass as the loss, so a hook gets per-class figures (a
	// confusion matrix) without running the model again.
	Pred []int
}

// hookGradients, hookUpdated and hookEvaluated call the hooks that are set.
func hookGradients(hooks []Hook, u *StepInfo) {
	for _, h := range hooks {
		if h.Gradients != nil {
			h.Gradients(u)
		}
	}
}

func hookUpdated(hooks []Hook, u *StepInfo) {
	for _, h := range hooks {
		if h.Updated != nil {
			h.Updated(u)
		}
	}
}

func hookEvaluated(hooks []Hook, e *EvalInfo) {
	for _, h := range hooks {
		if h.Evaluated != nil {
			h.Evaluated(e)
		}
	}
}

// wantPred reports whether a hook will look at validation predictions.
func wantPred(hooks []Hook) bool {
	for _, h := range hooks {
		if h.Evaluated != nil {
			return true
		}
	}
	return false
}
