// Diagnose trains the default network of part k and shows what happens
// inside it, the diagnostics of docs/diagnostics.md: the checks before
// training (loss at initialisation against what the initial logits predict,
// overfitting 20 samples, a gradient check of the whole network), the
// learning-rate range test, the update-to-weight ratios, gradient norms,
// dead units and histograms of every layer while it trains, the accuracy of
// each class over time, the first layer's weights as images, PCA and t-SNE
// projections of the last hidden layer, and the most confused class pairs. It writes every figure as a PNG,
// the measurements as CSV, and one self-contained HTML report:
//
//	go run ./examples/diagnose
//	go run ./examples/diagnose -lr 1.0 -out out/diagnose-lr1   # a broken run, to learn the signs
//
// Open out/diagnose/report.html in a browser. The flags are those of
// examples/recipe (the network, the data, the training; with none given,
// part k's network and training), plus -sanity, -lrfind, -diag-every,
// -points and -tsne. -out is checked before any work.
package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/backprop-go/backprop/diagnose"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/examples/internal/recipe"
)

func main() { homework.Main("diagnose", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var g recipe.DiagFlags
	f, _, err := recipe.Parse("diagnose", args, stderr, func(fs *flag.FlagSet) { g.Register(fs, true) })
	if err != nil {
		return err
	}
	if err := g.Check(); err != nil {
		return err
	}
	g.Report = true // the point of this program
	if err := homework.CheckFolders("-out", f.Out); err != nil {
		return err // before the checks, the range test and the training
	}
	d, err := homework.LoadData(&f.Settings, stderr)
	if err != nil {
		return err
	}
	var sanity *diagnose.Sanity
	if g.Sanity {
		// A failed check is reported, not fatal: the report shows what a
		// broken run looks like, which is half of its purpose.
		if sanity, err = f.RunSanity(d, stderr); err != nil {
			fmt.Fprintf(stderr, "diagnose: %v (continuing, to show the signs)\n", err)
		}
	}
	dg, err := recipe.NewDiagnosis(g, f, d, sanity, stderr)
	if err != nil {
		return err
	}
	model, h, _, err := f.Train(d, stderr, dg.Hook())
	if err != nil {
		// A diverged run still has its diagnostics up to the failure.
		fmt.Fprintf(stderr, "diagnose: %v (writing the report of the run so far)\n", err)
		if h == nil || len(h.Train) == 0 {
			return err
		}
	}
	path, werr := dg.Write(f.Out, f, d, model, h, stderr)
	if werr != nil {
		return werr
	}
	fmt.Fprintf(stdout, "%s %v: %s\n", f.Name(), model, h.Summary())
	fmt.Fprintf(stdout, "figures and CSV in %s; open %s\n", f.Out, filepath.Clean(path))
	return nil
}
