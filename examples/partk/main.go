// Part k trains the network: an MLP with ReLU hidden layers and a softmax
// cross-entropy loss, by plain SGD on batches of 64 drawn from the 50%
// stratified subsample, validating every 500 updates.
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
// accuracy there and on the held-out test set, the other half, which no
// choice has seen: docs/homework.md lists both for three seeds. A run takes
// 15–30 seconds on two cores.
//
// It saves the model, its history (loss and error of every update and of
// every validation) and its settings into -model, where parts l to o find
// them, and draws the training curves into -out:
//
//	go run ./examples/partk
//	go run ./examples/partk -dataset mnist -out out/partk-mnist
//
// Without -model, the model goes into the -out folder too.
//
// Beyond the homework (docs/beyond.md): -optimizer (sgd, momentum, nesterov,
// adam, adamw) with -momentum and -weight-decay, -schedule (step, cosine,
// constant) with -warmup epochs, -activation, -batchnorm, -dropout,
// -label-smoothing, data augmentation with -augment (shifts) and -flip,
// test-time flip averaging with -tta, early stopping with -patience and
// -restore-best, and -preset best, the recipe that sets them together.
//
// Before training, part k runs the sanity checks of docs/diagnostics.md
// (loss at initialisation against ln C, overfitting 20 samples, a gradient
// check of the whole network) and stops if the network cannot learn;
// -sanity=false skips them. -report also records the diagnostics while it
// trains and writes their figures and report.html into -out, as
// examples/diagnose does.
//
// Part k also reports the held-out test accuracy (the half of the test split
// that validation does not use) and the whole test split's.
package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/backprop-go/backprop/diagnose"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("partk", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var f homework.Flags
	var g homework.DiagFlags
	fs, err := f.ParseWith("partk", args, stderr, func(fs *flag.FlagSet) { g.Register(fs, false) })
	if err != nil {
		return err
	}
	if err := g.Check(); err != nil {
		return err
	}
	if !homework.IsSet(fs, "model") {
		f.Model = f.Out // one folder for everything unless told otherwise
	}
	if err := homework.CheckFolders("-out", f.Out, "-model", f.Model); err != nil {
		return err // before the data is loaded and the model trained
	}

	d, err := homework.LoadData(&f, stderr)
	if err != nil {
		return err
	}
	var hooks []train.Hook
	var dg *homework.Diagnosis
	var sanity *diagnose.Sanity
	if g.Sanity {
		if sanity, err = homework.RunSanity(&f, d, stderr); err != nil {
			return err // the network cannot learn: training it would waste the time
		}
	}
	if g.Report {
		if dg, err = homework.NewDiagnosis(g, &f, d, sanity, stderr); err != nil {
			return err
		}
		hooks = append(hooks, dg.Hook())
	}
	model, h, err := homework.TrainModel(&f, d, stderr, hooks...)
	if err != nil {
		return err // a *train.DivergedError says which update and suggests a smaller -lr
	}

	// The curves: every update's batch value is noisy (64 samples), so a
	// moving average of up to 100 updates is drawn on top of it; the
	// validation dots are exact, measured on the whole validation set.
	for _, c := range []struct {
		m          homework.Metric
		name, file string
	}{{homework.Loss, "loss", "loss.png"}, {homework.Error, "error", "error.png"}} {
		title := fmt.Sprintf("Part k: %s, %s, hidden %s, batch %d, %s", c.name, f.Name(), f.Hidden, f.Batch, f.Schedule())
		chart := homework.Curves(h, c.m, 100, title)
		homework.MarkDecay(chart, &f, h)
		if err := plot.SavePNG(filepath.Join(f.Out, c.file), chart.Render()); err != nil {
			return err
		}
	}

	last := h.Val[len(h.Val)-1]
	fmt.Fprintf(stdout, "%s %v: %d updates (%d epochs of %d samples) in %.1fs\n",
		f.Name(), model, len(h.Train), last.Epoch, d.Train.X.Rows(), h.Elapsed.Seconds())
	if f.TTA {
		fmt.Fprintln(stdout, "test-time flip averaging: accuracies below are of the mean prediction over each image and its mirror")
	}
	fmt.Fprint(stdout, homework.Scores(&f, model, h, d))
	// Saved after the report, so that a model that cannot be saved still
	// shows what it reached.
	if err := homework.SaveModel(f.Model, &f, model, h); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model, history and settings in %s; curves in %s\n", f.Model, filepath.Join(f.Out, "{loss,error}.png"))
	if dg != nil {
		path, err := dg.Write(f.Out, &f, d, model, h, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "diagnostics in %s; open %s\n", f.Out, path)
	}
	return nil
}
