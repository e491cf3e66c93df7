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
// Save writes a model as a safetensors file and SaveNPZ as a numpy .npz
// archive, both readable by PyTorch and numpy without this library (see
// docs/interop.md and the comments at the top of checkpoint.go and
// npz.go). The tensors carry PyTorch's nn.Sequential state_dict names
// ("0.weight", "0.bias", "2.weight", …) and shapes (weight out×in, bias
// [out]); the layer types and their settings go in the file as JSON, so Load
// rebuilds the network without being told its shape. A SHA-256 of the data
// (in .npz, the zip's CRC-32s) catches a corrupt file. Load tells the
// formats apart by their first bytes and still reads the BPNN files older
// versions wrote (described in save.go). SaveFile writes a temporary file
// and renames it, so the file on disk is always either the old model or the
// complete new one.
//
// Each layer type is saved by a codec in a registry: Linear and ReLU are
// registered here, and Register adds any other, a student's own layer
// included. SaveCheckpoint stores more than the model (an optimiser's
// state, under its own names) in the same file.
//
// This package sits above tensor and the two format packages, safetensors
// and npy, which know nothing of layers; nothing that trains is below it.
package layers
