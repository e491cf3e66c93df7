// Part h: the backward pass of ReLU.
//
// Each output yᵢ = max(0, xᵢ) depends only on its own input, with slope 1
// where xᵢ > 0 and 0 where xᵢ < 0, so the chain rule gives
//
//	∂L/∂x = ∂L/∂y ⊙ 1[x > 0],
//
// a mask: the gradient flows back through the units that were active in the
// forward pass and stops at the others. At x = 0 there is no derivative; we
// use 0 there (any value in [0, 1] is a valid subgradient). This program runs
// layers.ReLU forward on the batch of part g and then backward for a given
// upstream gradient, printing the mask.
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
	relu.Forward(x) // the layer remembers where x > 0
	dx := relu.Backward(dy)

	mask := tensor.New(x.Shape...)
	for i, v := range x.Data {
		if v > 0 {
			mask.Data[i] = 1
		}
	}

	fmt.Fprintln(w, "Part h: ReLU backward, ∂L/∂X = ∂L/∂Y ⊙ 1[X > 0]")
	homework.PrintMatrix(w, "X (forward input)", x)
	homework.PrintMatrix(w, "∂L/∂Y", dy)
	homework.PrintMatrix(w, "mask 1[X > 0]", mask)
	homework.PrintMatrix(w, "∂L/∂X = ∂L/∂Y ⊙ mask", dx)

	same := true
	for i := range dx.Data {
		same = same && dx.Data[i] == dy.Data[i]*mask.Data[i]
	}
	fmt.Fprintf(w, "layer's ∂L/∂X equals ∂L/∂Y ⊙ mask: %v\n", same)
	fmt.Fprintln(w, "X[0,1] = 0 sits on the kink: its gradient is 0 by convention")
	return nil
}
