// Optimizers compares the update rules of package optim on the homework's
// network: plain SGD, SGD with momentum, Adam and AdamW train the same
// network from the same initial weights on the same batches (one seed), and
// one figure shows their validation error, with the final validation and
// held-out test accuracy in the legend; a second shows their training loss.
// It also draws momentum on a one-dimensional quadratic as the damped
// oscillator the optim package documentation derives (no data needed).
//
//	go run ./examples/optimizers                    # both figures into out/optimizers
//	go run ./examples/optimizers -figure momentum   # only the oscillator
//
// Every optimiser uses its own -lr default from part k (0.2 for SGD, 0.02
// for momentum, 0.001 for Adam and AdamW; the usual rates, not tuned), and AdamW
// a weight decay of 0.05 unless -weight-decay is given; the other
// homework flags (-dataset, -hidden, -epochs, -schedule, -seed, …) apply to
// all of them. See docs/beyond.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/examples/internal/recipe"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("optimizers", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var figure, which string
	f, fs, err := recipe.Parse("optimizers", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&figure, "figure", "all", "which figures: all, curves or momentum")
		fs.StringVar(&which, "optimizers", "sgd,momentum,adam,adamw", "the optimisers to compare, comma separated")
	})
	if err != nil {
		return err
	}
	if figure != "all" && figure != "curves" && figure != "momentum" {
		return fmt.Errorf("-figure %q: want all, curves or momentum", figure)
	}
	if figure != "curves" {
		path := filepath.Join(f.Out, "momentum.png")
		if err := plot.SavePNG(path, momentumChart().Render()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "momentum on a quadratic: %s\n", path)
	}
	if figure == "momentum" {
		return nil
	}

	d, err := homework.LoadData(&f.Settings, stderr)
	if err != nil {
		return err
	}
	test := d.Test
	valChart := &plot.LineChart{
		Title:  fmt.Sprintf("Validation error, %s, hidden %s, batch %d, seed %d", f.Name(), f.Hidden, f.Batch, f.Seed),
		XLabel: "epoch", YLabel: "validation error (%)",
	}
	lossChart := &plot.LineChart{
		Title:  fmt.Sprintf("Training loss (mean of 200 updates), %s, hidden %s, seed %d", f.Name(), f.Hidden, f.Seed),
		XLabel: "epoch", YLabel: "cross-entropy loss", LogY: true,
	}
	for i, name := range strings.Split(which, ",") {
		g := *f // same flags, same seed: same data order and initial weights
		g.Optimizer = strings.TrimSpace(name)
		lr, ok := recipe.DefaultLRs[g.Optimizer]
		if !ok {
			return fmt.Errorf("-optimizers: unknown optimiser %q", name)
		}
		if !homework.IsSet(fs, "lr") {
			g.LR = lr
		}
		if g.Optimizer == "adamw" && !homework.IsSet(fs, "weight-decay") {
			g.WeightDecay = 0.05 // AdamW without decay would be Adam
		}
		desc := g.Schedule()
		if g.Optimizer == "sgd" && !strings.HasPrefix(desc, "sgd") {
			desc = "sgd " + desc
		}
		if err := g.Check(); err != nil {
			return err
		}
		model, h, _, err := g.Train(d, stderr)
		if err != nil {
			return err
		}
		last := h.Val[len(h.Val)-1]
		_, testErr := train.Evaluate(model, test, 0)
		label := fmt.Sprintf("%s: val %.2f%%, test %.2f%%", desc, 100*(1-last.Error), 100*(1-testErr))
		fmt.Fprintln(stdout, label)
		perEpoch := float64(h.Train[len(h.Train)-1].Update) / float64(h.Train[len(h.Train)-1].Epoch)
		if g.Updates > 0 {
			perEpoch = float64(len(h.Train)) / math.Max(1, float64(last.Epoch))
		}
		vx, vy := homework.Error.XY(h.Val)
		tx, ty := homework.Loss.XY(h.Train)
		for j := range vx {
			vx[j] /= perEpoch
		}
		for j := range tx {
			tx[j] /= perEpoch
		}
		c := plot.Palette[i%len(plot.Palette)]
		valChart.Series = append(valChart.Series, plot.Series{Name: label, X: vx, Y: vy, Color: c, Markers: true})
		lossChart.Series = append(lossChart.Series, plot.Series{Name: desc, X: tx, Y: plot.Smooth(ty, 200), Color: c})
	}
	for file, chart := range map[string]*plot.LineChart{"curves.png": valChart, "loss.png": lossChart} {
		if err := plot.SavePNG(filepath.Join(f.Out, file), chart.Render()); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "figures in %s\n", filepath.Join(f.Out, "{curves,loss}.png"))
	return nil
}

// momentumChart iterates heavy-ball momentum on L(θ) = ½ h θ² from θ = 1,
// with η h = 0.1, for several μ: plain SGD (μ = 0) and the over-damped
// μ = 0.2 slide in; μ = (1 − √(η h))² ≈ 0.468 is critically damped, the
// fastest; μ = 0.9 oscillates inside the envelope ±(√μ)ᵗ.
func momentumChart() *plot.LineChart {
	const etaH, steps = 0.1, 80
	crit := (1 - math.Sqrt(etaH)) * (1 - math.Sqrt(etaH))
	ch := &plot.LineChart{
		Title:  "Momentum on the quadratic hθ²/2, ηh = 0.1: a damped oscillator",
		XLabel: "step t", YLabel: "θ at step t",
	}
	for _, c := range []struct {
		mu   float64
		name string
	}{
		{0, "plain SGD (μ = 0): θ shrinks by 1 - ηh = 0.9 a step"},
		{0.2, "μ = 0.2: over-damped"},
		{crit, fmt.Sprintf("μ = %.3f = (1 - √(ηh))²: critically damped", crit)},
		{0.9, "μ = 0.9: under-damped, rings inside ±(√μ)ᵗ"},
	} {
		th, v := 1.0, 0.0
		y := []float64{th}
		for t := 0; t < steps; t++ {
			v = c.mu*v + etaH*th // v ← μv + g with η folded in: g = hθ
			th -= v
			y = append(y, th)
		}
		ch.Series = append(ch.Series, plot.Series{Name: c.name, Y: y})
	}
	env, neg := make([]float64, steps+1), make([]float64, steps+1)
	for t := range env {
		env[t] = math.Pow(math.Sqrt(0.9), float64(t))
		neg[t] = -env[t]
	}
	faint := homework.Faint(plot.Palette[3])
	ch.Series = append(ch.Series, plot.Series{Y: env, Color: faint}, plot.Series{Y: neg, Color: faint})
	return ch
}
