// Part o shows what the network gets right and wrong: the 8 validation
// images it gets wrong most confidently (the highest probability given to
// the wrong class) and the 8 it gets right least confidently, each captioned
// with its index in the test split, the probability the network gave its
// prediction, and "true → predicted"; and the confusion matrix of the whole
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
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
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

	// The probability the network gives its prediction, for every
	// validation image.
	conf := confidence(model, d.Val)

	// Split the validation set into right and wrong; show the most
	// confidently wrong and the least confidently right.
	var right, wrong []int
	for i, p := range pred {
		if p == d.Val.Y[i] {
			right = append(right, i)
		} else {
			wrong = append(wrong, i)
		}
	}
	byConf := func(a, b int) int { return cmp.Compare(conf[a], conf[b]) }
	slices.SortStableFunc(right, byConf) // least confident first
	slices.SortStableFunc(wrong, func(a, b int) int { return byConf(b, a) })
	for _, fig := range []struct {
		idx   []int
		file  string
		title string
		color color.Color
	}{
		{right, "correct.png", fmt.Sprintf("Part o: the %d correct predictions with the lowest probability, %s", show, f.Name()), color.RGBA{0, 110, 0, 255}},
		{wrong, "incorrect.png", fmt.Sprintf("Part o: the %d wrong predictions with the highest probability, %s", show, f.Name()), color.RGBA{190, 0, 0, 255}},
	} {
		pick := fig.idx[:min(show, len(fig.idx))]
		var images [][]uint8
		var captions []string
		var colors []color.Color
		fmt.Fprintf(stdout, "%s:\n", fig.title[len("Part o: "):])
		for _, i := range pick {
			images = append(images, d.TestSplit.Image(d.ValIdx[i]))
			captions = append(captions, fmt.Sprintf("#%d p=%.3f\n%s → %s", d.ValIdx[i], conf[i], classes[d.Val.Y[i]], classes[pred[i]]))
			colors = append(colors, fig.color)
			fmt.Fprintf(stdout, "  test image #%-5d %-12s → %-12s p %.3f\n", d.ValIdx[i], classes[d.Val.Y[i]], classes[pred[i]], conf[i])
		}
		img := plot.ImageGrid(images, d.TestSplit.Rows, d.TestSplit.Cols, captions,
			plot.GridOptions{Title: fig.title, Cols: 4, Scale: 4, CaptionColor: colors, CaptionLines: 3})
		if err := plot.SavePNG(filepath.Join(f.Out, fig.file), img); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "(captions: index in the test split, probability of the predicted class, true → predicted)")
	fmt.Fprintln(stdout)

	counts := homework.Confusion(d.Val.Y, pred, len(classes))
	title := fmt.Sprintf("Part o: validation confusion matrix, %s (rows: true class)", f.Name())
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

// confidence returns, for every row of set, the softmax probability the model
// gives its predicted class (the largest one).
func confidence(model *layers.Sequential, set *train.Set) []float64 {
	defer model.SetTraining(model.Training())
	model.SetTraining(false)
	n, cols := set.X.Rows(), set.X.Cols()
	out := make([]float64, 0, n)
	var sm loss.Softmax
	for lo := 0; lo < n; lo += 1000 {
		hi := min(lo+1000, n)
		p := sm.Forward(model.Forward(tensor.FromData(set.X.Data[lo*cols:hi*cols], hi-lo, cols)))
		for r := range p.Rows() {
			out = append(out, slices.Max(p.Row(r)))
		}
	}
	return out
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
