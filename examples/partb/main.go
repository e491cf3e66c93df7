// Part b: look at the data. Are the labels correct?
//
// First, 10 training images drawn at random (with -seed) and their label
// names: -out/random.png. They look right, as they do for nearly every
// image one looks at.
//
// Looking at random images cannot find the rare wrong label, so the program
// then lets a trained network look at all 60,000: it computes each image's
// cross-entropy −log p(label), the model's surprise at the label. It reports
// how often the model agrees with the labels separately for the 30,000
// images it was trained on (which it has partly memorised, wrong labels
// included) and the 30,000 it never saw, and draws the most surprising of
// the never-seen ones with the label and the model's guess:
// -out/surprising.png. Those are the candidates for mislabelled images (or
// genuinely ambiguous ones, such as a shirt that might be a T-shirt). The
// model is part k's, reused from -model when it was trained with the same
// settings, or trained now into a -model folder that holds none yet (about
// 30 seconds on two cores); a model trained with other settings is not
// replaced (homework.Model).
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
	f, _, err := homework.ParseSettings("partb", args, stderr, nil)
	if err != nil {
		return err
	}
	if err := homework.CheckFolders("-out", f.Out); err != nil {
		return err // before any work
	}
	if err := homework.CheckModelFolder("-model", f.Model, "partk"); err != nil {
		return err // it may train part k's model there
	}
	d, err := homework.LoadData(f, stderr)
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
		Title: fmt.Sprintf("Part b: 10 random %s training images and their labels", homework.DatasetName(split.Name)),
		Cols:  5, Scale: 4,
	})
	if err := plot.SavePNG(filepath.Join(f.Out, "random.png"), grid); err != nil {
		return err
	}

	// The loss of every training image under a trained model, computed
	// 1000 images at a time (normalising all 60,000 at once would take
	// 376 MB).
	model, _, err := homework.Model(f, d, stderr)
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
	trained := make([]bool, split.N) // the images the model learned from
	for _, i := range d.TrainIdx {
		trained[i] = true
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

	// How often the model agrees with the labels, on the images it trained
	// on and on those it never saw, and on which pairs it disagrees.
	var seenT, seenP, unseenT, unseenP []int
	for i := range truth {
		if trained[i] {
			seenT, seenP = append(seenT, truth[i]), append(seenP, preds[i])
		} else {
			unseenT, unseenP = append(unseenT, truth[i]), append(unseenP, preds[i])
		}
	}
	agree := func(t, p []int) int {
		n := 0
		for i := range t {
			if t[i] == p[i] {
				n++
			}
		}
		return n
	}
	fmt.Fprintf(stdout, "Part b: the model agrees with the labels of\n")
	for _, g := range []struct {
		what string
		t, p []int
	}{{"the images it was trained on", seenT, seenP}, {"the images it never saw     ", unseenT, unseenP}} {
		if len(g.t) > 0 {
			a := agree(g.t, g.p)
			fmt.Fprintf(stdout, "  %s %5d of %5d (%.1f%%)\n", g.what, a, len(g.t), 100*float64(a)/float64(len(g.t)))
		}
	}
	if len(unseenT) == 0 { // -frac 1 trains on every image: judge them all
		unseenT, unseenP = seenT, seenP
	}
	confusion := homework.Confusion(unseenT, unseenP, len(classes))
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
	fmt.Fprintln(stdout, "most frequent disagreements on the images it never saw (label → model):")
	for _, p := range pairs[:5] {
		fmt.Fprintf(stdout, "  %-12s → %-12s %5d\n", classes[p.label], classes[p.pred], p.n)
	}

	// The most surprising images it never saw: highest loss first. (On the
	// trained-on images a wrong label has been partly learnt, so it
	// surprises the model less.)
	unseen := slices.DeleteFunc(slices.Clone(all), func(s scored) bool { return trained[s.i] })
	if len(unseen) == 0 {
		unseen = all
	}
	slices.SortFunc(unseen, func(a, b scored) int { return cmp.Compare(b.loss, a.loss) })
	images, captions = images[:0], captions[:0]
	fmt.Fprintf(stdout, "the %d never-seen training images the model finds most surprising:\n", numSurprising)
	for _, s := range unseen[:min(numSurprising, len(unseen))] {
		fmt.Fprintf(stdout, "  #%-5d label %-12s model %-12s p(label) %.1e  loss %5.2f\n",
			s.i, classes[s.label], classes[s.pred], s.pLabel, s.loss)
		images = append(images, split.Image(s.i))
		captions = append(captions, fmt.Sprintf("#%d\n%s\n→ %s", s.i, classes[s.label], classes[s.pred]))
	}
	grid = plot.ImageGrid(images, split.Rows, split.Cols, captions, plot.GridOptions{
		Title: fmt.Sprintf("Part b: the %d %s training images the model never saw with the highest loss (index, label → model)", numSurprising, homework.DatasetName(split.Name)),
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
