// Part b: look at the data. Are the labels correct?
//
// First, 10 training images drawn at random (with -seed) and their label
// names: -out/random.png. They look right, as they do for nearly every
// image one looks at.
//
// Looking at random images cannot find the rare wrong label, so the program
// then lets a trained network look at all 60,000: it computes each image's
// cross-entropy −log p(label), the model's surprise at the label, and draws
// the most surprising ones with the label and the model's guess:
// -out/surprising.png. Those are the candidates for mislabelled images (or
// genuinely ambiguous ones, such as a shirt that might be a T-shirt). The
// model is part k's, reused from -model when it was trained with the same
// settings, otherwise trained now (a few minutes).
//
//	go run ./examples/partb
package main

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/plot"
)

const numSurprising = 20

func main() { homework.Main("partb", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var f homework.Flags
	if _, err := f.Parse("partb", args, stderr); err != nil {
		return err
	}
	if err := homework.CheckFolders("-out", f.Out, "-model", f.Model); err != nil {
		return err // before any work
	}
	d, err := homework.LoadData(&f, stderr)
	if err != nil {
		return err
	}
	split := d.TrainSplit
	classes := split.Classes

	// 10 random training images with their labels.
	rng := f.Rand(homework.ForPlots)
	var images [][]uint8
	var captions []string
	for range 10 {
		i := rng.IntN(split.N)
		images = append(images, split.Image(i))
		captions = append(captions, fmt.Sprintf("#%d %s", i, classes[split.Labels[i]]))
	}
	grid := plot.ImageGrid(images, split.Rows, split.Cols, captions, plot.GridOptions{
		Title: fmt.Sprintf("Part b: 10 random %s training images and their labels", split.Name),
		Cols:  5, Scale: 4,
	})
	if err := plot.SavePNG(filepath.Join(f.Out, "random.png"), grid); err != nil {
		return err
	}

	// The loss of every training image under a trained model, computed
	// 1000 images at a time (normalising all 60,000 at once would take
	// 376 MB).
	model, _, err := homework.Model(&f, d, stderr)
	if err != nil {
		return err
	}
	r, err := f.NormRange()
	if err != nil {
		return err
	}
	type scored struct {
		i, label, pred int
		loss, pLabel   float64
	}
	all := make([]scored, 0, split.N)
	var truth, preds []int // for the confusion counts
	var ce loss.SoftmaxCrossEntropy
	for start := 0; start < split.N; start += 1000 {
		idx := make([]int, 0, 1000)
		for i := start; i < min(start+1000, split.N); i++ {
			idx = append(idx, i)
		}
		batch := split.Subset(idx)
		logits := model.Forward(data.Normalize(batch, r))
		labels := batch.IntLabels()
		ce.Forward(logits, labels)
		pred := loss.Predict(nil, logits)
		truth, preds = append(truth, labels...), append(preds, pred...)
		for k, i := range idx {
			all = append(all, scored{i, labels[k], pred[k], ce.Losses()[k], ce.Probs().At(k, labels[k])})
		}
	}

	// How often the model disagrees with the labels, and on which pairs.
	confusion := homework.Confusion(truth, preds, len(classes))
	disagree := 0
	for i := range truth {
		if preds[i] != truth[i] {
			disagree++
		}
	}
	fmt.Fprintf(stdout, "Part b: the model agrees with %d of the %d training labels (%.1f%%)\n",
		split.N-disagree, split.N, 100*float64(split.N-disagree)/float64(split.N))
	type pair struct{ label, pred, n int }
	var pairs []pair
	for t := range confusion {
		for p, n := range confusion[t] {
			if t != p {
				pairs = append(pairs, pair{t, p, n})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(b.n, a.n) })
	fmt.Fprintln(stdout, "most frequent disagreements (label → model):")
	for _, p := range pairs[:5] {
		fmt.Fprintf(stdout, "  %-12s → %-12s %5d\n", classes[p.label], classes[p.pred], p.n)
	}

	// The most surprising images: highest loss first.
	slices.SortFunc(all, func(a, b scored) int { return cmp.Compare(b.loss, a.loss) })
	images, captions = images[:0], captions[:0]
	fmt.Fprintf(stdout, "the %d training images the model finds most surprising:\n", numSurprising)
	for _, s := range all[:numSurprising] {
		fmt.Fprintf(stdout, "  #%-5d label %-12s model %-12s p(label) %.1e  loss %5.2f\n",
			s.i, classes[s.label], classes[s.pred], s.pLabel, s.loss)
		images = append(images, split.Image(s.i))
		captions = append(captions, fmt.Sprintf("#%d label %s / model %s", s.i, classes[s.label], classes[s.pred]))
	}
	grid = plot.ImageGrid(images, split.Rows, split.Cols, captions, plot.GridOptions{
		Title: fmt.Sprintf("Part b: the %d training images with the highest loss", numSurprising),
		Cols:  10, Scale: 4, CaptionLines: 3,
	})
	if err := plot.SavePNG(filepath.Join(f.Out, "surprising.png"), grid); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Most labels look right (random.png). Judge the surprising ones (surprising.png) by eye:")
	fmt.Fprintln(stdout, "some are right but unusual, some ambiguous (which top is a shirt?), a few plainly wrong.")
	fmt.Fprintln(stdout, "figures:", filepath.Join(f.Out, "random.png"), filepath.Join(f.Out, "surprising.png"))
	return nil
}
