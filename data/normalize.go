package data

import "github.com/backprop-go/backprop/tensor"

// Range selects the interval Normalize maps grey values 0..255 onto.
type Range int

const (
	// ZeroOne maps v to v/255, in [0, 1].
	ZeroOne Range = iota
	// MinusOneOne maps v to v/127.5 - 1, in [-1, 1].
	MinusOneOne
)

// Normalize returns the images of d as an N×(Rows*Cols) tensor, one
// flattened image per row, with each grey value scaled into r. This is
// the input matrix A of the network's first layer.
func Normalize(d *Dataset, r Range) *tensor.Tensor {
	// Only 256 values can occur, so compute each once.
	var table [256]float64
	for v := range table {
		switch r {
		case ZeroOne:
			table[v] = float64(v) / 255
		case MinusOneOne:
			// v/127.5 - 1 computed as one division of exact integers,
			// so each value is correctly rounded (204 gives 0.6, not
			// 0.6000000000000001).
			table[v] = float64(2*v-255) / 255
		default:
			panic("data: Normalize: unknown Range")
		}
	}
	x := tensor.New(d.N, d.Rows*d.Cols)
	for i, v := range d.Images[:len(x.Data)] {
		x.Data[i] = table[v]
	}
	return x
}
