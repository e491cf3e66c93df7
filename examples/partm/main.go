// Part m plots the training loss and the training error of every update,
// and explains them.
//
// Each point is measured on the one batch of 64 samples that the update is
// about to learn from, so the raw curves are noisy: an error rate over 64
// samples moves in steps of 1/64 and, at a true error p, scatters by about
// √(p(1−p)/64). A moving average over up to 100 updates (6,400 samples)
// shows the trend under the noise. The x axis is logarithmic, so that the first few
// hundred updates, where the loss falls fastest, are not squeezed against
// the axis; a dashed line marks where the learning rate drops. The program
// measures both curves and prints the numbers.
//
//	go run ./examples/partm   (reuses part k's model and history)
package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
)

const window = 100 // updates averaged by the smoothed curve

func main() { homework.Main("partm", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, d, _, h, err := homework.LoadPartKModel("partm", args, stderr)
	if err != nil {
		return err
	}

	for _, c := range []struct {
		m    homework.Metric
		file string
	}{{homework.Loss, "train-loss.png"}, {homework.Error, "train-error.png"}} {
		title := fmt.Sprintf("Part m: training %s per update (batches of %d), %s", c.m, f.Batch, f.Name())
		chart := homework.Curves(h, c.m, window, title)
		homework.MarkDecay(chart, f.Rate(len(h.Train)), h)
		chart.Series = chart.Series[:2] // the training curves only; part n adds validation
		if err := plot.SavePNG(filepath.Join(f.Out, c.file), chart.Render()); err != nil {
			return err
		}
	}

	// The numbers behind the explanation.
	_, loss := homework.Loss.XY(h.Train)
	_, errs := homework.Error.XY(h.Train)
	sl, se := plot.Smooth(loss, window), plot.Smooth(errs, window)
	n := len(h.Train)
	fmt.Fprintf(stdout, "%d updates of %d samples; the curves are in %s\n\n", n, f.Batch, filepath.Join(f.Out, "train-{loss,error}.png"))
	fmt.Fprintf(stdout, "start: the first batch's loss is %.3f; guessing all 10 classes equally would give\n"+
		"  ln 10 = %.3f (random initial weights make some confident wrong guesses); its error is %.0f%%.\n",
		loss[0], math.Log(10), errs[0])
	fmt.Fprintf(stdout, "trend (mean of the %d updates around each point; fewer, symmetrically, at the start;\n"+
		"  it stops %d updates before the end, where the window would be cut):\n", window, window/2)
	for _, u := range []int{100, 500, 1000, 2000, 5000, n - window/2} {
		if u <= n {
			fmt.Fprintf(stdout, "  update %5d  loss %.3f  error %5.2f%%\n", u, sl[u-1], se[u-1])
		}
	}
	for _, target := range []float64{20, 15} {
		if u := firstBelow(se, target); u > 0 {
			fmt.Fprintf(stdout, "  the smoothed error first drops below %.0f%% at update %d (%d samples)\n",
				target, u, homework.SamplesSeen(u, d.Train.X.Rows(), f.Batch))
		}
	}
	last := max(0, n-500)
	mean, sd := meanSD(errs[last:])
	p := mean / 100
	fmt.Fprintf(stdout, "noise: over the last %d updates the batch error is %.1f%% ± %.1f%% (standard deviation);\n"+
		"  a batch of %d drawn at a true error of %.1f%% would scatter by √(p(1−p)/%d) = %.1f%%,\n"+
		"  so the wiggles are sampling noise of small batches, not the network getting worse.\n",
		n-last, mean, sd, f.Batch, mean, f.Batch, 100*math.Sqrt(p*(1-p)/float64(f.Batch)))
	fmt.Fprintf(stdout, "The loss falls fast in the first few hundred updates (the easy, separable classes),\n"+
		"then slowly: what remains is telling similar classes apart. Both keep falling on the\n"+
		"training batches, which the network learns from; part n compares them with validation.\n")
	return nil
}

// firstBelow returns the first update (1-based) whose value is below target,
// or 0 if none is.
func firstBelow(y []float64, target float64) int {
	for i, v := range y {
		if v < target {
			return i + 1
		}
	}
	return 0
}

// meanSD returns the mean and the standard deviation of y.
func meanSD(y []float64) (mean, sd float64) {
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	for _, v := range y {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(y)))
}
