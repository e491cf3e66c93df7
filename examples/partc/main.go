// Part c: subsample and preprocess.
//
// The homework keeps 50% of each split, stratified: from every class the
// same fraction, chosen at random, so the class proportions of the subsample
// are exactly those of the full split (a plain random 50% only keeps them on
// average; with unbalanced classes a rare class could shrink further, and the
// validation error would measure a different mix of classes). Then every
// grey value 0..255 is scaled to [0, 1] (or [-1, 1] with -range -1,1), so
// that the inputs, and with them the first layer's pre-activations and
// gradients, have a scale that suits the He-initialised weights and a
// learning rate around 0.1.
//
// homework.LoadData does both (with data.StratifiedSubsample and
// data.Normalize). This program shows the class counts before and after,
// the range of the result, and the same 10 images before and after
// preprocessing (-out/before.png, -out/after.png), and checks in code that
// every kept image and label arrived unchanged.
//
//	go run ./examples/partc
//	go run ./examples/partc -range -1,1
package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"text/tabwriter"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
)

func main() { homework.Main("partc", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, _, err := homework.ParseSettings("partc", args, stderr, nil)
	if err != nil {
		return err
	}
	d, err := homework.LoadData(f, stderr)
	if err != nil {
		return err
	}
	r, _ := f.NormRange() // LoadData has checked it
	lo, hi := 0.0, 1.0
	if r == data.MinusOneOne {
		lo = -1
	}
	classes := d.TrainSplit.Classes

	// Class counts before and after. For comparison, what a plain random
	// subsample of the training split would have kept.
	trainKept := d.TrainSplit.Subset(d.TrainIdx).ClassCounts()
	valKept := d.TestSplit.Subset(d.ValIdx).ClassCounts()
	testKept := d.TestSplit.Subset(d.TestIdx).ClassCounts()
	random := d.TrainSplit.Subset(data.RandomSubsample(d.TrainSplit.N, f.Frac, f.Rand(homework.ForPlots))).ClassCounts()
	fmt.Fprintf(stdout, "Part c: %s, keeping %g of each class of the training split (stratified, seed %d);\n", homework.DatasetName(d.TrainSplit.Name), f.Frac, f.Seed)
	fmt.Fprintln(stdout, "the test split is cut into two stratified halves, validation and held-out test")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\ttrain\tkept\ttest\tvalidation\theld-out\t\tplain random, train\t")
	trainAll, testAll := d.TrainSplit.ClassCounts(), d.TestSplit.ClassCounts()
	for c, name := range classes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\t%d\t\n", name, trainAll[c], trainKept[c], testAll[c], valKept[c], testKept[c], random[c])
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t%d\t\t%d\t\n", d.TrainSplit.N, len(d.TrainIdx), d.TestSplit.N, len(d.ValIdx), len(d.TestIdx), sum(random))
	tw.Flush()

	// The range of the network's input.
	x := d.Train.X
	mn, mx, total := math.Inf(1), math.Inf(-1), 0.0
	for _, v := range x.Data {
		mn, mx, total = min(mn, v), max(mx, v), total+v
	}
	fmt.Fprintf(stdout, "training input: %d×%d, range [%g, %g]: min %g, max %g, mean %.4f\n",
		x.Rows(), x.Cols(), lo, hi, mn, mx, total/float64(x.Len()))

	// Check that nothing got scrambled: row k of the input is image
	// TrainIdx[k] of the split, scaled, with its label. Inverting the
	// scaling and rounding to a grey level must give back every byte.
	maxDiff, badLabels := 0.0, 0
	for k, i := range d.TrainIdx {
		img := d.TrainSplit.Image(i)
		for p, v := range x.Row(k) {
			grey := math.Round((v - lo) / (hi - lo) * 255)
			maxDiff = max(maxDiff, math.Abs(grey-float64(img[p])))
		}
		if d.Train.Y[k] != int(d.TrainSplit.Labels[i]) {
			badLabels++
		}
	}
	fmt.Fprintf(stdout, "check: %d kept images, max |inverted pixel − original| = %g, labels out of step: %d\n",
		len(d.TrainIdx), maxDiff, badLabels)
	if maxDiff != 0 || badLabels != 0 {
		return fmt.Errorf("preprocessing scrambled the data")
	}

	// The same 10 kept images, before (bytes from the split) and after
	// (floats from the input matrix), each captioned with its own label.
	rng := f.Rand(homework.ForPlots)
	var before [][]uint8
	var after [][]float64
	var capBefore, capAfter []string
	for range 10 {
		k := rng.IntN(len(d.TrainIdx))
		i := d.TrainIdx[k]
		before = append(before, d.TrainSplit.Image(i))
		capBefore = append(capBefore, fmt.Sprintf("image %d %s", i, classes[d.TrainSplit.Labels[i]]))
		after = append(after, x.Row(k))
		capAfter = append(capAfter, fmt.Sprintf("row %d %s", k, classes[d.Train.Y[k]]))
	}
	opts := plot.GridOptions{Cols: 5, Scale: 4, Title: "Part c: before, bytes 0..255 of the full split"}
	beforePath, afterPath := filepath.Join(f.Out, "before.png"), filepath.Join(f.Out, "after.png")
	if err := plot.SavePNG(beforePath, plot.ImageGrid(before, 28, 28, capBefore, opts)); err != nil {
		return err
	}
	opts.Title = fmt.Sprintf("Part c: after, rows of the input in [%g, %g]", lo, hi)
	if err := plot.SavePNG(afterPath, plot.ImageGridFloat(after, 28, 28, lo, hi, capAfter, opts)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "same images before and after:", beforePath, afterPath)
	return nil
}

func sum(counts []int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
