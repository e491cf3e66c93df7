// Part d: cut the training set into batches.
//
// Training takes one SGD step per mini-batch of B examples (B = 64 in the
// homework), visiting the training set in a new random order every epoch.
// data.Loader does that: each Next returns a B×784 input matrix and B labels;
// the last batch of an epoch is smaller unless DropLast skips it.
//
// What changes with B? One epoch takes ⌈N/B⌉ updates, so a small B gives
// many cheap, noisy steps and a large B few expensive, accurate ones: the
// compute per update grows ∝ B, and the mini-batch gradient, a mean of B
// per-sample gradients, deviates from the full gradient by ∝ 1/√B. Small
// batches also use the machine less well (less work per matrix product), so
// an epoch takes longer. This program prints the batch shapes, the number of
// batches per epoch for several B, and measures, with a fresh 784-128-10
// network, the gradient noise and the time of one epoch for a few B. It draws
// the start of the first shuffled batch into -out/batch.png.
//
//	go run ./examples/partd
//	go run ./examples/partd -batch 128
package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("partd", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, _, err := homework.ParseSettings("partd", args, stderr, nil)
	if err != nil {
		return err
	}
	if f.Batch <= 0 {
		return fmt.Errorf("-batch %d: want a positive batch size", f.Batch)
	}
	d, err := homework.LoadData(f, stderr)
	if err != nil {
		return err
	}
	classes := d.TrainSplit.Classes
	n := d.Train.X.Rows()

	// One shuffled epoch with the -batch size: the shapes of its batches.
	loader := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{
		BatchSize: f.Batch, Shuffle: true, Rng: f.Rand(homework.ForShuffle),
	})
	x, y, _ := loader.Next()
	fmt.Fprintf(stdout, "Part d: %d training samples in batches of %d, shuffled every epoch\n", n, f.Batch)
	fmt.Fprintf(stdout, "first batch: x %v, y %d labels, starting %v\n", x.Shape, len(y), y[:min(8, len(y))])
	images, captions := batchImages(x, y, classes, 20)
	perClass := make([]int, len(classes))
	for _, c := range y {
		perClass[c]++
	}
	fmt.Fprintf(stdout, "labels in the first batch, per class: %v (shuffling mixes the classes)\n", perClass)
	count, lastShape, lastLen := 1, slices.Clone(x.Shape), len(y)
	for {
		x, y, ok := loader.Next()
		if !ok {
			break
		}
		count++
		lastShape, lastLen = slices.Clone(x.Shape), len(y)
	}
	fmt.Fprintf(stdout, "last batch:  x %v, y %d labels (%d = %d·%d + %d)\n",
		lastShape, lastLen, n, f.Batch, n/f.Batch, n%f.Batch)
	fmt.Fprintf(stdout, "%d batches in epoch 1\n", count)
	r, _ := f.NormRange() // LoadData has checked it
	lo := 0.0
	if r == data.MinusOneOne {
		lo = -1
	}
	grid := plot.ImageGridFloat(images, 28, 28, lo, 1, captions, plot.GridOptions{
		Title: fmt.Sprintf("Part d: the first %d samples of the first shuffled batch of %d", len(images), f.Batch),
		Cols:  10, Scale: 3,
	})
	path := filepath.Join(f.Out, "batch.png")
	if err := plot.SavePNG(path, grid); err != nil {
		return err
	}

	// Batches per epoch for several sizes.
	fmt.Fprintln(stdout, "\nbatches (= updates) per epoch:")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "B\tbatches\tlast batch\twith DropLast\tsamples skipped\t")
	for _, b := range []int{16, 32, 64, 128, 256} {
		all := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{BatchSize: b})
		drop := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{BatchSize: b, DropLast: true})
		last := n - (all.NumBatches()-1)*b
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t\n", b, all.NumBatches(), last, drop.NumBatches(), n-drop.NumBatches()*b)
	}
	tw.Flush()

	// Gradient noise and time per epoch, with a fresh network.
	fmt.Fprintln(stdout, "\nfresh 784-128-10 network, one epoch each (-updates caps the steps timed):")
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "B\tgradient noise\t× √B\tupdates\ttime/epoch\ttime/update\t")
	noise := gradientNoise(f, d.Train)
	sizes := []int{16, f.Batch, 256}
	slices.Sort(sizes)
	for _, b := range slices.Compact(sizes) {
		noise := noise(b)
		model := layers.NewMLP([]int{784, 128, 10}, layers.He, f.Rand(homework.ForInit))
		loader := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{
			BatchSize: b, Shuffle: true, Rng: f.Rand(homework.ForShuffle),
		})
		var ce loss.SoftmaxCrossEntropy
		sgd := &layers.SGD{LR: f.LR}
		steps := loader.NumBatches()
		if f.Updates > 0 {
			steps = min(steps, f.Updates) // -updates times only part of the epoch
		}
		start := time.Now()
		for range steps {
			x, y, _ := loader.Next()
			train.Step(model, &ce, sgd, x, y)
		}
		perUpdate := time.Since(start).Seconds() / float64(steps)
		fmt.Fprintf(tw, "%d\t%.3f\t%.2f\t%d\t%.2fs\t%.2fms\t\n", b, noise, noise*math.Sqrt(float64(b)),
			loader.NumBatches(), perUpdate*float64(loader.NumBatches()), 1e3*perUpdate)
	}
	tw.Flush()
	fmt.Fprintln(stdout, "gradient noise = RMS of ‖g_B − g‖ / ‖g‖ over 20 batches, g the full-set gradient of the first")
	fmt.Fprintln(stdout, "layer's weights: it falls like 1/√B (the × √B column stays about constant), while the")
	fmt.Fprintln(stdout, "work per update grows like B. B = 64 is a compromise: enough updates per epoch, a")
	fmt.Fprintln(stdout, "gradient accurate enough to take lr 0.1, and matrices large enough to run fast.")
	fmt.Fprintln(stdout, "first batch:", path)
	return nil
}

// batchImages copies the first k rows of a batch (the loader reuses its
// buffer) with their label names, to draw them.
func batchImages(x *tensor.Tensor, y []int, classes []string, k int) ([][]float64, []string) {
	var images [][]float64
	var captions []string
	for r := range min(k, x.Rows()) {
		images = append(images, slices.Clone(x.Row(r)))
		captions = append(captions, classes[y[r]])
	}
	return images, captions
}

// gradientNoise returns a function measuring how far the gradient of one
// batch of b samples is from the gradient of the whole set, for a fresh
// network: the root mean square of ‖g_B − g‖ over 20 random batches,
// relative to ‖g‖, for the weights of the first layer.
func gradientNoise(f *homework.Settings, set *train.Set) func(b int) float64 {
	model := layers.NewMLP([]int{784, 128, 10}, layers.He, f.Rand(homework.ForInit))
	w := model.Params()[0] // the first layer's W
	var ce loss.SoftmaxCrossEntropy
	grad := func(x *tensor.Tensor, y []int) *tensor.Tensor {
		layers.ZeroGrads(model.Params())
		ce.Forward(model.Forward(x), y)
		model.Backward(ce.Backward())
		return w.Grad.Clone()
	}
	full := grad(set.X, set.Y)
	return func(b int) float64 {
		loader := data.NewLoader(set.X, set.Y, data.LoaderOptions{BatchSize: b, Shuffle: true, Rng: f.Rand(homework.ForPlots)})
		const batches = 20
		var sum float64
		for k := 0; k < batches; {
			x, y, ok := loader.Next()
			if !ok {
				continue // end of an epoch (b > n/20): the next call starts another
			}
			k++
			g := grad(x, y)
			for i, v := range g.Data {
				sum += (v - full.Data[i]) * (v - full.Data[i])
			}
		}
		return math.Sqrt(sum/batches) / norm(full.Data)
	}
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
