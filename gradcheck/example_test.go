package gradcheck_test

import (
	"fmt"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// Check a Linear layer: its gradients with respect to the input, the
// weights and the bias all agree with central differences.
func ExampleLayer() {
	rng := newRNG(1)
	lin := layers.NewLinear(3, 2, layers.He, rng)
	x := tensor.RandNormal(rng, 0, 1, 4, 3) // a batch of 4 samples
	rep := gradcheck.Layer(lin, x, gradcheck.Options{Seed: 1})
	for _, t := range rep.Tensors {
		fmt.Printf("%-6s %v: %2d entries, rel err < 1e-7: %v\n", t.Name, t.Shape, t.Checked, t.Worst.RelErr < 1e-7)
	}
	fmt.Println("OK:", rep.OK(1e-7))
	// Output:
	// input  [4 3]: 12 entries, rel err < 1e-7: true
	// weight [2 3]:  6 entries, rel err < 1e-7: true
	// bias   [1 2]:  2 entries, rel err < 1e-7: true
	// OK: true
}

// noBiasGrad is a Linear layer with a typical bug: Backward forgets to
// accumulate the bias gradient.
type noBiasGrad struct{ *layers.Linear }

func (l noBiasGrad) Backward(d *tensor.Tensor) *tensor.Tensor {
	db := l.B.Grad.Clone()
	dx := l.Linear.Backward(d)
	l.B.Grad.CopyFrom(db) // the bug: undo the bias gradient
	return dx
}

// A gradient check points at the parameter whose gradient is wrong.
func ExampleLayer_findBug() {
	rng := newRNG(1)
	buggy := noBiasGrad{layers.NewLinear(3, 2, layers.He, rng)}
	x := tensor.RandNormal(rng, 0, 1, 4, 3)
	rep := gradcheck.Layer(buggy, x, gradcheck.Options{Seed: 1})
	fmt.Println("OK:", rep.OK(1e-7))
	fmt.Println("wrong:", rep.Failed(1e-7))
	w := rep.Worst
	fmt.Printf("worst: %s%v analytic %.4f numeric %.4f\n", w.Tensor, w.At, w.Analytic, w.Numeric)
	// Output:
	// OK: false
	// wrong: [bias]
	// worst: bias[0 0] analytic 0.0000 numeric -0.6938
}

// Check the gradient (P − Y)/B of softmax cross-entropy with respect to the
// logits, using Func on a scalar function.
func ExampleFunc() {
	rng := newRNG(2)
	z := tensor.RandNormal(rng, 0, 1, 3, 4) // logits: 3 samples, 4 classes
	labels := []int{0, 3, 1}
	var ce loss.SoftmaxCrossEntropy
	ce.Forward(z, labels)
	p := &layers.Param{Name: "logits", Value: z, Grad: ce.Backward()}
	rep := gradcheck.Func(func() float64 { return ce.Forward(z, labels) }, []*layers.Param{p}, gradcheck.Options{})
	fmt.Println("entries:", rep.Tensors[0].Checked, "OK:", rep.OK(1e-7))
	// Output:
	// entries: 12 OK: true
}

// A correct network with a smooth activation can miss a 1e-7 tolerance with
// the plain central difference: its error ε²/6·L‴ does not vanish, and the
// relative error magnifies it where a gradient is small. Richardson
// extrapolation cancels the ε² term; a looser tolerance would instead let
// real bugs through.
func ExampleOptions_richardson() {
	rng := newRNG(5)
	net := layers.NewSequential(layers.NewLinear(6, 8, layers.Xavier, rng), layers.NewTanh(), layers.NewLinear(8, 3, layers.Xavier, rng))
	x := tensor.RandNormal(rng, 0, 1, 5, 6)
	plain := gradcheck.Layer(net, x, gradcheck.Options{Seed: 5})
	rich := gradcheck.Layer(net, x, gradcheck.Options{Seed: 5, Richardson: true})
	fmt.Printf("central difference, ε = 1e-4: worst %.0e, OK: %v\n", plain.Worst.RelErr, plain.OK(1e-7))
	fmt.Printf("Richardson, ε = 1e-3:         worst below 1e-9: %v, OK: %v\n", rich.Worst.RelErr < 1e-9, rich.OK(1e-7))
	// Output:
	// central difference, ε = 1e-4: worst 7e-07, OK: false
	// Richardson, ε = 1e-3:         worst below 1e-9: true, OK: true
}
