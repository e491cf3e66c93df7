package layers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// Custom is a student's layer that gets its shapes wrong on purpose: its
// output has out columns whatever its input, and its Backward returns a
// gradient of back columns.
type Custom struct {
	out, back int
	y, d      *tensor.Tensor
}

func (c *Custom) Forward(x *tensor.Tensor) *tensor.Tensor {
	c.y = layers.Resize(c.y, x.Rows(), c.out)
	return c.y
}

func (c *Custom) Backward(d *tensor.Tensor) *tensor.Tensor {
	c.d = layers.Resize(c.d, d.Rows(), c.back)
	return c.d
}

func (c *Custom) Params() []*layers.Param { return nil }

// panicOf returns what f panicked with, as text.
func panicOf(f func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	f()
	return "no panic"
}

// TestSequentialNamesLayer checks that a shape mistake in a custom layer
// panics with the layer's index and type, in words that say which
// gradient is meant, on the way forward and on the way back.
func TestSequentialNamesLayer(t *testing.T) {
	rng := rngFor(1)
	x := tensor.New(5, 6)

	// Backward: layer 2 returns ∂L/∂(its input) 8 wide for an input 10 wide.
	s := layers.NewSequential(layers.NewLinear(6, 10, layers.He, rng), layers.NewReLU(), &Custom{out: 10, back: 8}, layers.NewLinear(10, 3, layers.He, rng))
	s.Forward(x)
	got := panicOf(func() { s.Backward(tensor.New(5, 3)) })
	want := "layers: Sequential.Backward: layer 2 (*layers_test.Custom) returned a gradient of shape [5 8] with respect to its input, want [5 10], the shape of that input (the output of layer 1, ReLU, *layers.ReLU)"
	if got != want {
		t.Errorf("Backward panicked with\n%s\nwant\n%s", got, want)
	}

	// Forward: layer 1's output is 8 wide where layer 2 takes 10.
	s = layers.NewSequential(layers.NewLinear(6, 10, layers.He, rng), &Custom{out: 8, back: 10}, layers.NewLinear(10, 3, layers.He, rng))
	got = panicOf(func() { s.Forward(x) })
	for _, want := range []string{
		"layers: Sequential.Forward: layer 2 (Linear(10→3), *layers.Linear) failed on its input (the output of layer 1, *layers_test.Custom)",
		"input has shape [5 8], want [batch 10]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Forward panicked with\n%s\nwant it to contain\n%s", got, want)
		}
	}

	// A wrong gradient handed to the network names the last layer.
	s = layers.NewSequential(layers.NewLinear(6, 3, layers.He, rng))
	s.Forward(x)
	got = panicOf(func() { s.Backward(tensor.New(5, 4)) })
	if want := "layers: Sequential.Backward: layer 0 (Linear(6→3), *layers.Linear) failed on the gradient with respect to its output (the network's output gradient)"; !strings.Contains(got, want) {
		t.Errorf("Backward panicked with\n%s\nwant it to contain\n%s", got, want)
	}
}
