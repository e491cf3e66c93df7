package layers_test

import (
	"fmt"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// The worked example of the package documentation: one 3×3 image, one 2×2
// filter, stride 1, no padding. Forward is the correlation C1; Backward
// gives ∂L/∂b (C2), ∂L/∂W, the correlation of X with δ (C3), and ∂L/∂X, the
// full convolution of δ with W (C4).
func ExampleConv2d() {
	conv := layers.NewConv2d(1, 1, 2, layers.Conv2dOptions{}, rngFor(1))
	copy(conv.W.Value.Data, []float64{1, 0, -1, 2}) // W = [1 0; −1 2]
	conv.B.Value.Data[0] = 1
	x := tensor.FromData([]float64{
		1, 2, 0,
		0, 1, 3,
		2, 1, 0,
	}, 1, 1, 3, 3) // N×C×H×W
	y := conv.Forward(x)
	fmt.Println(conv, "output", y.Shape, y.Data)
	dx := conv.Backward(tensor.FromData([]float64{1, 0, 2, -1}, 1, 1, 2, 2)) // δ
	fmt.Println("∂L/∂b", conv.B.Grad.Data)
	fmt.Println("∂L/∂W", conv.W.Grad.Data)
	fmt.Println("∂L/∂X", dx.Data)
	// Output:
	// Conv2d(1→1, 2×2, stride 1, padding 0) output [1 1 2 2] [4 8 1 1]
	// ∂L/∂b [2]
	// ∂L/∂W [0 1 3 3]
	// ∂L/∂X [1 0 0 1 1 0 -2 5 -2]
}

// A small convolutional network for 28×28 grey images, and the shape of a
// batch of 64 after each layer. Unflatten turns the data package's rows of
// 784 pixels into 1×28×28 images; two blocks of convolution, batch norm,
// ReLU and 2×2 max pooling halve the size twice while the channels grow;
// Flatten and a Linear layer give the ten logits.
func Example_convolutionalNetwork() {
	rng := rngFor(1)
	net := layers.NewSequential(
		layers.NewUnflatten(1, 28, 28),
		layers.NewConv2d(1, 16, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng),
		layers.NewBatchNorm2d(16), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewConv2d(16, 32, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng),
		layers.NewBatchNorm2d(32), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewFlatten(), layers.NewLinear(32*7*7, 10, layers.Xavier, rng))
	x := tensor.New(64, 784)
	for _, l := range net.Layers() {
		x = l.Forward(x)
		fmt.Printf("%-50v %v\n", l, x.Shape)
	}
	n := 0
	for _, p := range net.Params() {
		n += p.Value.Len()
	}
	fmt.Println(n, "parameters")
	// Output:
	// Unflatten(1×28×28)                                 [64 1 28 28]
	// Conv2d(1→16, 3×3, stride 1, padding 1, no bias)    [64 16 28 28]
	// BatchNorm2d(16)                                    [64 16 28 28]
	// ReLU                                               [64 16 28 28]
	// MaxPool2d(2×2, stride 2)                           [64 16 14 14]
	// Conv2d(16→32, 3×3, stride 1, padding 1, no bias)   [64 32 14 14]
	// BatchNorm2d(32)                                    [64 32 14 14]
	// ReLU                                               [64 32 14 14]
	// MaxPool2d(2×2, stride 2)                           [64 32 7 7]
	// Flatten                                            [64 1568]
	// Linear(1568→10)                                    [64 10]
	// 20538 parameters
}
