// Augment draws one training image and 8 randomly augmented copies of it,
// as a Loader with data.Augment would serve them, into -out/augment.png. The
// figure in docs/figures/augment.png was made with
//
//	go run ./examples/augment -out docs/figures
//
// which shows FashionMNIST image 0 (an ankle boot) shifted by up to ±2
// pixels and mirrored at random; each caption gives the shift (pixels right,
// pixels down) and "mirror" when the copy was flipped. -rotate and -elastic
// add the turns and the elastic distortion of data.Augment (off by
// default); with -dataset mnist the figure is augment-mnist.png, and
// docs/figures/augment-mnist.png shows them on MNIST image 0 (a five):
//
//	go run ./examples/augment -dataset mnist -shift 0 -rotate 10 -elastic 34 -out docs/figures
//
// Horizontal flips are for FashionMNIST only:
// with -dataset mnist they are off unless -flip is given explicitly, and a
// mirrored digit is then labelled as a warning.
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
)

func main() { homework.Main("augment", run) }

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("augment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataset := fs.String("dataset", "fashion", "dataset: fashion or mnist")
	root := fs.String("data", "", "data root folder, searched first (then $BACKPROP_DATA, ./data, the user cache folder, /usr/share/datasets)")
	download := fs.Bool("download", true, "download the dataset when it is not found")
	index := fs.Int("index", 0, "which training image to augment")
	shift := fs.Int("shift", 2, "largest shift k in pixels: dx, dy uniform in -k…k")
	flip := fs.Bool("flip", true, "mirror left-right with probability ½ (FashionMNIST only; off for mnist unless given)")
	rotate, elastic := new(float64), new(float64)
	homework.RegisterWarps(fs, rotate, elastic)
	seed := fs.Uint64("seed", 1, "seed of the augmentation")
	out := fs.String("out", filepath.Join("out", "augment"), "output folder (out/augment-mnist with -dataset mnist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	flipSet := false
	fs.Visit(func(f *flag.Flag) { flipSet = flipSet || f.Name == "flip" })
	if *dataset == "mnist" && !flipSet {
		*flip = false
	}
	if *dataset == "mnist" && !homework.IsSet(fs, "out") {
		*out = filepath.Join("out", "augment-mnist") // not over FashionMNIST's figure
	}
	if *shift < 0 || *shift >= 28 {
		return fmt.Errorf("-shift %d: need 0 ≤ k < 28", *shift)
	}
	if err := homework.CheckRecipe(0, 0, 0, *rotate, *elastic); err != nil {
		return err
	}

	set, err := data.Load(*dataset, true, data.Options{Root: *root, Download: *download, Progress: stderr})
	if err != nil {
		return err
	}
	if *index < 0 || *index >= set.N {
		return fmt.Errorf("-index %d: the training split has images 0 to %d", *index, set.N-1)
	}
	x := data.Normalize(set.Subset([]int{*index}), data.ZeroOne)
	aug := &data.Augment{Width: set.Cols, Height: set.Rows, Shift: *shift, FlipH: *flip, Rotate: *rotate, Elastic: *elastic, Rng: rand.New(rand.NewPCG(*seed, 0))}

	images := [][]float64{x.Data}
	captions := []string{"original"}
	for range 8 {
		dst := make([]float64, len(x.Data))
		dx, dy, flipped := aug.Apply(dst, x.Data)
		images = append(images, dst)
		c := ""
		if *shift > 0 {
			c = fmt.Sprintf("%+d,%+d", dx, dy) // pixels right, down
		}
		if flipped {
			c += " mirror"
		}
		captions = append(captions, c)
	}
	var what []string
	if *shift > 0 {
		what = append(what, fmt.Sprintf("shifts ±%d px", *shift))
	}
	if *flip {
		what = append(what, "random mirror")
	}
	if *rotate > 0 {
		what = append(what, fmt.Sprintf("turns up to ±%g deg", *rotate)) // the figure's font has no degree sign
	}
	if *elastic > 0 {
		what = append(what, fmt.Sprintf("elastic alpha %g", *elastic))
	}
	title := fmt.Sprintf("%s image %d (%s) and 8 augmented copies", homework.DatasetName(set.Name), *index, set.Classes[set.Labels[*index]])
	if *shift > 0 {
		title += " (shift right, down)"
	}
	if len(what) > 0 {
		title += ": " + strings.Join(what, ", ")
	}
	grid := plot.ImageGridFloat(images, set.Rows, set.Cols, 0, 1, captions, plot.GridOptions{Title: title, Cols: 9})
	name := "augment.png"
	if *dataset == "mnist" {
		name = "augment-mnist.png" // beside FashionMNIST's in docs/figures
	}
	path := filepath.Join(*out, name)
	if err := plot.SavePNG(path, grid); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "one image and 8 augmented copies:", path)
	return nil
}
