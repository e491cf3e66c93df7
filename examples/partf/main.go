// Part f: the backward pass of a Linear layer.
//
// Backpropagation hands the layer δ = ∂L/∂z for each sample; for a batch
// these are the rows of Δ (B×m). The layer must return the gradients
//
//	∂L/∂W = Δᵀ A    (m×d: the sum over samples of the outer products δ aᵀ)
//	∂L/∂b = Σ rows of Δ
//	∂L/∂A = Δ W     (B×d: row n is Wᵀ δₙ, passed on to the previous layer)
//
// (derived in the documentation of package layers). This program uses the
// layer and batch of part e, a fixed Δ, prints the three gradients, and checks
// one entry of each with a finite difference: for the loss L = Σ Δ ⊙ Z, whose
// ∂L/∂Z is exactly Δ, nudging W₀₁ by ±ε changes L by ≈ ±ε ∂L/∂W₀₁.
//
//	go run ./examples/partf
package main

import (
	"fmt"
	"io"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/tensor"
)

func main() { homework.Main("partf", run) }

// run takes no flags; it writes its answer to w.
func run(args []string, w, stderr io.Writer) error {
	if err := homework.NoFlags("partf", args, stderr); err != nil {
		return err
	}

	// The layer and batch of part e: 3 inputs, 2 outputs, 2 samples.
	lin, a := homework.WorkedLinear()
	// Δ = ∂L/∂Z, what the layer above (or the loss) would send back.
	delta := tensor.FromData([]float64{
		1, -1,
		0.5, 2,
	}, 2, 2)

	fmt.Fprintln(w, "Part f: Linear backward, given Δ = ∂L/∂Z")
	homework.PrintMatrix(w, "A", a)
	homework.PrintMatrix(w, "W", lin.W.Value)
	homework.PrintMatrix(w, "Δ = ∂L/∂Z", delta)

	lin.Forward(a)
	dA := lin.Backward(delta) // adds into lin.W.Grad and lin.B.Grad
	homework.PrintMatrix(w, "∂L/∂W = Δᵀ A", lin.W.Grad)
	homework.PrintMatrix(w, "∂L/∂b = Σ rows of Δ", lin.B.Grad)
	homework.PrintMatrix(w, "∂L/∂A = Δ W", dA)

	// One entry written out: ∂L/∂W₀₁ = Σₙ Δₙ₀ Aₙ₁.
	fmt.Fprintf(w, "by hand: ∂L/∂W[0,1] = Δ[0,0]·A[0,1] + Δ[1,0]·A[1,1] = %g·%g + %g·%g = %g\n",
		delta.At(0, 0), a.At(0, 1), delta.At(1, 0), a.At(1, 1),
		delta.At(0, 0)*a.At(0, 1)+delta.At(1, 0)*a.At(1, 1))

	// The check by finite differences. L = Σ Δ ⊙ Z is a loss whose gradient with respect
	// to Z is exactly Δ, so the gradients above are its gradients.
	L := func() float64 {
		z := lin.Forward(a)
		s := 0.0
		for i, v := range z.Data {
			s += delta.Data[i] * v
		}
		return s
	}
	const eps = 1e-4
	fmt.Fprintf(w, "finite-difference check, L = Σ Δ⊙Z, (L(θ+ε) − L(θ−ε)) / 2ε with ε = %g:\n", eps)
	for _, c := range []struct {
		name     string
		value    *tensor.Tensor // the tensor holding θ
		i        int            // θ's flat index in it
		analytic float64
	}{
		{"∂L/∂W[0,1]", lin.W.Value, 1, lin.W.Grad.At(0, 1)},
		{"∂L/∂b[1]  ", lin.B.Value, 1, lin.B.Grad.At(0, 1)},
		{"∂L/∂A[1,2]", a, 1*3 + 2, dA.At(1, 2)},
	} {
		keep := c.value.Data[c.i]
		c.value.Data[c.i] = keep + eps
		plus := L()
		c.value.Data[c.i] = keep - eps
		minus := L()
		c.value.Data[c.i] = keep
		numeric := (plus - minus) / (2 * eps)
		fmt.Fprintf(w, "  %s analytic %8.4f  numeric %8.4f  difference %.1e\n",
			c.name, c.analytic, numeric, c.analytic-numeric)
	}
	return nil
}
