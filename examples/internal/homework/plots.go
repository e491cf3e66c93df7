package homework

import (
	"fmt"
	"image/color"
	"path/filepath"

	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/train"
)

// Metric picks one of the two numbers a train.Point holds.
type Metric int

// The metrics that curves plot.
const (
	Loss  Metric = iota // mean cross-entropy
	Error               // error rate, plotted in percent
)

// String returns the metric's axis label.
func (m Metric) String() string {
	if m == Error {
		return "error (%)"
	}
	return "cross-entropy loss"
}

// Of returns the metric of p, the error in percent.
func (m Metric) Of(p train.Point) float64 {
	if m == Error {
		return 100 * p.Error
	}
	return p.Loss
}

// XY returns the updates of pts and their metric, ready for a plot.Series.
func (m Metric) XY(pts []train.Point) (x, y []float64) {
	x, y = make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		x[i], y[i] = float64(p.Update), m.Of(p)
	}
	return x, y
}

// Faint returns c at one fifth of its opacity, for the raw, noisy series
// drawn under its smoothed version.
func Faint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 60}
}

// Curves plots metric m of h against the number of updates, on a
// logarithmic axis so that the first few hundred updates, where most of the
// learning happens, get as much room as the thousands after them: the value
// of every training batch (faint), its moving average (plot.SmoothLogX: at
// most window updates, fewer near the start so that each average covers the
// same short stretch of the log axis, and centred, so that it follows the
// curve from its first point), and the validation set's value at each
// evaluation (dots).
func Curves(h *train.History, m Metric, window int, title string) *plot.LineChart {
	tx, ty := m.XY(h.Train)
	vx, vy := m.XY(h.Val)
	return &plot.LineChart{
		Title: title, XLabel: "updates (batches of training), logarithmic scale", YLabel: m.String(),
		YMin: plot.Fixed(0.0), LogX: true,
		Series: []plot.Series{
			{Name: "training batch", X: tx, Y: ty, Color: Faint(plot.Palette[0])},
			{Name: fmt.Sprintf("training, moving average (up to %d updates)", window), X: tx, Y: plot.SmoothLogX(ty, window), Color: plot.Palette[0]},
			{Name: "validation (whole set)", X: vx, Y: vy, Color: plot.Palette[1], Markers: true},
		},
	}
}

// SaveCurves draws the training curves of h into dir as loss.png and
// error.png (Curves, with a moving average of up to 100 updates, and
// MarkDecay at the drops of rate); title returns a figure's title given
// its metric, "loss" or "error". Every update's batch value is noisy (64
// samples), so the moving average is drawn on top of it; the validation
// dots are exact, measured on the whole validation set.
func SaveCurves(dir string, h *train.History, rate func(update int) float64, title func(metric string) string) error {
	for _, c := range []struct {
		m          Metric
		name, file string
	}{{Loss, "loss", "loss.png"}, {Error, "error", "error.png"}} {
		chart := Curves(h, c.m, 100, title(c.name))
		MarkDecay(chart, rate, h)
		if err := plot.SavePNG(filepath.Join(dir, c.file), chart.Render()); err != nil {
			return err
		}
	}
	return nil
}

// MarkDecay draws a labelled vertical line on chart at each update of the
// run h where the learning rate, rate(update), drops to less than half of
// what it was (the -decay step), if it does.
func MarkDecay(chart *plot.LineChart, rate func(update int) float64, h *train.History) {
	for u := 2; u <= len(h.Train); u++ {
		if before, after := rate(u-1), rate(u); after < before/2 {
			chart.VLines = append(chart.VLines, plot.Rule{
				At: float64(u) - 0.5, Label: fmt.Sprintf("lr %.3g → %.3g", before, after),
			})
		}
	}
}

// Confusion counts how often each true class (row) was predicted as each
// class (column).
func Confusion(truth, pred []int, classes int) [][]int {
	counts := make([][]int, classes)
	for i := range counts {
		counts[i] = make([]int, classes)
	}
	for i, t := range truth {
		counts[t][pred[i]]++
	}
	return counts
}

// SamplesSeen returns how many training samples the first updates batches
// held, for n samples cut into batches of batch (the last batch of each
// epoch is smaller when batch does not divide n).
func SamplesSeen(updates, n, batch int) int {
	perEpoch := (n + batch - 1) / batch
	return updates/perEpoch*n + min(updates%perEpoch*batch, n)
}
