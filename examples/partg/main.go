// Part g: the backward pass of a Linear layer, and the recursion that
// carries the gradient to the deeper layers.
//
// # One Linear layer
//
// Backpropagation hands the layer δ = ∂L/∂z for each sample; for a batch
// these are the rows of Δ (B×m). The layer must return the gradients
//
//	∂L/∂W = Δᵀ A    (m×d: the sum over samples of the outer products δ aᵀ)
//	∂L/∂b = Σ rows of Δ
//	∂L/∂A = Δ W     (B×d: row n is Wᵀ δₙ, passed on to the previous layer)
//
// (derived in the documentation of package layers).
//
// # The recursion: the four backpropagation equations
//
// Number the layers l = 1 … L, with a⁰ = x the input, zˡ = Wˡ aˡ⁻¹ + bˡ
// (Wˡ is nₗ×nₗ₋₁) and aˡ = ReLU(zˡ) for the hidden layers, and the softmax
// cross-entropy on the logits z^L. Write δˡ = ∂L/∂zˡ, as a row vector of
// nₗ entries like the rows of the batch matrices. Then
//
//	(1) δ^L   = p − y                          (the loss, part i; (P − Y)/B for a mean over a batch)
//	(2) δˡ⁻¹  = (δˡ Wˡ) ⊙ 1[zˡ⁻¹ > 0]          (nₗ₋₁ entries: Linear's ∂L/∂a, then ReLU's mask)
//	(3) ∂L/∂Wˡ = δˡᵀ aˡ⁻¹                      (nₗ×nₗ₋₁, an outer product: a column times a row)
//	(4) ∂L/∂bˡ = δˡ                            (nₗ entries)
//
// and for a batch, with Δˡ the B×nₗ matrix of the rows δˡ and Aˡ⁻¹ the
// B×nₗ₋₁ activations, Δˡ⁻¹ = (Δˡ Wˡ) ⊙ 1[Zˡ⁻¹ > 0], ∂L/∂Wˡ = Δˡᵀ Aˡ⁻¹,
// ∂L/∂bˡ = Σ rows of Δˡ. layers.Sequential.Backward is exactly this loop,
// from the last layer to the first: each Linear.Backward does (3), (4) and
// the product δˡ Wˡ of (2), and each ReLU.Backward applies the mask of (2).
//
// This program first runs Linear.Backward on the batch of part e with a
// fixed Δ and checks one entry of each gradient by finite differences. Then
// it works through a 2-3-2 network on one sample: every z, a, δ and gradient
// by hand, the same numbers from the library, and a gradient check of them.
// Last, it counts why backpropagation is fast.
//
//	go run ./examples/partg
package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

func main() { homework.Main("partg", run) }

// run takes no flags; it writes its answer to w.
func run(args []string, w, stderr io.Writer) error {
	if err := homework.NoFlags("partg", args, stderr); err != nil {
		return err
	}
	linearBackward(w)
	fmt.Fprintln(w)
	if err := worked(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	passes(w)
	return nil
}

// linearBackward runs one Linear layer's Backward on the layer and batch of
// part e and checks an entry of each gradient by central differences.
func linearBackward(w io.Writer) {
	// The layer and batch of part e: 3 inputs, 2 outputs, 2 samples.
	lin, a := homework.WorkedLinear()
	// Δ = ∂L/∂Z, what the layer above (or the loss) would send back.
	delta := tensor.FromData([]float64{
		1, -1,
		0.5, 2,
	}, 2, 2)

	fmt.Fprintln(w, "Part g: Linear backward, given Δ = ∂L/∂Z")
	homework.PrintMatrix(w, "A", a)
	homework.PrintMatrix(w, "W", lin.W.Value)
	homework.PrintMatrix(w, "Δ = ∂L/∂Z", delta)

	lin.Forward(a)
	dA := lin.Backward(delta) // adds into lin.W.Grad and lin.B.Grad
	homework.PrintMatrix(w, "∂L/∂W = Δᵀ A", lin.W.Grad)
	homework.PrintMatrix(w, "∂L/∂b = Σ rows of Δ", lin.B.Grad)
	homework.PrintMatrix(w, "∂L/∂A = Δ W", dA)

	// One entry written out: ∂L/∂W₀₁ = Σₙ Δₙ₀ Aₙ₁ (indices count from 0).
	fmt.Fprintf(w, "by hand: ∂L/∂W[0,1] = Δ[0,0]·A[0,1] + Δ[1,0]·A[1,1] = %g·%g + %g·%g = %g\n",
		delta.At(0, 0), a.At(0, 1), delta.At(1, 0), a.At(1, 1),
		delta.At(0, 0)*a.At(0, 1)+delta.At(1, 0)*a.At(1, 1))

	// The check by finite differences. L = Σ Δ ⊙ Z is a loss whose gradient
	// with respect to Z is exactly Δ, so the gradients above are its gradients.
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
}

// The worked 2-3-2 network: 2 inputs, 3 hidden ReLU units, 2 classes, one
// sample x of class y. Round numbers, chosen so that one hidden unit is off.
var (
	wx  = []float64{1, 2}
	wy  = 0
	wW1 = [][]float64{{0.5, -0.2}, {-0.3, 0.4}, {0.1, -0.6}} // 3×2
	wb1 = []float64{0.1, 0, 0.2}
	wW2 = [][]float64{{0.3, -0.5, 0.2}, {0.6, 0.1, -0.4}} // 2×3
	wb2 = []float64{0.05, -0.05}
)

// worked prints the forward and backward pass of the 2-3-2 network by hand,
// then the library's gradients for the same network, then a gradient check.
func worked(w io.Writer) error {
	fmt.Fprintln(w, "The recursion on a 2-3-2 network, one sample (layer 1: Linear 2→3 + ReLU, layer 2: Linear 3→2, softmax cross-entropy):")
	fmt.Fprintln(w, "  (1) δ² = p − y    (2) δ¹ = (δ² W²) ⊙ 1[z¹ > 0]    (3) ∂L/∂Wˡ = δˡᵀ aˡ⁻¹  (outer product)    (4) ∂L/∂bˡ = δˡ")
	vec := func(name string, v []float64) {
		fmt.Fprintf(w, "  %-28s", name)
		for _, x := range v {
			fmt.Fprintf(w, " %8.4f", x+0) // +0 turns −0 (a negative times a 0 of the mask) into 0
		}
		fmt.Fprintln(w)
	}
	mat := func(name string, m [][]float64) {
		for i, row := range m {
			label := ""
			if i == 0 {
				label = name
			}
			vec(label, row)
		}
	}

	// Forward, one unit at a time: zⱼ = Σₖ Wⱼₖ aₖ + bⱼ.
	affine := func(W [][]float64, a, b []float64) []float64 {
		z := make([]float64, len(W))
		for j := range W {
			z[j] = b[j]
			for k := range a {
				z[j] += W[j][k] * a[k]
			}
		}
		return z
	}
	fmt.Fprintln(w, "forward, by hand:")
	vec("a⁰ = x", wx)
	mat("W¹ (3×2)", wW1)
	vec("b¹", wb1)
	z1 := affine(wW1, wx, wb1)
	vec("z¹ = W¹ a⁰ + b¹", z1)
	a1 := make([]float64, len(z1))
	for j, v := range z1 {
		a1[j] = max(0, v)
	}
	vec("a¹ = max(0, z¹)", a1)
	mat("W² (2×3)", wW2)
	vec("b²", wb2)
	z2 := affine(wW2, a1, wb2)
	vec("z² = W² a¹ + b² (logits)", z2)
	sum := 0.0
	for _, v := range z2 {
		sum += math.Exp(v)
	}
	p := make([]float64, len(z2))
	for j, v := range z2 {
		p[j] = math.Exp(v) / sum
	}
	vec("p = softmax(z²)", p)
	lossVal := -math.Log(p[wy])
	fmt.Fprintf(w, "  L = −log p[%d] = %.4f   (label y = %d, counting from 0)\n", wy, lossVal, wy)

	fmt.Fprintln(w, "backward, by hand:")
	d2 := make([]float64, len(p))
	for j := range p {
		d2[j] = p[j]
		if j == wy {
			d2[j]--
		}
	}
	vec("(1) δ² = p − y", d2)
	outer := func(d, a []float64) [][]float64 {
		g := make([][]float64, len(d))
		for j := range d {
			g[j] = make([]float64, len(a))
			for k := range a {
				g[j][k] = d[j] * a[k]
			}
		}
		return g
	}
	gW2, gb2 := outer(d2, a1), d2
	mat("(3) ∂L/∂W² = δ²ᵀ a¹", gW2)
	vec("(4) ∂L/∂b² = δ²", gb2)
	back := make([]float64, len(a1)) // δ² W²: Linear's ∂L/∂a¹
	for k := range back {
		for j := range d2 {
			back[k] += d2[j] * wW2[j][k]
		}
	}
	vec("δ² W² = ∂L/∂a¹", back)
	mask := make([]float64, len(z1))
	d1 := make([]float64, len(z1))
	for j, v := range z1 {
		if v > 0 {
			mask[j] = 1
		}
		d1[j] = back[j] * mask[j]
	}
	vec("1[z¹ > 0]", mask)
	vec("(2) δ¹ = (δ² W²) ⊙ 1[z¹ > 0]", d1)
	gW1, gb1 := outer(d1, wx), d1
	mat("(3) ∂L/∂W¹ = δ¹ᵀ a⁰", gW1)
	vec("(4) ∂L/∂b¹ = δ¹", gb1)
	fmt.Fprintln(w, "  hidden unit 2 was off (z¹ < 0): its δ is 0, and so are the gradients of its weights and bias")

	// The same network in the library: Linear, ReLU, Linear, and the loss.
	model := layers.NewMLP([]int{2, 3, 2}, layers.He, rand.New(rand.NewPCG(1, 1)))
	lin1, lin2 := model.Layers()[0].(*layers.Linear), model.Layers()[2].(*layers.Linear)
	setLinear(lin1, wW1, wb1)
	setLinear(lin2, wW2, wb2)
	x := tensor.FromData(wx, 1, 2)
	labels := []int{wy}
	var ce loss.SoftmaxCrossEntropy
	libLoss := ce.Forward(model.Forward(x), labels)
	model.Backward(ce.Backward()) // Sequential.Backward: the recursion, last layer first

	fmt.Fprintln(w, "the library (layers.NewMLP([]int{2, 3, 2}) with these weights, loss.SoftmaxCrossEntropy, Sequential.Backward):")
	fmt.Fprintf(w, "  L = %.4f\n", libLoss)
	homework.PrintMatrix(w, "  ∂L/∂W² (lin2.W.Grad)", lin2.W.Grad)
	homework.PrintMatrix(w, "  ∂L/∂b² (lin2.B.Grad)", lin2.B.Grad)
	homework.PrintMatrix(w, "  ∂L/∂W¹ (lin1.W.Grad)", lin1.W.Grad)
	homework.PrintMatrix(w, "  ∂L/∂b¹ (lin1.B.Grad)", lin1.B.Grad)
	worst := math.Abs(libLoss - lossVal)
	for _, c := range []struct {
		hand [][]float64
		lib  *tensor.Tensor
	}{{gW2, lin2.W.Grad}, {[][]float64{gb2}, lin2.B.Grad}, {gW1, lin1.W.Grad}, {[][]float64{gb1}, lin1.B.Grad}} {
		for j, row := range c.hand {
			for k, v := range row {
				worst = max(worst, math.Abs(v-c.lib.At(j, k)))
			}
		}
	}
	fmt.Fprintf(w, "  by hand and library agree to within 1e-12: %v\n", worst <= 1e-12)

	// The gradient check: nudge every weight and bias by ±ε, recompute the
	// loss, compare (L(θ+ε) − L(θ−ε)) / 2ε with the library's gradients.
	rep := gradcheck.Func(func() float64 { return ce.Forward(model.Forward(x), labels) }, model.Params(), gradcheck.Options{Eps: 1e-4})
	fmt.Fprintln(w, "gradient check of the library's gradients (central differences, ε = 1e-4, every entry):")
	names := []string{"W¹", "b¹", "W²", "b²"}
	for i, t := range rep.Tensors {
		verdict := "pass"
		if t.Worst.RelErr >= 1e-7 {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "  %-3s %v  %d entries  max relative error %.0e  (< 1e-7: %s)\n", names[i], t.Shape, t.Checked, t.Worst.RelErr, verdict)
	}
	if failed := rep.Failed(1e-7); len(failed) > 0 {
		return fmt.Errorf("gradient check failed for %v", failed)
	}
	return nil
}

// setLinear copies the weights W (rows of output units) and the bias b into l.
func setLinear(l *layers.Linear, W [][]float64, b []float64) {
	for j, row := range W {
		copy(l.W.Value.Row(j), row)
	}
	copy(l.B.Value.Data, b)
}

// passes counts the work of one gradient of the homework's network by
// backpropagation and by finite differences.
func passes(w io.Writer) {
	sizes := []int{784, 256, 128, 10}
	params, macs, macsBack := 0, 0, 0
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		params += in*out + out
		macs += in * out     // forward: Z = A Wᵀ
		macsBack += in * out // backward: ∂L/∂W = Δᵀ A
		if i > 0 {
			macsBack += in * out // backward: ∂L/∂A = Δ W, not needed for the input
		}
	}
	fmt.Fprintf(w, "Why backpropagation is fast, for the homework's 784-256-128-10 network (%d parameters):\n", params)
	fmt.Fprintf(w, "  one forward pass: %d multiply-adds per sample (one per weight)\n", macs)
	fmt.Fprintf(w, "  one backward pass: %d multiply-adds per sample, %.2f forward passes: two products per layer (∂L/∂W = Δᵀ A\n",
		macsBack, float64(macsBack)/float64(macs))
	fmt.Fprintln(w, "    and ∂L/∂A = Δ W) where the forward pass has one, about 2 forward passes, less here because training skips")
	fmt.Fprintln(w, "    ∂L/∂A of the first layer (the gradient with respect to the data)")
	fmt.Fprintf(w, "  backpropagation: the whole gradient for 1 + %.2f = %.2f forward passes' work\n",
		float64(macsBack)/float64(macs), 1+float64(macsBack)/float64(macs))
	fmt.Fprintf(w, "  finite differences: 2 forward passes per parameter = %d forward passes\n", 2*params)
	fmt.Fprintf(w, "  backpropagation is about %.0f times less work (%.0f with a full 2-pass backward), and exact up to rounding\n",
		float64(2*params)/(1+float64(macsBack)/float64(macs)), float64(2*params)/3)
}
