package layers

import (
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

func TestReLU(t *testing.T) {
	r := NewReLU()
	x := tensor.FromData([]float64{-2, -0.5, 0, 0.5, 3, -1e-300}, 2, 3)
	y := r.Forward(x)
	closeTo(t, "ReLU forward", y.Data, []float64{0, 0, 0, 0.5, 3, 0}, 0)
	d := tensor.FromData([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	dx := r.Backward(d)
	// The gradient passes only where x > 0; at x = 0 it is blocked.
	closeTo(t, "ReLU backward", dx.Data, []float64{0, 0, 0, 4, 5, 0}, 0)
	if r.Params() != nil {
		t.Errorf("ReLU has params %v", r.Params())
	}

	// Buffers are reused across calls of the same shape.
	if y2 := r.Forward(x); y2 != y {
		t.Error("ReLU.Forward allocated a new output for the same shape")
	}
	if dx2 := r.Backward(d); dx2 != dx {
		t.Error("ReLU.Backward allocated a new gradient for the same shape")
	}
	mustPanic(t, "ReLU.Backward: gradient has shape [3 2]", func() { r.Backward(tensor.New(3, 2)) })
	mustPanic(t, "ReLU.Backward called before Forward", func() { NewReLU().Backward(d) })
	mustPanic(t, "ReLU.Backward: nil gradient", func() { r.Backward(nil) })
}
