// Package solution holds the course kit's reference answers to the parts the
// library has no plain version of: the central difference (part j; package
// gradcheck's does more), the training loop with its validation every few
// hundred updates (parts k and l) and the curves (part m). The library's
// own train.Run does the same work with machinery a student does not need
// yet (hooks, schedules, data-parallel steps, checkpoints), so the plain
// versions are written here, once, and cmd/kit copies them into the
// student's package like the library's own layers: blanked for the student,
// whole in the reference solution. It imports only the library.
package solution

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// Loss is what Train needs of a loss function: Forward returns the mean loss
// of a batch of logits against its labels, Backward returns ∂L/∂logits for
// that Forward. Your SoftmaxCrossEntropy satisfies it, and so does the
// library's loss.SoftmaxCrossEntropy.
type Loss interface {
	Forward(logits *tensor.Tensor, labels []int) float64
	Backward() *tensor.Tensor
}

// Optimizer is what Train needs of an optimiser: Step moves every parameter
// against its gradient and leaves the gradients at zero for the next batch.
// Your SGD satisfies it, and so does the library's layers.SGD.
type Optimizer interface {
	Step(params []*layers.Param)
}

// Config holds the settings of a training run.
type Config struct {
	// BatchSize is the number of samples per update (the homework's 64).
	BatchSize int
	// Updates is the number of SGD steps to take.
	Updates int
	// EvalEvery is how often, in updates, the validation set is evaluated
	// (the homework's 500); the last update is always evaluated too.
	EvalEvery int
	// Seed seeds the order in which the training samples are drawn.
	Seed uint64
}

// Eval is one evaluation of the validation set.
type Eval struct {
	Update int     // the number of updates taken before it
	Loss   float64 // mean loss over the validation set
	Error  float64 // fraction of the validation set classified wrongly
}

// History is what Train records.
type History struct {
	// Loss and Error hold the loss and error rate of each update's batch,
	// measured before that update's step: Loss[u] is update u+1's.
	Loss, Error []float64
	// Val holds the validation evaluations in order of Update.
	Val []Eval
}

// Train trains net with SGD on the samples x (one per row) and their labels
// and evaluates it on the validation samples valX, valLabels every
// cfg.EvalEvery updates and after the last one.
//
// Each epoch visits the training samples in a new random order, cut into
// batches of cfg.BatchSize (the last batch of an epoch may be smaller). One
// update is: forward the batch, compute the loss, backward, step.
func Train(net layers.Layer, lossFn Loss, opt Optimizer, x *tensor.Tensor, labels []int, valX *tensor.Tensor, valLabels []int, cfg Config) History {
	n, d := x.Shape[0], x.Shape[1]
	if n != len(labels) || n == 0 || cfg.BatchSize <= 0 || cfg.EvalEvery <= 0 {
		panic(fmt.Sprintf("Train: %d samples, %d labels, batch size %d, evaluation every %d updates", n, len(labels), cfg.BatchSize, cfg.EvalEvery))
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed))
	var h History
	var order []int // the sample order of the current epoch
	for update := 1; update <= cfg.Updates; update++ {
		if len(order) == 0 {
			order = rng.Perm(n) // a new epoch: shuffle
		}
		// Take the next batch: the same rows of x and of labels, so every
		// image keeps its label.
		b := min(cfg.BatchSize, len(order))
		xb := tensor.New(b, d)
		yb := make([]int, b)
		for i, s := range order[:b] {
			copy(xb.Row(i), x.Row(s))
			yb[i] = labels[s]
		}
		order = order[b:]

		logits := net.Forward(xb)
		h.Loss = append(h.Loss, lossFn.Forward(logits, yb))
		h.Error = append(h.Error, loss.ErrorRate(logits, yb))
		net.Backward(lossFn.Backward())
		opt.Step(net.Params()) // θ ← θ − η ∂L/∂θ, and the gradients back to zero

		if update%cfg.EvalEvery == 0 || update == cfg.Updates {
			l, e := Evaluate(net, lossFn, valX, valLabels)
			h.Val = append(h.Val, Eval{Update: update, Loss: l, Error: e})
		}
	}
	return h
}

// Evaluate returns the mean loss and the error rate of net on the samples x
// (one per row) with their labels, in one forward pass and without changing
// any parameter or gradient.
func Evaluate(net layers.Layer, lossFn Loss, x *tensor.Tensor, labels []int) (meanLoss, errRate float64) {
	logits := net.Forward(x)
	return lossFn.Forward(logits, labels), loss.ErrorRate(logits, labels)
}
