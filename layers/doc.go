// Package layers implements the parts of a multi-layer perceptron: Linear and
// ReLU layers with hand-written forward and backward passes, a Sequential
// container, plain SGD, and saving and loading models.
//
// # One sample
//
// A Linear layer maps an input a ∈ ℝᵈ to
//
//	z = W a + b,    W ∈ ℝ^(m×d), b ∈ ℝᵐ,    that is  zⱼ = Σₖ Wⱼₖ aₖ + bⱼ.
//
// Backpropagation hands the layer δ = ∂L/∂z ∈ ℝᵐ, the gradient of the scalar
// loss L with respect to its output, and asks for the gradients with respect
// to its parameters and its input. The loss depends on Wⱼₖ and bⱼ only
// through zⱼ, with ∂zⱼ/∂Wⱼₖ = aₖ and ∂zⱼ/∂bⱼ = 1; it depends on aₖ through
// every zⱼ, with ∂zⱼ/∂aₖ = Wⱼₖ. The chain rule gives
//
//	∂L/∂Wⱼₖ = δⱼ aₖ         so   ∂L/∂W = δ aᵀ    (m×d, an outer product)
//	∂L/∂bⱼ  = δⱼ            so   ∂L/∂b = δ
//	∂L/∂aₖ  = Σⱼ Wⱼₖ δⱼ     so   ∂L/∂a = Wᵀ δ    (d entries)
//
// ∂L/∂a is what the layer passes back: it is the gradient with respect to
// the previous layer's output.
//
// ReLU, y = max(0, x) element-wise, has slope 1 where x > 0 and 0 where
// x < 0, and each yᵢ depends only on xᵢ, so
//
//	∂L/∂x = ∂L/∂y ⊙ 1[x > 0],
//
// a mask: the gradient flows back through the units that were active and
// stops at the others. ReLU has no derivative at exactly 0; like most
// libraries we use 0 there (a valid subgradient). A unit whose input is
// negative for every sample is "dead": it passes no gradient, so the weights
// feeding it get exactly zero gradient.
//
// # A batch
//
// The code processes a batch of B samples at once, stored row-major as the
// rows of a matrix: A is B×d, its row n is aₙᵀ. Transposing z = W a + b
// for each sample and stacking the rows gives
//
//	Z = A Wᵀ + 1 bᵀ    (B×m),
//
// where 1 is a column of B ones, so 1 bᵀ repeats bᵀ in every row. The batch
// loss is a sum (or mean) of per-sample losses and W and b are shared by all
// samples, so their gradients are sums of the per-sample ones. With Δ the
// B×m matrix whose row n is δₙᵀ = (∂L/∂zₙ)ᵀ:
//
//	∂L/∂W = Σₙ δₙ aₙᵀ = Δᵀ A     (m×d)
//	∂L/∂b = Σₙ δₙ               (the sum of the rows of Δ)
//	∂L/∂A = Δ W                  (B×d; row n is (Wᵀ δₙ)ᵀ = δₙᵀ W)
//
// Each product is a single call of tensor.Gemm, which reads its operands
// transposed in place (no transposed copy is ever made). Linear.Forward fuses
// the bias into the product: it first copies b into every row of Z and then
// has Gemm add A Wᵀ on top (beta = 1), so the bias add costs no separate pass
// over Z. If the loss is a mean over the batch, the 1/B is already inside Δ
// (see package loss); the layers never divide by B themselves.
//
// The ReLU mask is applied element-wise to the B×m matrix in the same way.
//
// The first layer's ∂L/∂A is the gradient with respect to the data, which SGD
// never uses; for the homework's 784-wide input it is a quarter of a training
// step. Sequential.BackwardParams, which train.Step calls, skips it (through
// the ParamBackwarder interface), while Backward computes it, as gradient
// checks need.
//
// # The recursion: backpropagation through the whole network
//
// Number the layers l = 1 … L of an MLP: a⁰ = x is the input (n₀ = 784
// features), layer l computes zˡ = Wˡ aˡ⁻¹ + bˡ with Wˡ of shape nₗ×nₗ₋₁,
// the hidden layers apply aˡ = ReLU(zˡ), and the loss takes the logits z^L
// (n_L = 10 classes). Write δˡ = ∂L/∂zˡ as a row of nₗ entries, like one row
// of the batch matrices below. Putting the two layers' rules above together
// (Linear's ∂L/∂a = Wᵀ δ, written as a row δ W, then ReLU's mask) gives the
// four equations of backpropagation:
//
//	(1) δ^L     = p − y                        the loss's gradient (package loss)
//	(2) δˡ⁻¹    = (δˡ Wˡ) ⊙ 1[zˡ⁻¹ > 0]        1×nₗ times nₗ×nₗ₋₁, then the mask: 1×nₗ₋₁
//	(3) ∂L/∂Wˡ  = δˡᵀ aˡ⁻¹                     nₗ×1 times 1×nₗ₋₁: nₗ×nₗ₋₁, the shape of Wˡ
//	(4) ∂L/∂bˡ  = δˡ                           1×nₗ
//
// For a batch, with Δˡ the B×nₗ matrix whose rows are the samples' δˡ and
// Aˡ⁻¹, Zˡ⁻¹ the B×nₗ₋₁ activations and pre-activations:
//
//	(1) Δ^L     = (P − Y) / B                  for the mean loss over the batch
//	(2) Δˡ⁻¹    = (Δˡ Wˡ) ⊙ 1[Zˡ⁻¹ > 0]        B×nₗ₋₁
//	(3) ∂L/∂Wˡ  = Δˡᵀ Aˡ⁻¹                     nₗ×nₗ₋₁, summed over the batch by the product
//	(4) ∂L/∂bˡ  = Σ rows of Δˡ                 1×nₗ
//
// Sequential.Backward is this loop, last layer first: it hands Δ^L to the
// last Linear, whose Backward computes (3) and (4) into its Params' Grad and
// returns Δˡ Wˡ; the ReLU before it applies the mask of (2), and the result
// is the next Linear's Δ. Only one forward pass is needed beforehand, because
// each layer keeps the aˡ⁻¹ (Linear) or the mask (ReLU) it needs. The
// homework's part g works it through on a 2-3-2 network by hand
// (go run ./examples/partg).
//
// Why this is fast: the forward pass costs one matrix product per layer, the
// backward pass two ((3) and the product in (2)), so a whole gradient costs
// about three forward passes. A finite-difference gradient needs two forward
// passes per parameter: for the homework's 784-256-128-10 network, 235,146
// parameters, that is 470,292 forward passes instead of about three.
//
// # Buffers and accumulation
//
// A layer keeps its output and input-gradient tensors and overwrites them on
// the next call, so a training loop allocates nothing once the first batch
// has run; a smaller last batch reuses the same memory. Keep a copy (Clone)
// of anything you need after the next call. Linear keeps a reference to its
// input for Backward, so the input must not change between Forward and
// Backward. Backward adds into each Param's Grad rather than overwriting it
// (so a parameter used twice gets both contributions); SGD.Step zeroes the
// gradients after using them.
//
// # Training and evaluation mode
//
// Some layers (dropout, batch norm) behave differently when training and when
// evaluating. Rather than putting a SetTraining method into Layer, which every
// layer would have to implement with an empty body, such layers implement the
// separate, optional Trainable interface. Sequential.SetTraining forwards the
// call to each of its layers that implements it (and Sequential implements it
// itself, so nested containers work). Linear and ReLU do not implement it:
// adding a dropout layer later changes no existing code, and the training loop
// can already call model.SetTraining(false) before validating.
//
// # Saving
//
// Save and Load store a Sequential of Linear and ReLU layers in a small,
// versioned, checksummed binary format described in save.go; SaveFile writes
// a temporary file and renames it, so the file on disk is always either the
// old model or the complete new one.
package layers
