package layers_test

import (
	"fmt"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// The activations side by side: each row is one activation at five inputs,
// then its slope there (Backward of a gradient of ones). Sigmoid and tanh
// saturate: at x = ±4 their slopes are nearly 0, so little gradient reaches
// the layers below. ReLU passes nothing for x < 0, LeakyReLU a little, and
// GELU, a smooth ReLU, even dips below 0 (its minimum is at x ≈ −0.75).
func Example_activations() {
	xs := []float64{-4, -1, 0.5, 1, 4}
	ones := tensor.New(1, len(xs))
	ones.Fill(1)
	fmt.Printf("%-20s", "x")
	for _, v := range xs {
		fmt.Printf("%7.3f", v)
	}
	fmt.Println()
	for _, l := range []layers.Layer{
		layers.NewReLU(),
		layers.NewLeakyReLU(layers.DefaultNegativeSlope),
		layers.NewSigmoid(),
		layers.NewTanh(),
		layers.NewGELU("none"),
	} {
		y := l.Forward(tensor.FromData(append([]float64(nil), xs...), 1, len(xs)))
		fmt.Printf("%-16v y  ", l)
		for _, v := range y.Data {
			fmt.Printf("%7.3f", v)
		}
		fmt.Printf("\n%-16v y′ ", "")
		for _, v := range l.Backward(ones).Data {
			fmt.Printf("%7.3f", v)
		}
		fmt.Println()
	}
	// Output:
	// x                    -4.000 -1.000  0.500  1.000  4.000
	// ReLU             y    0.000  0.000  0.500  1.000  4.000
	//                  y′   0.000  0.000  1.000  1.000  1.000
	// LeakyReLU(0.01)  y   -0.040 -0.010  0.500  1.000  4.000
	//                  y′   0.010  0.010  1.000  1.000  1.000
	// Sigmoid          y    0.018  0.269  0.622  0.731  0.982
	//                  y′   0.018  0.197  0.235  0.197  0.018
	// Tanh             y   -0.999 -0.762  0.462  0.762  0.999
	//                  y′   0.001  0.420  0.786  0.420  0.001
	// GELU             y   -0.000 -0.159  0.346  0.841  4.000
	//                  y′  -0.001 -0.083  0.867  1.083  1.001
}
