package layers_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// fusedCases returns pairs of identical networks (same weights, same random
// streams) for TestBackwardSGDSameBits: a plain MLP; one with batch norm,
// dropout and a nested Sequential (layers with parameters but no
// BackwardSGD of their own); and one whose two Linear layers share a
// weight (the only one Tied reports).
func fusedCases() []struct {
	name string
	make func() *layers.Sequential
} {
	return []struct {
		name string
		make func() *layers.Sequential
	}{
		{"mlp", func() *layers.Sequential { return layers.NewMLP([]int{30, 17, 5}, layers.He, rngFor(1)) }},
		{"batchnorm+dropout+nested", func() *layers.Sequential {
			rng := rngFor(2)
			return layers.NewSequential(layers.NewLinear(30, 12, layers.He, rng), layers.NewBatchNorm1d(12), layers.NewReLU(), layers.NewDropout(0.3, rngFor(3)),
				layers.NewSequential(layers.NewLinear(12, 9, layers.He, rng), layers.NewTanh()), layers.NewLinear(9, 5, layers.Xavier, rng))
		}},
		{"shared weight", func() *layers.Sequential {
			rng := rngFor(4)
			a, b := layers.NewLinear(30, 30, layers.He, rng), layers.NewLinear(30, 30, layers.He, rng)
			b.W = a.W
			return layers.NewSequential(a, layers.NewReLU(), b, layers.NewReLU(), layers.NewLinear(30, 5, layers.He, rng))
		}},
	}
}

// TestBackwardSGDSameBits checks that Sequential.BackwardSGD gives the
// bits of Backward (or BackwardParams) followed by SGD.Step: the same
// input gradient, the same parameters after several steps, gradients left
// zero, on batches of 7 and of 300 rows (past one k-block of the fused
// weight update).
func TestBackwardSGDSameBits(t *testing.T) {
	for _, tc := range fusedCases() {
		if tied := tc.make().Tied(); tied != (tc.name == "shared weight") {
			t.Errorf("%s: Tied() = %v", tc.name, tied)
		}
		for _, input := range []bool{true, false} {
			for _, batch := range []int{7, 300} {
				fused, plain := tc.make(), tc.make()
				rng := rngFor(uint64(batch))
				sgd := layers.SGD{LR: 0.05}
				for step := 0; step < 3; step++ {
					x := tensor.RandUniform(rng, -1, 1, batch, 30)
					dout := tensor.RandUniform(rng, -1, 1, batch, 5)
					fused.Forward(x)
					got := fused.BackwardSGD(dout, sgd.LR, input)
					plain.Forward(x)
					var want *tensor.Tensor
					if input {
						want = plain.Backward(dout)
					} else {
						plain.BackwardParams(dout)
					}
					sgd.Step(plain.Params())
					if input {
						sameBits(t, tc.name+" ∂L/∂x", got.Data, want.Data)
					}
				}
				for i, p := range fused.Params() {
					q := plain.Params()[i]
					sameBits(t, tc.name+" "+p.Name, p.Value.Data, q.Value.Data)
					sameBits(t, tc.name+" "+p.Name+" gradient", p.Grad.Data, q.Grad.Data)
				}
			}
		}
	}
}

// sameBits stops the test unless got and want hold the same bits (−0 is
// not +0; a NaN matches only the same NaN).
func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if !numtest.SameSlices(t, what, got, want) {
		t.FailNow()
	}
}

// A training step of your own with plain SGD: BackwardSGD takes the step
// during the backward pass, W ← W − lr·Δᵀ·A as one product into W, where
// Backward and SGD.Step write ∂L/∂W, read it back and zero it. The weights
// come out the same, bit for bit.
func ExampleSequential_BackwardSGD() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.RandUniform(rng, 0, 1, 64, 20)
	y := make([]int, 64)
	for i := range y {
		y[i] = rng.IntN(3)
	}
	fused := layers.NewMLP([]int{20, 16, 3}, layers.He, rand.New(rand.NewPCG(3, 4)))
	plain := layers.NewMLP([]int{20, 16, 3}, layers.He, rand.New(rand.NewPCG(3, 4)))
	var ce loss.SoftmaxCrossEntropy
	sgd := &layers.SGD{LR: 0.1}
	for step := 0; step < 10; step++ {
		ce.Forward(fused.Forward(x), y)
		fused.BackwardSGD(ce.Backward(), sgd.LR, false) // the step, fused

		ce.Forward(plain.Forward(x), y)
		plain.BackwardParams(ce.Backward()) // gradients into every Grad,
		sgd.Step(plain.Params())            // then the step, and zeroed
	}
	same := true
	for i, p := range fused.Params() {
		for j, v := range p.Value.Data {
			same = same && v == plain.Params()[i].Value.Data[j]
		}
	}
	fmt.Println("same weights:", same)
	// Output: same weights: true
}
