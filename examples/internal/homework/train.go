package homework

import (
	"fmt"
	"io"
	"strings"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/diagnose"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/train"
)

// Train builds part k's network for s and trains it on d with the loop
// that examples/partk/main.go writes out, run by train.Run instead: the
// same batches, the same plain SGD steps and the same evaluations, so the
// same history to the last bit (partk's test checks it). Progress goes to
// log. The sweep and the learning curve train many networks with it, and
// the later parts train part k's network with it when they find none.
func Train(s *Settings, d *Data, log io.Writer) (*layers.Sequential, *train.History, error) {
	sizes, err := s.Sizes(d.Train.X.Cols(), len(d.TrainSplit.Classes))
	if err != nil {
		return nil, nil, err
	}
	total, err := s.TotalUpdates(d.Train.X.Rows())
	if err != nil {
		return nil, nil, err
	}
	model := layers.NewMLP(sizes, layers.He, s.Rand(ForInit))
	loader := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{BatchSize: s.Batch, Shuffle: true, Rng: s.Rand(ForShuffle)})
	fmt.Fprintf(log, "training %v on %d samples, batch %d, %s, validating on %d samples every %d updates\n",
		sizes, d.Train.X.Rows(), s.Batch, s.Schedule(), d.Val.X.Rows(), s.EvalEvery)
	h, err := train.Run(model, loader, d.Val, train.Config{
		LR: s.LR, Schedule: s.Rate(total), Updates: total, EvalEvery: s.EvalEvery, Progress: log,
		TrainEval: TrainEvalSet(s, d),
	})
	if err != nil {
		return model, h, err
	}
	if w := ChanceWarning(h, len(d.TrainSplit.Classes)); w != "" {
		fmt.Fprintln(log, w)
	}
	EvaluateTest(model, d, h) // once, after training: nothing was chosen by it
	return model, h, nil
}

// EvaluateTest evaluates model on the held-out test half, once, and appends
// the result to h.Test, labelled with the last update of the run. A Data
// without a held-out set (one built by hand, not by LoadData) adds nothing.
func EvaluateTest(model train.Model, d *Data, h *train.History) {
	if d.Test == nil || d.Test.X.Rows() == 0 {
		return
	}
	l, e := train.Evaluate(model, d.Test, 0)
	p := train.Point{Loss: l, Error: e}
	if n := len(h.Train); n > 0 {
		p.Update, p.Epoch = h.Train[n-1].Update, h.Train[n-1].Epoch
	}
	h.Test = append(h.Test, p)
}

// ChanceWarning returns a one-line warning when the last validation of h is
// no better than guessing among classes (at most 2 points below chance's
// error), "" otherwise. A learning rate far too high often ends there
// without a NaN: a few huge steps push every ReLU of a layer below zero,
// where the gradient is zero, and the network answers the same class for
// every image.
func ChanceWarning(h *train.History, classes int) string {
	if h == nil || len(h.Val) == 0 || classes < 2 {
		return ""
	}
	v := h.Val[len(h.Val)-1]
	chance := 1 - 1/float64(classes)
	if v.Error < chance-0.02 {
		return ""
	}
	return fmt.Sprintf("warning: the final model is no better than chance (validation error %.2f%%, guessing gives %.2f%%): the learning rate (-lr %g) is probably too high", 100*v.Error, 100*chance, h.LR)
}

// Scores describes the final validation result val and the held-out test
// result of h, one line each, and the whole test split (both halves, the
// number published results quote), for parts k and n.
func Scores(val train.Point, h *train.History, d *Data) string {
	s := fmt.Sprintf("validation accuracy    %.2f%% (loss %.4f) on %d images: half of the test split, used to choose the settings\n",
		100*(1-val.Error), val.Loss, d.Val.X.Rows())
	if n := len(h.Test); n > 0 {
		t := h.Test[n-1]
		s += fmt.Sprintf("held-out test accuracy %.2f%% (loss %.4f) on %d images: the other half, used for nothing else\n",
			100*(1-t.Error), t.Loss, d.Test.X.Rows())
		nv, nt := float64(d.Val.X.Rows()), float64(d.Test.X.Rows())
		s += fmt.Sprintf("whole test split       %.2f%% on %d images (both halves together)\n",
			100*(nv*(1-val.Error)+nt*(1-t.Error))/(nv+nt), d.Val.X.Rows()+d.Test.X.Rows())
	}
	return s
}

// RunSanity runs the checks of diagnose.RunSanity on model, a fresh copy
// of the network about to be trained, and prints them to log. A failed
// overfit or gradient check is an error; a loss at initialisation off what
// the initial weights predict is a warning.
func RunSanity(model train.Model, s *Settings, d *Data, log io.Writer) (*diagnose.Sanity, error) {
	r := diagnose.RunSanity(model, d.Train, diagnose.SanityOptions{Classes: len(d.TrainSplit.Classes), Seed: s.Seed})
	fmt.Fprintf(log, "sanity checks (skip with -sanity=false):\n%s", indent(r.String()))
	return r, r.Err()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}
