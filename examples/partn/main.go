// Part n puts the validation loss and error, measured every 500 updates, on
// the same axes as the training curves, and explains how they differ.
//
// A fair comparison needs the same kind of number on both sides. The
// validation value at update u is exact: the whole validation set through
// the network as it is at u. One training batch is 64 samples, far too few,
// so each training point here is the mean of the batch values since the
// previous validation (500 batches, 32,000 samples): a mean over as many
// samples as the validation set has, and over the same stretch of training.
// It is a little pessimistic, because the early batches of the stretch met a
// slightly worse network than the one validated at its end.
//
//	go run ./examples/partn   (reuses part k's model and history)
package main

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("partn", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, d, _, h, err := homework.LoadPartKModel("partn", args, stderr)
	if err != nil {
		return err
	}

	means := intervalMeans(h)
	for _, c := range []struct {
		m    homework.Metric
		file string
	}{{homework.Loss, "loss.png"}, {homework.Error, "error.png"}} {
		tx, ty := c.m.XY(h.Train)
		mx, my := c.m.XY(means)
		vx, vy := c.m.XY(h.Val)
		chart := plot.LineChart{
			Title:  fmt.Sprintf("Part n: training vs validation %s, %s", c.m, f.Dataset),
			XLabel: "updates (batches of training)", YLabel: c.m.String(),
			YMin: plot.Fixed(0.0),
			Series: []plot.Series{
				{Name: "training batch", X: tx, Y: ty, Color: homework.Faint(plot.Palette[0])},
				{Name: "training, mean since the last validation", X: mx, Y: my, Color: plot.Palette[0], Markers: true},
				{Name: "validation (whole set)", X: vx, Y: vy, Color: plot.Palette[1], Markers: true},
			},
		}
		// The first batches (loss 2.3, error 90%) would squash the rest of the
		// plot: end the y axis at 1.5 times the highest point that is a mean.
		top := 0.0
		for i := range my {
			top = max(top, my[i], vy[i])
		}
		chart.YMax = plot.Fixed(1.5 * top)
		if err := plot.SavePNG(filepath.Join(f.Out, c.file), chart.Render()); err != nil {
			return err
		}
	}

	fmt.Fprintf(stdout, "training (mean of the batches since the last validation) vs validation (%d samples):\n\n", d.Val.X.Rows())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "update\ttrain loss\tval loss\tgap\ttrain error\tval error\tgap\t")
	for i, v := range h.Val {
		t := means[i]
		fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t%+.4f\t%.2f%%\t%.2f%%\t%+.2f%%\t\n",
			v.Update, t.Loss, v.Loss, v.Loss-t.Loss, 100*t.Error, 100*v.Error, 100*(v.Error-t.Error))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
The first training mean is the worst: it averages the whole first stretch,
which starts from the untrained network, while validation measures the
network at its end. After that the two agree at first: the network has not
seen the samples often enough to fit them better than new ones. Then
validation stays above training and the gap grows: the network fits the
%d training images (each seen once per epoch) better than images it never
learns from. That generalisation gap is why the validation set exists.
Validation also jumps from one evaluation to the next (after one more noisy
step the weights are a different network) while the training mean, over %d
steps, is smoother. Lowering the learning rate (-decay) makes both drop at
once, training more: the weights settle into the minimum of the training
loss, not of the validation loss. Figures in %s.
`, d.Train.X.Rows(), f.EvalEvery, filepath.Join(f.Out, "{loss,error}.png"))
	return nil
}

// intervalMeans returns, for each validation point, the mean loss and error
// of the training batches since the previous validation point.
func intervalMeans(h *train.History) []train.Point {
	means := make([]train.Point, len(h.Val))
	from := 0 // index into h.Train of the first batch of the stretch
	for i, v := range h.Val {
		var sum train.Point
		n := 0
		for ; from < len(h.Train) && h.Train[from].Update <= v.Update; from++ {
			sum.Loss += h.Train[from].Loss
			sum.Error += h.Train[from].Error
			n++
		}
		means[i] = train.Point{Update: v.Update, Epoch: v.Epoch, Loss: sum.Loss / float64(n), Error: sum.Error / float64(n)}
	}
	return means
}
