// Part g: the forward pass of ReLU.
//
// The rectified linear unit is applied element-wise, y = max(0, x): positive
// inputs pass unchanged, the others become 0. It has no parameters and keeps
// the shape of its input, so a batch of pre-activations Z (B×m) from a Linear
// layer gives a B×m batch of activations. This program runs layers.ReLU on a
// small batch with negative, zero and positive entries.
//
//	go run ./examples/partg
package main

import (
	"fmt"
	"io"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

func main() { homework.Main("partg", run) }

// run takes no flags; it writes its answer to w.
func run(args []string, w, stderr io.Writer) error {
	if err := homework.NoFlags("partg", args, stderr); err != nil {
		return err
	}

	// Pre-activations of 2 samples and 4 hidden units.
	x := tensor.FromData([]float64{
		-1.5, 0, 2.25, 0.5,
		-3, 1, -0.2, 4,
	}, 2, 4)
	relu := layers.NewReLU()
	y := relu.Forward(x)

	fmt.Fprintln(w, "Part g: ReLU forward, y = max(0, x) element-wise")
	homework.PrintMatrix(w, "X (B×m)", x)
	homework.PrintMatrix(w, "Y = max(0, X)", y)

	active := 0
	for _, v := range x.Data {
		if v > 0 {
			active++
		}
	}
	fmt.Fprintf(w, "%d of %d entries are positive and pass unchanged; the others become 0\n", active, x.Len())
	fmt.Fprintf(w, "parameters: %d (ReLU has nothing to train); output shape %v = input shape %v\n",
		len(relu.Params()), y.Shape, x.Shape)
	return nil
}
