// Part e: the forward pass of a Linear layer.
//
// The homework asks for a layer computing z = W a + b for one sample a ∈ ℝᵈ,
// with W of shape m×d and b ∈ ℝᵐ. Code works on a batch of B samples at once,
// one sample per row of A (B×d); transposing z = W a + b for each sample and
// stacking the rows gives Z = A Wᵀ + b, with bᵀ added to every row. This
// program runs layers.Linear on a batch of 2 samples with 3 features and
// 2 outputs, with small fixed weights so the numbers can be checked by hand,
// and recomputes one sample with the one-sample formula.
//
//	go run ./examples/parte
package main

import (
	"fmt"
	"io"

	"github.com/backprop-go/backprop/examples/internal/homework"
)

func main() { homework.Main("parte", run) }

// run takes no flags; it writes its answer to w.
func run(args []string, w, stderr io.Writer) error {
	if err := homework.NoFlags("parte", args, stderr); err != nil {
		return err
	}

	// A layer with d = 3 inputs and m = 2 outputs, and a batch of B = 2
	// samples, one per row; the weights are round numbers, not random.
	lin, a := homework.WorkedLinear()

	fmt.Fprintln(w, "Part e: Linear forward, z = W a + b; for a batch Z = A Wᵀ + b")
	homework.PrintMatrix(w, "W (m×d, one row per output unit)", lin.W.Value)
	homework.PrintMatrix(w, "b", lin.B.Value)
	homework.PrintMatrix(w, "A (B×d, one sample per row)", a)
	z := lin.Forward(a)
	homework.PrintMatrix(w, "Z = A Wᵀ + b (B×m)", z)

	// The one-sample formula zⱼ = Σₖ Wⱼₖ aₖ + bⱼ, written out as loops for
	// the second sample (index 1, counting from 0), gives the second row of Z.
	n := 1
	fmt.Fprintf(w, "by hand, sample %d (counting from 0): z = W a + b =", n)
	for j := range lin.Out() {
		s := lin.B.Value.Data[j]
		for k := range lin.In() {
			s += lin.W.Value.At(j, k) * a.At(n, k)
		}
		fmt.Fprintf(w, " %.4f", s)
	}
	fmt.Fprintf(w, "  (row %d of Z, counting from 0: %.4f %.4f)\n", n, z.At(n, 0), z.At(n, 1))
	return nil
}
