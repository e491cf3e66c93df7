// Part h: a ReLU unit, forward and backward.
//
// Forward, the rectified linear unit is applied element-wise, y = max(0, x):
// positive inputs pass unchanged, the others become 0. It has no parameters
// and keeps the shape of its input, so a batch of pre-activations X (B×m)
// from a Linear layer gives a B×m batch of activations.
//
// Backward, each output yᵢ depends only on its own input, with slope 1 where
// xᵢ > 0 and 0 where xᵢ < 0, so the chain rule gives
//
//	∂L/∂x = ∂L/∂y ⊙ 1[x > 0],
//
// a mask: the gradient flows back through the units that were active in the
// forward pass and stops at the others. At x = 0 there is no derivative; we
// use 0 there (any value in [0, 1] is a valid subgradient). This program runs
// layers.ReLU forward on a small batch with negative, zero and positive
// entries, then backward for a given upstream gradient, and prints the mask.
//
//	go run ./examples/parth
package main

import (
	"fmt"
	"io"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

func main() { homework.Main("parth", run) }

// run takes no flags; it writes its answer to w.
func run(args []string, w, stderr io.Writer) error {
	if err := homework.NoFlags("parth", args, stderr); err != nil {
		return err
	}

	// Pre-activations of 2 samples and 4 hidden units.
	x := tensor.FromData([]float64{
		-1.5, 0, 2.25, 0.5,
		-3, 1, -0.2, 4,
	}, 2, 4)
	// ∂L/∂Y, what the layer above sends back.
	dy := tensor.FromData([]float64{
		1, 2, 3, 4,
		5, 6, 7, 8,
	}, 2, 4)

	relu := layers.NewReLU()
	fmt.Fprintln(w, "Part h: a ReLU unit, forward y = max(0, x) and backward ∂L/∂x = ∂L/∂y ⊙ 1[x > 0]")
	fmt.Fprintln(w, "forward:")
	y := relu.Forward(x) // the layer remembers where x > 0 for Backward
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

	fmt.Fprintln(w, "backward:")
	dx := relu.Backward(dy)
	mask := tensor.New(x.Shape...)
	for i, v := range x.Data {
		if v > 0 {
			mask.Data[i] = 1
		}
	}
	homework.PrintMatrix(w, "∂L/∂Y (from the layer above)", dy)
	homework.PrintMatrix(w, "mask 1[X > 0]", mask)
	homework.PrintMatrix(w, "∂L/∂X = ∂L/∂Y ⊙ mask", dx)

	same := true
	for i := range dx.Data {
		same = same && dx.Data[i] == dy.Data[i]*mask.Data[i]
	}
	fmt.Fprintf(w, "layer's ∂L/∂X equals ∂L/∂Y ⊙ mask: %v\n", same)
	fmt.Fprintln(w, "X[0,1] = 0 sits on the kink: its gradient is 0 by convention (indices count from 0)")
	return nil
}
