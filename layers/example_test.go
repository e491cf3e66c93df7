package layers_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// printMatrix prints a 2-D tensor with fixed formatting, one row per line.
func printMatrix(name string, t *tensor.Tensor) {
	fmt.Printf("%s =\n", name)
	for i := 0; i < t.Rows(); i++ {
		for _, v := range t.Row(i) {
			fmt.Printf(" %8.4f", v)
		}
		fmt.Println()
	}
}

// A Linear layer with 3 inputs and 2 outputs on a batch of 2 samples:
// Z = A Wᵀ + b, then the backward pass for an upstream gradient Δ.
func ExampleLinear() {
	lin := layers.NewLinear(3, 2, layers.He, rand.New(rand.NewPCG(1, 1)))
	// Replace the random weights with fixed ones. W is out×in (2×3).
	copy(lin.W.Value.Data, []float64{
		0.1, 0.2, 0.3,
		-0.4, 0.5, -0.6,
	})
	copy(lin.B.Value.Data, []float64{0.5, -1})

	a := tensor.FromData([]float64{
		1, 2, 3,
		4, 5, 6,
	}, 2, 3)
	printMatrix("Z", lin.Forward(a))

	delta := tensor.FromData([]float64{
		1, -1,
		0.5, 2,
	}, 2, 2) // Δ = ∂L/∂Z
	dA := lin.Backward(delta)
	printMatrix("dW = ΔᵀA", lin.W.Grad)
	printMatrix("db = Σ rows of Δ", lin.B.Grad)
	printMatrix("dA = ΔW", dA)
	// Output:
	// Z =
	//    1.9000  -2.2000
	//    3.7000  -3.7000
	// dW = ΔᵀA =
	//    3.0000   4.5000   6.0000
	//    7.0000   8.0000   9.0000
	// db = Σ rows of Δ =
	//    1.5000   1.0000
	// dA = ΔW =
	//    0.5000  -0.3000   0.9000
	//   -0.7500   1.1000  -1.0500
}

// ReLU passes positive values and blocks the gradient wherever its input
// was not positive.
func ExampleReLU() {
	relu := layers.NewReLU()
	x := tensor.FromData([]float64{-1.5, 0, 2.25, 0.5, -3, 1}, 2, 3)
	printMatrix("y = max(0, x)", relu.Forward(x))
	dy := tensor.FromData([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	printMatrix("dx = dy ⊙ [x > 0]", relu.Backward(dy))
	// Output:
	// y = max(0, x) =
	//    0.0000   0.0000   2.2500
	//    0.5000   0.0000   1.0000
	// dx = dy ⊙ [x > 0] =
	//    0.0000   0.0000   3.0000
	//    4.0000   0.0000   6.0000
}

// One training step of the homework's network: forward, loss, backward,
// SGD update. Repeating it on the same batch drives the loss down.
func ExampleNewMLP() {
	rng := rand.New(rand.NewPCG(1, 2))
	model := layers.NewMLP([]int{4, 8, 3}, layers.He, rng)
	fmt.Println(model)
	for _, p := range model.Params() {
		fmt.Println(p.Name, p.Value.Shape)
	}

	x := tensor.RandNormal(rng, 0, 1, 6, 4)
	labels := []int{0, 1, 2, 0, 1, 2}
	var ce loss.SoftmaxCrossEntropy
	opt := &layers.SGD{LR: 0.5}
	first := ce.Forward(model.Forward(x), labels)
	for range 50 {
		ce.Forward(model.Forward(x), labels)
		model.Backward(ce.Backward())
		opt.Step(model.Params())
	}
	last := ce.Forward(model.Forward(x), labels)
	fmt.Println("loss went down:", last < first/10)
	// Output:
	// Sequential(Linear(4→8), ReLU, Linear(8→3))
	// 0.weight [8 4]
	// 0.bias [1 8]
	// 2.weight [3 8]
	// 2.bias [1 3]
	// loss went down: true
}
