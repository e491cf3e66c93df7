// Recipe trains part k's network with what goes beyond the homework
// (docs/beyond.md): other optimisers (-optimizer sgd, momentum, nesterov,
// adam, adamw, with -momentum and -weight-decay), learning-rate schedules
// (-schedule step, cosine, constant, with -warmup epochs), other
// activations (-activation), batch normalisation (-batchnorm), dropout
// (-dropout), label smoothing (-label-smoothing), data augmentation
// (-augment shifts, -flip mirrors, -rotate turns, -elastic distortions),
// test-time flip averaging (-tta), early stopping (-patience,
// -restore-best), and -preset best, the recipe that sets them together:
//
//	go run ./examples/recipe -preset best                   # out/recipe
//	go run ./examples/recipe -preset best -dataset mnist    # out/recipe-mnist
//	go run ./examples/evaluate -model out/recipe            # the saved model, in another program
//
// The homework's flags (-hidden, -lr, -epochs, -batch, -seed, …) are part
// k's, and with none of the recipe's flags it trains part k's network the
// same way, through train.Run rather than a loop of its own. It saves the
// model (with the optimiser's state), its history and its settings into
// -out, with the training curves; a folder that holds a model another
// program saved is refused, not replaced.
//
// Before training it runs the sanity checks of docs/diagnostics.md
// (-sanity=false skips them). -report also records the diagnostics while it
// trains and writes their figures and report.html into -out, as
// examples/diagnose does.
package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/backprop-go/backprop/diagnose"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/examples/internal/recipe"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("recipe", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var g recipe.DiagFlags
	r, _, err := recipe.Parse("recipe", args, stderr, func(fs *flag.FlagSet) { g.Register(fs, false) })
	if err != nil {
		return err
	}
	if err := g.Check(); err != nil {
		return err
	}
	if err := homework.CheckModelFolder("-out", r.Out, "recipe"); err != nil {
		return err // before the data is loaded and the model trained
	}

	d, err := homework.LoadData(&r.Settings, stderr)
	if err != nil {
		return err
	}
	var hooks []train.Hook
	var dg *recipe.Diagnosis
	var sanity *diagnose.Sanity
	if g.Sanity {
		if sanity, err = r.RunSanity(d, stderr); err != nil {
			return err // the network cannot learn: training it would waste the time
		}
	}
	if g.Report {
		if dg, err = recipe.NewDiagnosis(g, r, d, sanity, stderr); err != nil {
			return err
		}
		hooks = append(hooks, dg.Hook())
	}
	model, h, opt, err := r.Train(d, stderr, hooks...)
	if err != nil {
		return err // a *train.DivergedError says which update and suggests a smaller -lr
	}

	// The curves, as part k draws them, with the learning rate's drops.
	perEpoch := 0
	for _, p := range h.Train {
		if p.Epoch == 1 {
			perEpoch++
		}
	}
	err = homework.SaveCurves(r.Out, h, r.LRSchedule(len(h.Train), max(perEpoch, 1)), func(metric string) string {
		return fmt.Sprintf("Recipe: %s, %s, hidden %s, batch %d, %s", metric, r.Name(), r.Hidden, r.Batch, r.Schedule())
	})
	if err != nil {
		return err
	}

	last := h.Val[len(h.Val)-1]
	fmt.Fprintf(stdout, "%s %v: %d updates (%d epochs of %d samples) in %.1fs\n",
		r.Name(), model, len(h.Train), last.Epoch, d.Train.X.Rows(), h.Elapsed.Seconds())
	if r.TTA {
		fmt.Fprintln(stdout, "test-time flip averaging: accuracies below are of the mean prediction over each image and its mirror")
	}
	fmt.Fprint(stdout, r.Scores(model, h, d))
	// Saved after the report, so that a model that cannot be saved still
	// shows what it reached.
	if err := r.Save(r.Out, model, h, opt); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model, history, settings and curves in %s\n", r.Out)
	if dg != nil {
		path, err := dg.Write(r.Out, r, d, model, h, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "diagnostics in %s; open %s\n", r.Out, path)
	}
	return nil
}
