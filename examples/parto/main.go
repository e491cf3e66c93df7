// Part o shows what the network gets right and wrong: 8 correctly and 8
// incorrectly classified validation images, chosen at random with the seed,
// captioned "true → predicted", and the confusion matrix of the whole
// validation set. From the matrix it prints the pairs of classes most often
// confused, which is what the mistakes have in common.
//
//	go run ./examples/parto   (reuses part k's model)
package main

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"slices"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/train"
)

const show = 8 // images per figure

func main() { homework.Main("parto", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, d, model, _, err := homework.LoadPartKModel("parto", args, stderr)
	if err != nil {
		return err
	}
	classes := d.TestSplit.Classes
	pred := train.Predict(model, d.Val.X, 0)

	// Split the validation set into right and wrong, and pick a random few
	// of each (the same few for the same seed).
	var right, wrong []int
	for i, p := range pred {
		if p == d.Val.Y[i] {
			right = append(right, i)
		} else {
			wrong = append(wrong, i)
		}
	}
	rng := f.Rand(homework.ForPlots)
	for _, fig := range []struct {
		idx   []int
		file  string
		title string
		color color.Color
	}{
		{right, "correct.png", "Correctly classified (true → predicted)", color.RGBA{0, 110, 0, 255}},
		{wrong, "incorrect.png", "Misclassified (true → predicted)", color.RGBA{190, 0, 0, 255}},
	} {
		rng.Shuffle(len(fig.idx), func(i, j int) { fig.idx[i], fig.idx[j] = fig.idx[j], fig.idx[i] })
		pick := fig.idx[:min(show, len(fig.idx))]
		var images [][]uint8
		var captions []string
		var colors []color.Color
		for _, i := range pick {
			images = append(images, d.TestSplit.Image(d.ValIdx[i]))
			captions = append(captions, classes[d.Val.Y[i]]+" → "+classes[pred[i]])
			colors = append(colors, fig.color)
		}
		img := plot.ImageGrid(images, d.TestSplit.Rows, d.TestSplit.Cols, captions,
			plot.GridOptions{Title: fig.title, Cols: 4, Scale: 4, CaptionColor: colors})
		if err := plot.SavePNG(filepath.Join(f.Out, fig.file), img); err != nil {
			return err
		}
	}

	counts := homework.Confusion(d.Val.Y, pred, len(classes))
	title := fmt.Sprintf("Validation confusion matrix, %s (rows: true class)", f.Dataset)
	if err := plot.SavePNG(filepath.Join(f.Out, "confusion.png"), plot.ConfusionMatrix(counts, classes, title)); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "%d of %d validation images correct (%.2f%%), %d wrong; figures in %s\n\n",
		len(right), len(pred), 100*float64(len(right))/float64(len(pred)), len(wrong),
		filepath.Join(f.Out, "{correct,incorrect,confusion}.png"))
	if len(wrong) == 0 {
		return nil
	}

	// The most common mistakes: off-diagonal cells, largest first.
	type cell struct{ truth, pred, n int }
	var cells []cell
	for t, row := range counts {
		for p, n := range row {
			if t != p && n > 0 {
				cells = append(cells, cell{t, p, n})
			}
		}
	}
	slices.SortStableFunc(cells, func(a, b cell) int { return cmp.Compare(b.n, a.n) })
	fmt.Fprintln(stdout, "most frequent mistakes (true → predicted):")
	top := 0
	for _, c := range cells[:min(8, len(cells))] {
		top += c.n
		fmt.Fprintf(stdout, "  %-12s → %-12s %4d  (%4.1f%% of the mistakes)\n",
			classes[c.truth], classes[c.pred], c.n, 100*float64(c.n)/float64(len(wrong)))
	}
	fmt.Fprintf(stdout, "these %d cells of the 90 hold %.0f%% of all mistakes.\n\n",
		min(8, len(cells)), 100*float64(top)/float64(len(wrong)))

	fmt.Fprintln(stdout, "per-class accuracy (recall), worst first:")
	order := make([]int, len(classes))
	for i := range order {
		order[i] = i
	}
	recall := func(c int) float64 { return float64(counts[c][c]) / float64(max(1, sum(counts[c]))) }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(recall(a), recall(b)) })
	for _, c := range order {
		fmt.Fprintf(stdout, "  %-12s %5.1f%%\n", classes[c], 100*recall(c))
	}

	fmt.Fprintf(stdout, "the network is least reliable on %s.\n", classes[order[0]])

	if d.TestSplit.Name == "fashion-mnist" {
		// Shirts, T-shirts, pullovers and coats are all upper-body garments:
		// the same silhouette at 28×28, told apart by sleeves, collars,
		// buttons and texture that the low resolution mostly erases.
		tops := []int{0, 2, 4, 6} // T-shirt/top, Pullover, Coat, Shirt
		within := 0
		for _, t := range tops {
			for _, p := range tops {
				if t != p {
					within += counts[t][p]
				}
			}
		}
		fmt.Fprintf(stdout, "\n%.0f%% of the mistakes confuse one upper-body garment (T-shirt/top, Pullover,\n"+
			"Coat, Shirt) with another: same silhouette, different details (sleeves, collar,\n"+
			"buttons, texture) that 28×28 grey pixels barely keep.\n", 100*float64(within)/float64(len(wrong)))
	}
	return nil
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
