// Learningcurve answers the question "how many samples do you need?" the
// way it is meant: it trains the same network on growing stratified
// subsets of the training split (1%, 2%, 5%, 10%, 25%, 50% and 100% by
// default) and measures each on the same validation set, the stratified half
// of the test split, which -fracs never changes. Every run takes the same
// number of updates with the same learning-rate schedule as part k's default
// run (9,380: 20 epochs of the 50% subsample), so the sizes differ in data
// only, not in compute; a small set is seen many more times.
//
// It prints one line per size as soon as that run ends, the accuracy on a
// fixed subset of the run's own training images (up to 5,000) and on
// validation, and the held-out test half, and plots accuracy against the
// training-set size on a logarithmic axis (a learning curve).
//
//	go run ./examples/learningcurve
//	go run ./examples/learningcurve -dataset mnist
//
// The subsets are nested: a smaller fraction keeps a subset of the images a
// larger one keeps (homework.LoadData), so the curve is not bent by which
// images happened to be drawn.
package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
)

func main() { homework.Main("learningcurve", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var f homework.Settings
	fs := homework.NewFlagSet("learningcurve", stderr)
	// -fracs replaces -frac; every run is trained here (no -model).
	f.RegisterSome(fs, "learningcurve", "dataset", "data", "download", "hidden", "lr", "epochs", "updates",
		"decay", "batch", "eval-every", "range", "seed", "out")
	fracList := fs.String("fracs", "0.01,0.02,0.05,0.1,0.25,0.5,1",
		"fractions of each class of the training split to train on, comma separated")
	if err := homework.Parse(fs, args, nil); err != nil {
		return err
	}
	f.DatasetFolders(fs, "learningcurve") // out/learningcurve-mnist for MNIST
	var fracs []float64
	for _, s := range strings.Split(*fracList, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(v > 0 && v <= 1) {
			return fmt.Errorf("-fracs: %q is not a fraction in (0, 1]", s)
		}
		fracs = append(fracs, v)
	}
	f.Frac = 0.5 // part k's subsample, whose epochs set the budget
	if err := f.Check(); err != nil {
		return err
	}
	// The budget of part k's run, kept for every size.
	d, err := homework.LoadData(&f, stderr)
	if err != nil {
		return err
	}
	if f.Updates == 0 {
		f.Updates = f.Epochs * ((d.Train.X.Rows() + f.Batch - 1) / f.Batch)
	}

	fmt.Fprintf(stdout, "%s, hidden %s, batch %d, %s, %d updates for every size; validation: %d images, held-out test: %d\n\n",
		f.Name(), f.Hidden, f.Batch, f.Schedule(), f.Updates, d.Val.X.Rows(), d.Test.X.Rows())
	fmt.Fprintf(stdout, "%6s  %8s  %7s  %14s  %14s  %13s\n", "frac", "images", "epochs", "train accuracy", "val accuracy", "test accuracy")
	var sizes, trainAcc, valAcc []float64
	for _, frac := range fracs {
		f.Frac = frac
		d, err := homework.LoadData(&f, io.Discard)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "training on %d images (%g of the training split)\n", d.Train.X.Rows(), frac)
		_, h, err := homework.Train(&f, d, stderr)
		if err != nil {
			return err
		}
		n := d.Train.X.Rows()
		tr, v, te := h.TrainEval[len(h.TrainEval)-1], h.Val[len(h.Val)-1], h.Test[len(h.Test)-1]
		fmt.Fprintf(stdout, "%6g  %8d  %7.1f  %13.2f%%  %13.2f%%  %12.2f%%\n",
			frac, n, float64(f.Updates*f.Batch)/float64(n), 100*(1-tr.Error), 100*(1-v.Error), 100*(1-te.Error))
		sizes = append(sizes, float64(n))
		trainAcc, valAcc = append(trainAcc, 100*(1-tr.Error)), append(valAcc, 100*(1-v.Error))
	}

	chart := plot.LineChart{
		Title:  fmt.Sprintf("Learning curve, %s: accuracy against the number of training images", f.Name()),
		XLabel: "training images (logarithmic; the validation set is the same 5,000 for every point)",
		YLabel: "accuracy (%)",
		LogX:   true, XTicks: sizes,
		Series: []plot.Series{
			{Name: "training images (up to 5,000 of them)", X: sizes, Y: trainAcc, Color: plot.Palette[0], Markers: true},
			{Name: "validation", X: sizes, Y: valAcc, Color: plot.Palette[1], Markers: true},
		},
	}
	file := filepath.Join(f.Out, "learning-curve.png")
	if err := plot.SavePNG(file, chart.Render()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nfigure in %s\n", file)
	return nil
}
