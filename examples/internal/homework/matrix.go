package homework

import (
	"fmt"
	"io"

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
