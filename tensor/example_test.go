package tensor_test

import (
	"fmt"

	"github.com/backprop-go/backprop/tensor"
)

func ExampleMatMul() {
	a := tensor.FromData([]float64{
		1, 2, 3,
		4, 5, 6,
	}, 2, 3)
	b := tensor.FromData([]float64{
		1, 0,
		0, 1,
		1, 1,
	}, 3, 2)
	fmt.Println(tensor.MatMul(nil, a, b))
	// Output:
	// [[4 5]
	//  [10 11]]
}

// A Linear layer's forward pass on a batch: Z = A·Wᵀ + b, with one sample
// per row of A and W of shape m×d as in z = W a + b.
func ExampleMatMulABT() {
	w := tensor.FromData([]float64{
		1, 0, -1, // output 0
		2, 1, 0, // output 1
	}, 2, 3) // m = 2 outputs, d = 3 inputs
	b := []float64{0.5, -1}
	a := tensor.FromData([]float64{
		1, 2, 3, // sample 0
		0, 1, 0, // sample 1
	}, 2, 3)
	z := tensor.MatMulABT(nil, a, w)
	tensor.AddRowVector(z, b)
	fmt.Println(z)
	// Output:
	// [[-1.5 3]
	//  [0.5 0]]
}

// The weight gradient of a Linear layer, ∂L/∂W = Δᵀ·A: for each output i
// and input j, the sum over the batch of δ_i·a_j.
func ExampleMatMulATB() {
	delta := tensor.FromData([]float64{
		1, 0,
		0, 2,
	}, 2, 2) // batch of 2, m = 2 outputs
	a := tensor.FromData([]float64{
		1, 2, 3,
		4, 5, 6,
	}, 2, 3) // batch of 2, d = 3 inputs
	fmt.Println(tensor.MatMulATB(nil, delta, a))
	// Output:
	// [[1 2 3]
	//  [8 10 12]]
}

// Gemm accumulates: with beta = 1 the product is added to C.
func ExampleGemm() {
	a := tensor.FromData([]float64{1, 2, 3, 4}, 2, 2)
	id := tensor.FromData([]float64{1, 0, 0, 1}, 2, 2)
	c := tensor.FromData([]float64{10, 10, 10, 10}, 2, 2)
	tensor.Gemm(false, false, 2, a, id, 1, c) // C = 2·A·I + C
	fmt.Println(c)
	// Output:
	// [[12 14]
	//  [16 18]]
}

func ExampleTensor_Reshape() {
	t := tensor.FromData([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	r := t.Reshape(3, -1) // -1 is inferred: 6/3 = 2
	fmt.Println(r.Shape)
	fmt.Println(r)
	r.Set(0, 0, 0) // shares data with t
	fmt.Println(t.At(0, 0))
	// Output:
	// [3 2]
	// [[1 2]
	//  [3 4]
	//  [5 6]]
	// 0
}
