// Part j: check the backward passes with numerical gradients.
//
// A central difference approximates a derivative from two forward passes:
//
//	∂L/∂θ ≈ (L(θ+ε) − L(θ−ε)) / 2ε,   ε = 1e-4.
//
// Its error is O(ε²) (the even Taylor terms cancel), where the one-sided
// (L(θ+ε) − L(θ))/ε has O(ε); ε cannot be tiny either, because rounding
// errors in L get divided by ε. The figure eps.png shows both effects. The
// analytic gradient a and the numeric n are compared by the relative error
// |a − n| / max(|a|, |n|), which means the same whatever the scale of the
// gradient; the homework's bar is 1e-5, and a correct float64 gradient
// usually gets below 1e-7.
//
// This program checks Linear, ReLU (inputs kept away from the kink at 0),
// a small MLP, the softmax cross-entropy loss, and the MLP and loss
// together, with package gradcheck, and prints one row per tensor. Then it
// shows that the check catches two typical bugs. It exits with status 1 if a
// real layer fails.
//
//	go run ./examples/partj
package main

import (
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"text/tabwriter"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
)

const (
	homeworkTol = 1e-5 // the homework's bar
	strictTol   = 1e-7 // what a correct float64 gradient reaches
)

func main() { homework.Main("partj", run) }

func run(args []string, w, stderr io.Writer) error {
	fs := flag.NewFlagSet("partj", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", filepath.Join("out", "partj"), "output folder")
	seed := fs.Uint64("seed", 1, "seed for the random inputs and weights")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 10))
	opts := gradcheck.Options{Eps: 1e-4, Seed: *seed}

	// The real layers. Each check nudges every entry of the input and of
	// every parameter by ±ε.
	lin := layers.NewLinear(5, 3, layers.He, rng)
	randomBias(lin, rng) // a zero bias would hide a bias bug in the forward pass
	mlp := layers.NewMLP([]int{6, 5, 4, 3}, layers.He, rng)
	for _, l := range mlp.Layers() {
		if l, ok := l.(*layers.Linear); ok {
			randomBias(l, rng)
		}
	}
	x := tensor.RandNormal(rng, 0, 1, 4, 6) // 4 samples, 6 features
	labels := []int{0, 2, 1, 2}
	checks := []struct {
		name string
		rep  gradcheck.Report
	}{
		{"Linear(5→3)", gradcheck.Layer(lin, tensor.RandNormal(rng, 0, 1, 4, 5), opts)},
		{"ReLU", gradcheck.Layer(layers.NewReLU(), awayFromZero(tensor.RandNormal(rng, 0, 1, 4, 6), 0.1), opts)},
		{"MLP 6-5-4-3", gradcheck.Layer(mlp, x, opts)},
		{"softmax CE", checkLoss(tensor.RandNormal(rng, 0, 2, 4, 3), labels, 1, opts)},
		{"MLP + softmax CE", checkModelLoss(mlp, x, labels, opts)},
	}

	fmt.Fprintf(w, "Part j: gradient check, central differences with ε = %g\n", opts.Eps)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\ttensor\tshape\tentries\tmax rel err\t< 1e-5\t< 1e-7")
	var failed []string
	for _, c := range checks {
		for i, t := range c.rep.Tensors {
			name := c.name
			if i > 0 {
				name = "" // name each check once
			}
			fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%.1e\t%s\t%s\n", name, t.Name, t.Shape, t.Checked,
				t.Worst.RelErr, pass(t.Worst.RelErr, homeworkTol), pass(t.Worst.RelErr, strictTol))
		}
		if f := c.rep.Failed(homeworkTol); len(f) > 0 {
			failed = append(failed, fmt.Sprintf("%s %v", c.name, f))
		}
	}
	tw.Flush()

	// Two typical bugs, and how the check points at them.
	fmt.Fprintln(w, "\ndeliberate bugs (these must fail):")
	bug := gradcheck.Layer(noBiasGrad{lin}, tensor.RandNormal(rng, 0, 1, 4, 5), opts)
	fmt.Fprintf(w, "  Linear that forgets ∂L/∂b: caught=%v, wrong tensors %v, worst rel err %.2g\n",
		!bug.OK(homeworkTol), bug.Failed(homeworkTol), bug.Worst.RelErr)
	bug = checkLoss(tensor.RandNormal(rng, 0, 2, 4, 3), labels, 4, opts)
	fmt.Fprintf(w, "  softmax CE gradient without the 1/B (B = 4): caught=%v, worst rel err %.2g = 1 − 1/B\n",
		!bug.OK(homeworkTol), bug.Worst.RelErr)

	// Why central differences, and why ε = 1e-4.
	best, at1e4, err := epsFigure(filepath.Join(*out, "eps.png"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nrelative error of a numerical derivative of the loss (figure %s):\n", filepath.Join(*out, "eps.png"))
	fmt.Fprintf(w, "  at ε = 1e-4: one-sided %.0e, central %.0e\n", at1e4[0], at1e4[1])
	fmt.Fprintf(w, "  smallest:    one-sided %.0e at ε = %.0e, central %.0e at ε = %.0e\n",
		best[0].err, best[0].eps, best[1].err, best[1].eps)

	if len(failed) > 0 {
		return fmt.Errorf("gradient check failed for %v", failed)
	}
	fmt.Fprintln(w, "all real layers pass, with the homework's 1e-5 and with 1e-7")
	return nil
}

func pass(relErr, tol float64) string {
	if relErr <= tol {
		return "pass"
	}
	return "FAIL"
}

// randomBias replaces the zero initial bias of l with random values.
func randomBias(l *layers.Linear, rng *rand.Rand) {
	for i := range l.B.Value.Data {
		l.B.Value.Data[i] = rng.NormFloat64()
	}
}

// awayFromZero moves every entry of x at least margin away from 0, keeping
// its sign, so that x ± ε never crosses ReLU's kink.
func awayFromZero(x *tensor.Tensor, margin float64) *tensor.Tensor {
	for i, v := range x.Data {
		x.Data[i] = math.Copysign(margin+math.Abs(v), v)
	}
	return x
}

// checkLoss checks the gradient of the mean softmax cross-entropy with
// respect to the logits z. scale multiplies the analytic gradient: 1 is the
// real thing, B simulates forgetting to divide by the batch size.
func checkLoss(z *tensor.Tensor, labels []int, scale float64, opts gradcheck.Options) gradcheck.Report {
	var ce loss.SoftmaxCrossEntropy
	ce.Forward(z, labels)
	g := ce.Backward().Clone()
	g.Scale(scale)
	p := &layers.Param{Name: "logits", Value: z, Grad: g}
	return gradcheck.Func(func() float64 { return ce.Forward(z, labels) }, []*layers.Param{p}, opts)
}

// checkModelLoss checks the whole chain: the gradients of the mean loss of
// model on (x, labels) with respect to every parameter, as training uses them.
func checkModelLoss(model *layers.Sequential, x *tensor.Tensor, labels []int, opts gradcheck.Options) gradcheck.Report {
	var ce loss.SoftmaxCrossEntropy
	f := func() float64 { return ce.Forward(model.Forward(x), labels) }
	layers.ZeroGrads(model.Params())
	f()
	model.Backward(ce.Backward())
	return gradcheck.Func(f, model.Params(), opts)
}

// noBiasGrad is a Linear layer with a typical bug: its Backward forgets to
// accumulate the bias gradient.
type noBiasGrad struct{ *layers.Linear }

func (l noBiasGrad) Backward(d *tensor.Tensor) *tensor.Tensor {
	db := l.B.Grad.Clone()
	dx := l.Linear.Backward(d)
	l.B.Grad.CopyFrom(db) // the bug: undo the bias gradient
	return dx
}

type epsErr struct{ eps, err float64 }

// epsFigure measures the relative error of the one-sided and the central
// difference of a smooth function (the cross-entropy of one sample, with
// respect to one logit) for ε from 1 down to 1e-12, plots it, and returns
// the best ε of each and their errors at ε = 1e-4.
func epsFigure(path string) (best [2]epsErr, at1e4 [2]float64, err error) {
	z := tensor.FromData([]float64{1.3, -0.4, 0.8, 2.1}, 1, 4)
	labels := []int{2}
	var ce loss.SoftmaxCrossEntropy
	f := func() float64 { return ce.Forward(z, labels) }
	f()
	analytic := ce.Backward().At(0, 0)
	at := func(v float64) float64 { z.Data[0] = v; return f() }
	theta := z.Data[0]

	var oneSided, central plot.Series
	// (The plot font has no θ or minus sign: ASCII "w" and "-" stand in.)
	oneSided.Name, central.Name = "one-sided (L(w+ε) - L(w))/ε", "central (L(w+ε) - L(w-ε))/2ε"
	oneSided.Markers, central.Markers = true, true
	central.Width = 5
	best = [2]epsErr{{err: math.Inf(1)}, {err: math.Inf(1)}}
	for k := 0.0; k <= 12; k += 0.5 {
		eps := math.Pow(10, -k)
		errs := [2]float64{
			gradcheck.RelErr(analytic, (at(theta+eps)-at(theta))/eps),
			gradcheck.RelErr(analytic, (at(theta+eps)-at(theta-eps))/(2*eps)),
		}
		z.Data[0] = theta
		if k == 4 {
			at1e4 = errs
		}
		for i, e := range errs {
			if e < best[i].err {
				best[i] = epsErr{eps, e}
			}
		}
		oneSided.X, oneSided.Y = append(oneSided.X, eps), append(oneSided.Y, errs[0])
		central.X, central.Y = append(central.X, eps), append(central.Y, errs[1])
	}
	chart := plot.LineChart{
		Title:  "Part j: error of dL/dw against ε, for L = -log softmax(z)[2], w = z[0]",
		XLabel: "step ε (logarithmic)", YLabel: "relative error |numeric - analytic| / max", LogX: true, LogY: true,
		// central is drawn first and wider: below ε ≈ 1e-8 rounding dominates
		// and both give the same numbers, one line on top of the other.
		Series: []plot.Series{central, oneSided},
		VLines: []plot.Rule{{At: 1e-4, Label: "ε = 1e-4, the step used"}},
		HLines: []plot.Rule{{At: homeworkTol, Label: "1e-5: the homework's tolerance", Color: color.RGBA{200, 0, 0, 255}}},
	}
	return best, at1e4, plot.SavePNG(path, chart.Render())
}
