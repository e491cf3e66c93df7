package main

import (
	"fmt"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// cost returns the number of parameters of model and the multiply-adds of
// its forward pass on one 784-pixel image, counting the products of Conv2d
// (output entries × C·k·k) and Linear (outputs × inputs) only: batch norm,
// ReLU and pooling add a few operations per entry, a rounding error beside
// them. each, if not nil, gets the same two numbers for every layer that
// has parameters. A training step costs about three times the forward pass
// (forward, ∂L/∂W, ∂L/∂X).
func cost(model *layers.Sequential, each func(l layers.Layer, params, macs int)) (params, macs int) {
	model.SetTraining(false)
	defer model.SetTraining(true)
	x := tensor.New(1, 784)
	for _, l := range model.Layers() {
		y := l.Forward(x)
		p, m := 0, 0
		for _, q := range l.Params() {
			p += q.Value.Len()
		}
		switch l := l.(type) {
		case *layers.Conv2d:
			m = y.Len() * l.In() * l.Kernel() * l.Kernel()
		case *layers.Linear:
			m = y.Len() * x.Len()
		}
		if each != nil && p > 0 {
			each(l, p, m)
		}
		params, macs = params+p, macs+m
		x = y
	}
	return params, macs
}

// The size and the work of the default CNN against part k's MLP
// (784-256-128-10), per image; docs/cnn.md quotes it.
func Example_cost() {
	c := &config{Settings: &homework.Settings{Seed: 1}, Channels: [2]int{32, 64}, Convs: 1}
	mlp := layers.NewMLP([]int{784, 256, 128, 10}, layers.He, c.Rand(homework.ForInit))
	for _, m := range []struct {
		name  string
		model *layers.Sequential
	}{{"MLP 784-256-128-10", mlp}, {"CNN (examples/cnn)", newCNN(10, c)}} {
		fmt.Println(m.name)
		p, f := cost(m.model, func(l layers.Layer, p, f int) {
			fmt.Printf("  %-48v %7d parameters %6.3f M multiply-adds\n", l, p, float64(f)/1e6)
		})
		fmt.Printf("  %-48s %7d parameters %6.3f M multiply-adds\n", "total, per image", p, float64(f)/1e6)
	}
	dense := 32 * 14 * 14 * 64 * 14 * 14
	fmt.Printf("conv2 as a Linear layer from 32×14×14 to 64×14×14: %d weights, against 64·32·3·3 = %d\n", dense, 64*32*3*3)
	// Output:
	// MLP 784-256-128-10
	//   Linear(784→256)                                   200960 parameters  0.201 M multiply-adds
	//   Linear(256→128)                                    32896 parameters  0.033 M multiply-adds
	//   Linear(128→10)                                      1290 parameters  0.001 M multiply-adds
	//   total, per image                                  235146 parameters  0.235 M multiply-adds
	// CNN (examples/cnn)
	//   Conv2d(1→32, 3×3, stride 1, padding 1, no bias)      288 parameters  0.226 M multiply-adds
	//   BatchNorm2d(32)                                       64 parameters  0.000 M multiply-adds
	//   Conv2d(32→64, 3×3, stride 1, padding 1, no bias)   18432 parameters  3.613 M multiply-adds
	//   BatchNorm2d(64)                                      128 parameters  0.000 M multiply-adds
	//   Linear(3136→128)                                  401536 parameters  0.401 M multiply-adds
	//   Linear(128→10)                                      1290 parameters  0.001 M multiply-adds
	//   total, per image                                  421738 parameters  4.241 M multiply-adds
	// conv2 as a Linear layer from 32×14×14 to 64×14×14: 78675968 weights, against 64·32·3·3 = 18432
}

// The work per image of the networks docs/cnn.md measures, by -channels
// and -convs, against the default's 4.241 M multiply-adds.
func Example_costOfOptions() {
	base := 0.0
	for _, o := range []struct {
		channels [2]int
		convs    int
	}{{[2]int{32, 64}, 1}, {[2]int{16, 32}, 1}, {[2]int{24, 48}, 1}, {[2]int{48, 96}, 1}, {[2]int{16, 32}, 2}, {[2]int{32, 64}, 2}} {
		c := &config{Settings: &homework.Settings{Seed: 1}, Channels: o.channels, Convs: o.convs}
		p, f := cost(newCNN(10, c), nil)
		if base == 0 {
			base = float64(f) // the first is the default
		}
		fmt.Printf("-channels %d,%d -convs %d: %7d parameters %6.3f M multiply-adds, %.2f× the default's\n",
			o.channels[0], o.channels[1], o.convs, p, float64(f)/1e6, float64(f)/base)
	}
	// Output:
	// -channels 32,64 -convs 1:  421738 parameters  4.241 M multiply-adds, 1.00× the default's
	// -channels 16,32 -convs 1:  206970 parameters  1.218 M multiply-adds, 0.29× the default's
	// -channels 24,48 -convs 1:  313202 parameters  2.504 M multiply-adds, 0.59× the default's
	// -channels 48,96 -convs 1:  645722 parameters  9.071 M multiply-adds, 2.14× the default's
	// -channels 16,32 -convs 2:  218586 parameters  4.831 M multiply-adds, 1.14× the default's
	// -channels 32,64 -convs 2:  468010 parameters 18.692 M multiply-adds, 4.41× the default's
}
