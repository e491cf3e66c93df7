// Part a: get the data.
//
// The homework uses FashionMNIST: 28×28 grey images of clothing in 10
// classes, 60,000 for training and 10,000 for testing. data.Load finds the
// four IDX files (in -data, $BACKPROP_DATA, ./data, a torchvision or Debian
// folder, …), checks their SHA-256, and downloads them from the official
// mirror when no valid copy exists (unless -download=false). This program
// loads both splits, prints their sizes, the class names with the number of
// images of each, and where the files came from, and draws the first
// training image of each class into -out/classes.png.
//
//	go run ./examples/parta
//	go run ./examples/parta -dataset mnist
package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/plot"
)

func main() { homework.Main("parta", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, _, err := homework.ParseSettings("parta", args, stderr, nil)
	if err != nil {
		return err
	}
	opts := data.Options{Root: f.Root, Download: f.Download, Progress: stderr}
	trainSet, err := data.Load(f.Dataset, true, opts)
	if err != nil {
		return err
	}
	testSet, err := data.Load(f.Dataset, false, opts)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "Part a: %s\n", homework.DatasetName(trainSet.Name))
	for _, d := range []*data.Dataset{trainSet, testSet} {
		fmt.Fprintf(stdout, "%-5s split: %6d images of %d×%d pixels, from %s\n",
			split(d), d.N, d.Rows, d.Cols, d.Source)
	}

	// Images per class in each split.
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tclass\ttrain\ttest\t")
	trainCounts, testCounts := trainSet.ClassCounts(), testSet.ClassCounts()
	for c, name := range trainSet.Classes {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t\n", c, name, trainCounts[c], testCounts[c])
	}
	fmt.Fprintf(tw, "\ttotal\t%d\t%d\t\n", trainSet.N, testSet.N)
	tw.Flush()

	// The first training image of each class, to see what the names mean.
	var images [][]uint8
	for c := range trainSet.Classes {
		i := slices.Index(trainSet.Labels, uint8(c))
		images = append(images, trainSet.Image(i))
	}
	grid := plot.ImageGrid(images, trainSet.Rows, trainSet.Cols, trainSet.Classes, plot.GridOptions{
		Title: fmt.Sprintf("Part a: %s, first training image of each class", homework.DatasetName(trainSet.Name)),
		Cols:  5,
	})
	path := filepath.Join(f.Out, "classes.png")
	if err := plot.SavePNG(path, grid); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "one image per class:", path)
	return nil
}

func split(d *data.Dataset) string {
	if d.Train {
		return "train"
	}
	return "test"
}
