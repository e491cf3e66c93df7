// Sweep trains the network for every pair of batch size and learning rate
// in a grid, with the same budget of training samples (3 epochs unless
// -epochs or -updates says otherwise) and a constant learning rate, and
// compares their final validation error and their time. Parts d and k
// invite the question: how do the batch size and the learning rate matter?
// The grid includes part k's learning rate, 0.2. Each run prints its line
// when it ends.
//
//	go run ./examples/sweep
//	go run ./examples/sweep -batches 16,64,256 -lrs 0.01,0.03,0.1,0.2,0.3,1 -epochs 3
//
// A learning rate so high that the loss becomes infinite or NaN stops that
// run (train.DivergedError); it shows as "diverged" in the table.
package main

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("sweep", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var f homework.Settings
	fs := homework.NewFlagSet("sweep", stderr)
	// Only the flags the sweep reads: -batches and -lrs replace -batch and
	// -lr, and it trains its own models (no -model).
	f.RegisterSome(fs, "sweep", "dataset", "data", "download", "hidden", "epochs", "updates", "decay",
		"eval-every", "frac", "range", "seed", "out")
	homework.SetDefault(fs, "epochs", "3")
	homework.SetDefault(fs, "decay", "0") // a constant rate, so that each run has one learning rate
	batchList := fs.String("batches", "16,64,256", "batch sizes to try, comma separated")
	lrList := fs.String("lrs", "0.01,0.03,0.1,0.2,0.3,1", "learning rates to try, comma separated (0.2 is part k's)")
	if err := homework.Parse(fs, args, nil); err != nil {
		return err
	}
	f.DatasetFolders(fs, "sweep") // out/sweep-mnist for MNIST
	batches, err := parseList(*batchList, strconv.Atoi)
	if err != nil {
		return fmt.Errorf("-batches: %v", err)
	}
	lrs, err := parseList(*lrList, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	if err != nil {
		return fmt.Errorf("-lrs: %v", err)
	}

	// Every run's flags, and the output folder, before any work.
	for _, b := range batches {
		g := f
		g.Batch, g.LR = b, lrs[0]
		if err := g.Check(); err != nil {
			return fmt.Errorf("batch %d: %w", b, err)
		}
	}
	if err := homework.CheckFolders("-out", f.Out); err != nil {
		return err
	}
	d, err := homework.LoadData(&f, stderr)
	if err != nil {
		return err
	}
	budget := fmt.Sprintf("%d epochs", f.Epochs)
	if f.Updates > 0 {
		budget = fmt.Sprintf("%d updates", f.Updates)
	}
	fmt.Fprintf(stdout, "%s, hidden %s, %s of %d samples each, validation on %d samples:\n\n",
		f.Name(), f.Hidden, budget, d.Train.X.Rows(), d.Val.X.Rows())
	// One line per run, printed as soon as the run ends.
	fmt.Fprintf(stdout, "%5s  %5s  %7s  %8s  %9s  %12s  %6s\n", "batch", "lr", "updates", "val loss", "val error", "val accuracy", "time")
	const top = 40.0 // the chart's y range ends here: chance level (90%) would squash the rest
	var series []plot.Series
	off := plot.Series{Name: fmt.Sprintf("off the chart (error over %g%% or diverged), drawn at the top", top),
		Markers: true, Width: -1, Color: color.Gray{Y: 110}}
	for _, b := range batches {
		s := plot.Series{Name: fmt.Sprintf("batch %d", b), Markers: true}
		for _, lr := range lrs {
			f.Batch, f.LR = b, lr
			fmt.Fprintf(stderr, "batch %d, lr %g\n", b, lr)
			_, h, err := homework.Train(&f, d, io.Discard)
			var de *train.DivergedError
			switch {
			case errors.As(err, &de):
				fmt.Fprintf(stdout, "%5d  %5g  %7d  diverged\n", b, lr, de.Update)
				s.X, s.Y = append(s.X, lr), append(s.Y, math.NaN())
				off.X, off.Y = append(off.X, lr), append(off.Y, top)
				continue
			case err != nil:
				return err
			}
			v := h.Val[len(h.Val)-1]
			// A rate too high can also fail without a NaN: the network ends
			// up giving the same answer to every image, right for one class
			// in ten, with loss ln 10. Typically a few huge steps pushed the
			// ReLUs of a layer below zero for all inputs, where their
			// gradient is zero and they never recover.
			note := ""
			if chance := 1 - 1/float64(len(d.TrainSplit.Classes)); v.Error >= chance-0.02 {
				note = "  no better than chance (same answer for every image)"
			}
			fmt.Fprintf(stdout, "%5d  %5g  %7d  %8.4f  %8.2f%%  %11.2f%%  %5.1fs%s\n",
				b, lr, len(h.Train), v.Loss, 100*v.Error, 100*(1-v.Error), h.Elapsed.Seconds(), note)
			s.X, s.Y = append(s.X, lr), append(s.Y, 100*v.Error)
			if 100*v.Error > top {
				off.X, off.Y = append(off.X, lr), append(off.Y, top)
			}
		}
		series = append(series, s)
	}
	if len(off.X) > 0 {
		series = append(series, off)
	}

	chart := plot.LineChart{
		Title:  fmt.Sprintf("Sweep: validation error after %s, %s", budget, f.Name()),
		XLabel: "learning rate (logarithmic; ticks at the rates tried)",
		YLabel: "validation error (%)",
		LogX:   true, XTicks: lrs,
		YMin: plot.Fixed(0.0), YMax: plot.Fixed(top),
		Series: series,
	}
	if slices.Contains(lrs, homework.DefaultLR) {
		chart.VLines = []plot.Rule{{At: homework.DefaultLR, Label: fmt.Sprintf("part k's rate %g", homework.DefaultLR)}}
	}
	file := filepath.Join(f.Out, "sweep.png")
	if err := plot.SavePNG(file, chart.Render()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nfigure in %s\n", file)
	return nil
}

// parseList parses a comma-separated list of positive, finite numbers
// (NaN and Inf are refused here, before any run, not after the others).
func parseList[T int | float64](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, field := range strings.Split(s, ",") {
		v, err := parse(strings.TrimSpace(field))
		if err != nil || !(v > 0) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("%q is not a positive number", field)
		}
		out = append(out, v)
	}
	return out, nil
}
