package homework

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// PrintMatrix writes a 2-D tensor under a heading, one row per line with four
// decimals, the way the worked examples of parts e to i show their numbers.
func PrintMatrix(w io.Writer, name string, t *tensor.Tensor) {
	fmt.Fprintf(w, "%s  (%d×%d)\n", name, t.Rows(), t.Cols())
	for i := range t.Rows() {
		for _, v := range t.Row(i) {
			fmt.Fprintf(w, " %8.4f", v)
		}
		fmt.Fprintln(w)
	}
}

// WorkedLinear returns the small layer and batch that parts e, f and g work
// through by hand: d = 3 inputs, m = 2 outputs, B = 2 samples, with round
// numbers instead of NewLinear's random weights.
func WorkedLinear() (*layers.Linear, *tensor.Tensor) {
	lin := layers.NewLinear(3, 2, layers.He, rand.New(rand.NewPCG(1, 1)))
	copy(lin.W.Value.Data, []float64{
		0.1, 0.2, 0.3, // row j of W holds the weights of output unit j
		-0.4, 0.5, -0.6,
	})
	copy(lin.B.Value.Data, []float64{0.5, -1})
	a := tensor.FromData([]float64{ // one sample per row
		1, 2, 3,
		4, 5, 6,
	}, 2, 3)
	return lin, a
}
