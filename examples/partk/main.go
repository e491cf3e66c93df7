// Part k trains the network: an MLP with ReLU hidden layers and a softmax
// cross-entropy loss, by plain SGD on batches of 64 drawn from the 50%
// stratified subsample, validating every 500 updates. The loop is below,
// in run, as the homework states it: for each batch, forward, loss,
// backward, SGD step; every 500 updates, the whole validation set.
//
// Which loss? Cross-entropy, the negative log-likelihood of the label under
// the categorical distribution the softmax outputs: maximising the likelihood
// of the training labels is minimising it, and its gradient with respect to
// the logits is simply (p − y)/B, large when the network is confidently
// wrong. Mean squared error on softmax outputs has a gradient that carries
// the softmax's derivative p(1 − p), which vanishes exactly then.
//
// The defaults (two hidden layers of 256 and 128, learning rate 0.2 divided
// by ten for the last quarter of the updates, 20 epochs) were chosen on the
// validation set, the stratified half of the test split. Part k reports the
// accuracy there, on the held-out test set (the other half, which no choice
// has seen) and on the whole test split: docs/homework.md lists them for
// three seeds.
//
// It saves the model, its history (loss and error of every update and of
// every validation) and its settings into -model, where parts l to o find
// them, and draws the training curves into -out:
//
//	go run ./examples/partk                  # out/partk
//	go run ./examples/partk -dataset mnist   # out/partk-mnist
//
// Without -model, the model goes into the -out folder too. A -model folder
// that holds a model another program saved (examples/recipe) is refused,
// not replaced.
//
// Before training, part k runs the sanity checks of docs/diagnostics.md
// (the loss at initialisation against what the initial weights predict,
// overfitting 20 samples, a gradient check of the whole network) and stops
// if the network cannot learn; -sanity=false skips them.
//
// Everything beyond the homework (other optimisers and schedules, batch
// normalisation, dropout, augmentation, -preset best, the diagnostics
// report) is in examples/recipe.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/progress"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("partk", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var sanity bool
	s, fs, err := homework.ParseSettings("partk", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&sanity, "sanity", true, "check before training: loss at initialisation, overfit 20 samples, gradient check of the network")
	})
	if err != nil {
		return err
	}
	if !homework.IsSet(fs, "model") {
		s.Model = s.Out // one folder for everything unless told otherwise
	}
	// Before the data is loaded and the model trained: a folder that cannot
	// take the results would throw the run away.
	if err := homework.CheckFolders("-out", s.Out); err != nil {
		return err
	}
	if err := homework.CheckModelFolder("-model", s.Model, "partk"); err != nil {
		return err
	}

	// Parts a and c: load both splits, keep a stratified half of each class
	// of the training split, cut the test split into the validation half and
	// the held-out half, and scale the pixels to [0, 1].
	d, err := homework.LoadData(s, stderr)
	if err != nil {
		return err
	}
	sizes, err := s.Sizes(d.Train.X.Cols(), len(d.TrainSplit.Classes)) // 784, 256, 128, 10
	if err != nil {
		return err
	}
	if sanity {
		fresh := layers.NewMLP(sizes, layers.He, s.Rand(homework.ForInit)) // the same weights as model below
		if _, err := homework.RunSanity(fresh, s, d, stderr); err != nil {
			return err // the network cannot learn: training it would waste the time
		}
	}

	// Part d: batches of 64, reshuffled every epoch. Parts e–h: the network,
	// Linear, ReLU, Linear, ReLU, Linear, with He-initialised weights. Part
	// i: softmax cross-entropy. The optimiser is plain SGD, θ ← θ − η ∂L/∂θ.
	loader := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{BatchSize: s.Batch, Shuffle: true, Rng: s.Rand(homework.ForShuffle)})
	model := layers.NewMLP(sizes, layers.He, s.Rand(homework.ForInit))
	var ce loss.SoftmaxCrossEntropy
	sgd := &optim.SGD{}
	total, err := s.TotalUpdates(d.Train.X.Rows())
	if err != nil {
		return err
	}
	rate := s.Rate(total) // η: -lr, divided by 10 for the last -decay of the updates
	// Part n compares the validation curve with the same measurement on a
	// fixed set of 5,000 training images.
	trainEval := homework.TrainEvalSet(s, d)

	fmt.Fprintf(stderr, "training %v on %d samples, batch %d, %s, validating on %d samples every %d updates\n",
		sizes, d.Train.X.Rows(), s.Batch, s.Schedule(), d.Val.X.Rows(), s.EvalEvery)
	h := &train.History{LR: s.LR}
	bar := progress.New(stderr, "train", int64(total))
	start := time.Now()
	epoch := 1
	for update := 1; update <= total; update++ {
		x, y, ok := loader.Next() // X is 64×784, y the 64 labels
		if !ok {                  // the end of an epoch: the next call starts a new one
			epoch++
			x, y, _ = loader.Next()
		}
		logits := model.Forward(x)    // Z = A Wᵀ + b, ReLU, … layer by layer
		l := ce.Forward(logits, y)    // mean cross-entropy over the batch
		model.Backward(ce.Backward()) // δ = (P − Y)/B flows back, filling every ∂L/∂θ
		sgd.SetLR(rate(update))       // the learning rate of this update
		sgd.Step(model.Params())      // θ ← θ − η ∂L/∂θ, then ∂L/∂θ ← 0
		if math.IsNaN(l) || math.IsInf(l, 0) {
			bar.Clear()
			return &train.DivergedError{Update: update, Epoch: epoch, LR: rate(update), Loss: l}
		}
		// Part m: the loss and error of every batch, measured before its step.
		h.Train = append(h.Train, train.Point{Update: update, Epoch: epoch, Loss: l, Error: loss.ErrorRate(ce.Probs(), y)})

		// Part l: every 500 updates and after the last, the whole validation
		// set (train.Evaluate switches the network to evaluation mode and back).
		if update%s.EvalEvery == 0 || update == total {
			vl, ve := train.Evaluate(model, d.Val, 0)
			h.Val = append(h.Val, train.Point{Update: update, Epoch: epoch, Loss: vl, Error: ve})
			tl, te := train.Evaluate(model, trainEval, 0)
			h.TrainEval = append(h.TrainEval, train.Point{Update: update, Epoch: epoch, Loss: tl, Error: te})
		}
		bar.Update(int64(update), fmt.Sprintf("epoch %d  update %d/%d  lr %.4g  loss %.4f", epoch, update, total, rate(update), l))
	}
	h.Elapsed = time.Since(start)
	bar.Done(h.Summary())
	if w := homework.ChanceWarning(h, len(d.TrainSplit.Classes)); w != "" {
		fmt.Fprintln(stderr, w)
	}
	// Once, after training: the held-out half, which nothing was chosen on.
	homework.EvaluateTest(model, d, h)

	// Part m's curves: loss and error of every batch, their moving average,
	// and the validation dots.
	err = homework.SaveCurves(s.Out, h, rate, func(metric string) string {
		return fmt.Sprintf("Part k: %s, %s, hidden %s, batch %d, %s", metric, s.Name(), s.Hidden, s.Batch, s.Schedule())
	})
	if err != nil {
		return err
	}

	last := h.Val[len(h.Val)-1]
	fmt.Fprintf(stdout, "%s %v: %d updates (%d epochs of %d samples) in %.1fs\n",
		s.Name(), model, len(h.Train), last.Epoch, d.Train.X.Rows(), h.Elapsed.Seconds())
	fmt.Fprint(stdout, homework.Scores(last, h, d))
	// Saved after the report, so that a model that cannot be saved still
	// shows what it reached.
	if err := homework.SaveModel(s.Model, "partk", s, model, h, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model, history and settings in %s; curves in %s\n", s.Model, filepath.Join(s.Out, "{loss,error}.png"))
	return nil
}
