// Part n puts the validation loss and error, measured every 500 updates, on
// the same axes as the training curves, and explains how they differ.
//
// A fair comparison needs the same kind of number on both sides. The
// validation value at update u is a snapshot: the whole validation set
// (5,000 images) through the network as it is at u. The training value is
// measured the same way: a fixed subset of 5,000 training images
// (homework.TrainEvalSet, train.Config.TrainEval) through the same network
// at the same update. So each pair of points differs only in the images, one
// set trained on and one never seen. The per-batch training values (the loss
// of the batch each update is about to learn from) are drawn faintly
// underneath: they are noisy, and each is measured on a different network.
//
// At the end it reports the held-out test result, the other half of the test
// split, which nothing was tuned on.
//
//	go run ./examples/partn   (reuses part k's model and history)
package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
)

func main() { homework.Main("partn", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, d, _, h, err := homework.LoadPartKModel("partn", args, stderr)
	if err != nil {
		return err
	}
	if len(h.TrainEval) != len(h.Val) {
		return errors.New("the history has no training snapshots at the validation updates: train again with part k")
	}

	for _, c := range []struct {
		m    homework.Metric
		file string
	}{{homework.Loss, "loss.png"}, {homework.Error, "error.png"}} {
		tx, ty := c.m.XY(h.Train)
		sx, sy := c.m.XY(h.TrainEval)
		vx, vy := c.m.XY(h.Val)
		chart := plot.LineChart{
			Title:  fmt.Sprintf("Part n: training vs validation %s, %s", c.m, f.Name()),
			XLabel: "updates (batches of training)", YLabel: c.m.String(),
			YMin: plot.Fixed(0.0),
			Series: []plot.Series{
				{Name: "training batch (each on the network before its step)", X: tx, Y: ty, Color: homework.Faint(plot.Palette[0])},
				{Name: fmt.Sprintf("training, fixed %d images (snapshot)", min(homework.TrainEvalSize, d.Train.X.Rows())), X: sx, Y: sy, Color: plot.Palette[0], Markers: true},
				{Name: fmt.Sprintf("validation, %d images (snapshot)", d.Val.X.Rows()), X: vx, Y: vy, Color: plot.Palette[1], Markers: true},
			},
		}
		homework.MarkDecay(&chart, f.Rate(len(h.Train)), h)
		// The first batches (loss 2.3, error 90%) would squash the rest of the
		// plot: end the y axis at 1.5 times the highest snapshot.
		top := 0.0
		for i := range sy {
			top = max(top, sy[i], vy[i])
		}
		chart.YMax = plot.Fixed(1.5 * top)
		if err := plot.SavePNG(filepath.Join(f.Out, c.file), chart.Render()); err != nil {
			return err
		}
	}

	fmt.Fprintf(stdout, "snapshots at each validation: %d fixed training images vs %d validation images, same network:\n\n",
		min(homework.TrainEvalSize, d.Train.X.Rows()), d.Val.X.Rows())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "update\ttrain loss\tval loss\tgap\ttrain error\tval error\tgap\t")
	for i, v := range h.Val {
		t := h.TrainEval[i]
		fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t%+.4f\t%.2f%%\t%.2f%%\t%+.2f%%\t\n",
			v.Update, t.Loss, v.Loss, v.Loss-t.Loss, 100*t.Error, 100*v.Error, 100*(v.Error-t.Error))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, homework.Scores(h.Val[len(h.Val)-1], h, d))
	fmt.Fprintf(stdout, `
At first the two snapshots are close (a point or so apart after one epoch):
the network has not seen the training images often enough to fit them much
better than new ones. Then validation stays above training and the gap grows: the network fits the %d training images
(each seen once per epoch) better than images it never learns from. That
generalisation gap is why the validation set exists. Both snapshots jump a
little from one evaluation to the next (after more noisy steps the weights
are a different network), together, since it is the same network. Lowering
the learning rate (-decay) makes both drop at once, training more: the
weights settle into a minimum of the training loss, not of the validation
loss. The held-out test half, evaluated once at the end, agrees with
validation to within sampling noise: no setting was tuned on it. Figures in %s.
`, d.Train.X.Rows(), filepath.Join(f.Out, "{loss,error}.png"))
	return nil
}
