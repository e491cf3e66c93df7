// Part f: one hidden layer forward, a Linear layer followed by ReLU, with
// matrix products.
//
// For one sample the hidden layer computes z = W a + b and then applies the
// activation element-wise, a′ = ReLU(z) = max(0, z): positive entries pass
// unchanged, the others become 0. For a batch of B samples, one per row of
// A (B×d), the same two steps are one matrix product and one element-wise
// pass over the result:
//
//	Z  = A Wᵀ + 1 bᵀ    (B×m, one product for the whole batch)
//	A′ = max(0, Z)      (B×m, element by element)
//
// This program runs layers.Linear and layers.ReLU, composed by
// layers.Sequential, on the layer and batch of part e, and recomputes every
// entry with the one-sample formulas written out as loops.
//
//	go run ./examples/partf
package main

import (
	"fmt"
	"io"
	"math"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
)

func main() { homework.Main("partf", run) }

// run takes no flags; it writes its answer to w.
func run(args []string, w, stderr io.Writer) error {
	if err := homework.NoFlags("partf", args, stderr); err != nil {
		return err
	}

	// The layer and batch of part e: d = 3 inputs, m = 2 hidden units,
	// B = 2 samples, one per row.
	lin, a := homework.WorkedLinear()
	relu := layers.NewReLU()

	fmt.Fprintln(w, "Part f: one hidden layer forward, Linear then ReLU: A′ = max(0, A Wᵀ + b)")
	homework.PrintMatrix(w, "A (B×d, one sample per row)", a)
	homework.PrintMatrix(w, "W (m×d)", lin.W.Value)
	homework.PrintMatrix(w, "b", lin.B.Value)
	z := lin.Forward(a)    // one product for the whole batch, bias fused
	out := relu.Forward(z) // one pass over Z; layers.NewSequential(lin, relu) chains the same two calls
	homework.PrintMatrix(w, "Z = A Wᵀ + b (B×m, one matrix product)", z)
	homework.PrintMatrix(w, "A′ = ReLU(Z) = max(0, Z) (B×m, element-wise)", out)

	// The one-sample formulas, zⱼ = Σₖ Wⱼₖ aₖ + bⱼ and a′ⱼ = max(0, zⱼ), for
	// every sample n (a row of A, numbered from 0) and every unit j.
	worst := 0.0
	for n := range a.Rows() {
		fmt.Fprintf(w, "by hand, sample %d (row %d of A, counting from 0): z =", n, n)
		var act []float64
		for j := range lin.Out() {
			s := lin.B.Value.Data[j]
			for k := range lin.In() {
				s += lin.W.Value.At(j, k) * a.At(n, k)
			}
			fmt.Fprintf(w, " %.4f", s)
			act = append(act, max(0, s))
			worst = max(worst, math.Abs(max(0, s)-out.At(n, j)))
		}
		fmt.Fprint(w, "  a′ = max(0, z) =")
		for _, v := range act {
			fmt.Fprintf(w, " %.4f", v)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "loops and matrix products agree to within 1e-12: %v\n", worst <= 1e-12)

	active := 0
	for _, v := range out.Data {
		if v > 0 {
			active++
		}
	}
	fmt.Fprintf(w, "%d of %d hidden activations are positive; hidden unit 1 is off (z < 0) for both samples,\n", active, out.Len())
	fmt.Fprintln(w, "so in backpropagation no gradient will flow through it for this batch (part g).")
	fmt.Fprintf(w, "shapes: A %v → Z %v → A′ %v; ReLU has %d parameters\n", a.Shape, z.Shape, out.Shape, len(relu.Params()))
	return nil
}
