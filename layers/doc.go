// Package layers implements the parts of a multi-layer perceptron: Linear
// layers, the activations ReLU, LeakyReLU, Sigmoid, Tanh and GELU, Dropout and
// BatchNorm1d, each with a hand-written forward and backward pass; a
// Sequential container, plain SGD, and saving and loading models. For
// images it adds the layers of a convolutional network: Conv2d, MaxPool2d,
// AvgPool2d, GlobalAvgPool2d, BatchNorm2d, Flatten and Unflatten.
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
// is the next Linear's Δ (with another activation σ the mask becomes
// σ′(Zˡ⁻¹), see "Other activations"). Only one forward pass is needed beforehand, because
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
// # Other activations
//
// Every activation here is element-wise, y = f(x), so each yᵢ depends only on
// xᵢ and the chain rule reduces to a product with the slope:
//
//	∂L/∂x = ∂L/∂y ⊙ f′(x),
//
// the same formula for one sample and for a B×m batch. What differs is f′
// and what Backward must keep to compute it.
//
// Sigmoid, σ(x) = 1/(1 + e⁻ˣ):
//
//	(S1) y = σ(x)
//	(S2) σ′(x) = e⁻ˣ/(1 + e⁻ˣ)² = σ(x)(1 − σ(x)) = y(1 − y),
//
// since 1 − σ = e⁻ˣ/(1 + e⁻ˣ). The derivative is a function of the output,
// so Backward needs no exponential and the layer keeps only y. The trap it
// avoids is overflow: written as eˣ/(1 + eˣ), x = 710 gives Inf/Inf = NaN;
// the code uses 1/(1 + e⁻ˣ) for x ≥ 0 and eˣ/(1 + eˣ) for x < 0, so it never
// exponentiates a positive number.
//
// Tanh, tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) = 2σ(2x) − 1:
//
//	(T1) y = tanh x
//	(T2) tanh′(x) = 1 − tanh² x = 1 − y²,
//
// by the quotient rule: ((eˣ + e⁻ˣ)² − (eˣ − e⁻ˣ)²)/(eˣ + e⁻ˣ)². Again only y
// is kept, and math.Tanh is used rather than the quotient, which overflows
// for |x| > 710. Both saturate: for |x| > 4 the slope is below 0.002 (tanh)
// or 0.018 (sigmoid), so a unit driven far from 0 passes almost no gradient.
// The largest slope of σ is only 1/4, which is why deep sigmoid networks
// train slowly: each layer shrinks the gradient at least fourfold.
//
// LeakyReLU with slope α ≥ 0 (PyTorch's negative_slope, default 0.01):
//
//	(LR1) y = x for x > 0,   y = α x otherwise
//	(LR2) f′(x) = 1 for x > 0,   α otherwise.
//
// A unit whose input is negative for every sample still passes α of the
// gradient, so it can recover; with α ≥ 0, y > 0 exactly where x > 0, and
// the output doubles as the mask as for ReLU.
//
// GELU, the Gaussian error linear unit, weighs x by the probability that a
// standard normal variable is below it, Φ(x) = ½(1 + erf(x/√2)):
//
//	(G1) y = x Φ(x)
//	(G2) f′(x) = Φ(x) + x φ(x),   φ(x) = Φ′(x) = e^(−x²/2)/√(2π),
//
// by the product rule. It is a smooth ReLU (x Φ(x) → x for large x, → 0 for
// very negative x) that dips slightly below 0 around x ≈ −0.75. This package
// computes the exact form with erf by default, like PyTorch's nn.GELU();
// NewGELU("tanh") gives the tanh approximation (PyTorch's
// approximate='tanh', used by GPT-2), with c = √(2/π) and
// u = c(x + 0.044715 x³):
//
//	(G3) y = ½ x (1 + tanh u)
//	(G4) f′(x) = ½(1 + tanh u) + ½ x (1 − tanh² u) c (1 + 3·0.044715 x²).
//
// The two differ by at most about 5e-4. The numerical trap in G1 is
// cancellation: for x = −10, erf(x/√2) rounds to −1 and 1 + erf to 0, though
// Φ(−10) ≈ 7.6e-24. The code computes Φ(x) = ½ erfc(−x/√2), which keeps full
// relative precision in the tail. GELU's slope needs x, so the layer keeps a
// reference to its input, like Linear.
//
// The smooth activations are where a gradient check needs care: the
// central difference has a truncation error of order ε² that no longer
// vanishes; see package gradcheck and its Options.Richardson.
//
// # Dropout
//
// Dropout (Srivastava et al. 2014) regularises by making each unit unreliable:
// during training every entry of the layer's input is zeroed with probability
// p, independently per entry and per batch, so no unit can count on any
// other being present. This package uses inverted dropout, like PyTorch: the
// surviving entries are scaled up by 1/(1 − p) during training, so that
// nothing needs rescaling at evaluation time. With mᵢ = 0 with probability p
// and mᵢ = 1/(1 − p) otherwise,
//
//	(D1) y = x ⊙ m,      E[yᵢ] = (1 − p) · xᵢ/(1 − p) = xᵢ
//	(D2) ∂L/∂x = ∂L/∂y ⊙ m
//	(D3) in evaluation mode, y = x and ∂L/∂x = ∂L/∂y.
//
// D2 holds because y is linear in x for a fixed mask, with slope mᵢ: a
// dropped unit passes no gradient back, like a ReLU that is off. The batch
// form is the same element-wise product on the B×m matrix, with a fresh mask
// per Forward. (The original paper scaled by 1 − p at test time instead;
// the expectation is the same, but then evaluation code must know about
// dropout.) The masks come from a *rand.Rand the layer is given, so a seeded
// run is reproducible.
//
// A gradient check calls Forward many times at nudged inputs and compares
// the outputs; with a new mask per call that comparison is meaningless.
// Setting Dropout.Frozen keeps the last mask, which makes the training-mode
// layer a fixed linear map that gradcheck can check.
//
// # Batch normalisation
//
// BatchNorm1d (Ioffe & Szegedy 2015) standardises every feature over the
// batch and then lets the network choose its scale and offset. Take one
// feature (one column of the B×m batch; every feature is handled alike and
// independently) with values x₁ … x_B:
//
//	(BN1) μ  = (1/B) Σₙ xₙ
//	(BN2) σ² = (1/B) Σₙ (xₙ − μ)²
//	(BN3) x̂ₙ = (xₙ − μ) · s,         s = 1/√(σ² + ε)
//	(BN4) yₙ = γ x̂ₙ + β
//
// with learned γ (Weight, PyTorch's weight, initially 1) and β (Bias,
// initially 0), and ε = 1e-5 so that a feature that is constant over the
// batch does not divide by 0.
//
// Backward gets gₙ = ∂L/∂yₙ. γ and β are shared by all samples, so as for a
// Linear layer's bias their gradients are sums:
//
//	(BN5) ∂L/∂γ = Σₙ gₙ x̂ₙ,      ∂L/∂β = Σₙ gₙ
//	(BN6) ĝₙ := ∂L/∂x̂ₙ = γ gₙ.
//
// The input gradient is the one students get wrong. It is tempting to stop
// at ∂L/∂xₙ = ĝₙ s, as if μ and σ² were constants; but both are computed from
// the whole batch, so every x̂ₘ depends on every xₙ. The pieces:
//
//	∂μ/∂xₙ  = 1/B
//	∂σ²/∂xₙ = (2/B) (xₙ − μ) − (2/B) Σₘ (xₘ − μ) · (1/B) = (2/B)(xₙ − μ)
//	          (the second term vanishes because Σₘ (xₘ − μ) = 0)
//	∂s/∂xₙ  = −½ (σ² + ε)^(−3/2) · ∂σ²/∂xₙ = −(s³/B)(xₙ − μ) = −(s²/B) x̂ₙ
//
// and by the product rule on x̂ₘ = (xₘ − μ) s,
//
//	∂x̂ₘ/∂xₙ = s (1[m = n] − 1/B) + (xₘ − μ) ∂s/∂xₙ
//	        = (s/B) (B·1[m = n] − 1 − x̂ₘ x̂ₙ).
//
// Summing over m with the chain rule, ∂L/∂xₙ = Σₘ ĝₘ ∂x̂ₘ/∂xₙ:
//
//	(BN7) ∂L/∂xₙ = (s/B) (B ĝₙ − Σₘ ĝₘ − x̂ₙ Σₘ ĝₘ x̂ₘ).
//
// It reads as a projection: from ĝ it removes its mean and its component
// along x̂. Those are exactly the changes of x that batch norm undoes
// (shifting every sample, or scaling every sample about the mean), so they
// cannot change the loss. Since γ is the same for every sample, Σₘ ĝₘ = γ
// ∂L/∂β and Σₘ ĝₘ x̂ₘ = γ ∂L/∂γ: Backward computes the two sums once for
// BN5 and reuses them in BN7. A consequence worth knowing: a bias added just
// before batch norm (Linear's b) gets a gradient of exactly 0 in training
// mode, because BN1 subtracts it again; PyTorch models therefore often build
// that Linear with bias=False.
//
// The batch form is BN1–BN7 applied to every column of the B×m matrices at
// once; μ, s, Σ ĝ and Σ ĝ x̂ are row vectors of m entries (column sums), and
// the code walks the matrices row by row so that memory is read in order.
//
// Training mode needs B ≥ 2 (one sample has no variance; PyTorch refuses it
// too). Evaluation must not depend on the other samples of the batch, so
// the layer keeps running averages of the batch statistics, updated by every
// training-mode Forward with momentum m = 0.1 (PyTorch's):
//
//	(BN8) running_mean ← (1 − m) running_mean + m μ
//	      running_var  ← (1 − m) running_var  + m σ² B/(B − 1)
//
// (the running variance is the unbiased estimate, as in PyTorch, while BN3
// uses the biased σ² of the batch itself), and evaluation mode uses them:
//
//	(BN9) yₙ = γ (xₙ − running_mean) / √(running_var + ε) + β,
//
// an affine map per feature, whose input gradient is simply γ s gₙ with
// s = 1/√(running_var + ε). Remember model.SetTraining(false) before
// evaluating: in training mode the prediction for one image would depend on
// the others in its batch.
//
// The numerical trap is the variance. The one-pass formula σ² = E[x²] − μ²
// subtracts two large, nearly equal numbers when a feature's mean is large
// compared with its spread (mean 1e8 and spread 1: x² ≈ 1e16, whose rounding
// error alone is about 2); it loses every digit and can even come out
// negative, making s NaN. The code takes a second pass over the batch and
// sums (xₙ − μ)² instead.
//
// # Convolutional networks
//
// An image is not a list of 784 unrelated numbers: a pixel's neighbours
// matter more than far-away pixels, and an edge is an edge wherever it is.
// A convolution builds both in. Instead of a weight from every pixel to
// every unit, it slides one small filter over the image and computes the
// same weighted sum at every position: weights shared across positions
// (a 3×3 filter has 9 weights whatever the image size), and an output that
// moves when the input moves (translation equivariance).
//
// Tensors are N×C×H×W, PyTorch's NCHW: N images of C channels (1 for a
// grey image, 3 for colour, F after a layer with F filters) of H rows and W
// columns, stored row-major, so X[n,c,r,q] is at ((n·C + c)·H + r)·W + q.
// A row of 784 pixels and a 1×28×28 image are the same memory:
// Unflatten(1, 28, 28) views a B×784 batch as B×1×28×28, and Flatten views
// the last feature maps as rows again for the Linear layers
// (Example_convolutionalNetwork shows the shapes of a whole network).
// A layer of your own on images is written as one on rows: ResizeShape
// keeps its buffers of any shape, and package gradcheck checks it as it is.
//
// A Conv2d with F filters of size k×k, stride s and padding p has weights
// W of shape F×C×k×k (PyTorch's weight) and a bias b of F entries. Let X̃
// be X with p rows and columns of zeros added on every side. The output is
// N×F×H′×W′ with
//
//	(C0) H′ = ⌊(H + 2p − k)/s⌋ + 1,   W′ = ⌊(W + 2p − k)/s⌋ + 1
//	(C1) Y[n,f,i,j] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v] · X̃[n,c, s·i+u, s·j+v]
//
// with c over the C channels and u, v over 0 … k−1: filter f laid on X̃ at
// row s·i, column s·j, multiplied entry by entry and summed over all
// channels. Strictly this is a cross-correlation (a convolution would
// flip the filter, X̃[s·i−u, s·j−v]); every deep-learning library computes
// C1 and calls it convolution, and since the filters are learned the flip
// would make no difference to what a network can learn.
//
// Backward gets δ = ∂L/∂Y, N×F×H′×W′. Y[n,f,i,j] depends on b[f] with
// slope 1, on W[f,c,u,v] with slope X̃[n,c,si+u,sj+v] and on that input
// with slope W[f,c,u,v], and every weight is used at every position of
// every image, so the chain rule sums over them:
//
//	(C2) ∂L/∂b[f]       = Σ_n Σ_i Σ_j δ[n,f,i,j]
//	(C3) ∂L/∂W[f,c,u,v] = Σ_n Σ_i Σ_j δ[n,f,i,j] · X̃[n,c, s·i+u, s·j+v]
//	(C4) ∂L/∂X̃[n,c,r,q] = Σ_f Σ_i Σ_j δ[n,f,i,j] · W[f,c, r−s·i, q−s·j]
//
// where C4's sum runs over the (i, j) whose window covers (r, q), that is
// 0 ≤ r − s·i < k and 0 ≤ q − s·j < k. ∂L/∂X is ∂L/∂X̃ without its border of
// p (the padding is a constant, its gradient goes nowhere).
//
// C3 has the shape of C1 with the roles swapped: for stride 1 it is the
// correlation of the input X̃ with δ, δ playing the filter (H′×W′ of it,
// giving a k×k result), summed over the batch. C4 is a true convolution:
// with stride 1, writing u = r − i and v = q − j, ∂L/∂X̃[r,q] = Σ_f Σ_u Σ_v
// δ[f, r−u, q−v] W[f,c,u,v], the indices of δ running backwards. It is
// "full": it reaches every position of X̃ (H′ + k − 1 = H + 2p rows), as if
// δ had k − 1 zeros around it, and it can be computed as the correlation
// of that zero-padded δ with the kernel rotated by 180°, W[f,c,k−1−u,k−1−v].
// With stride s, δ first gets s − 1 zeros between its entries (the
// positions the stride skipped). The naive loops of conv_naive.go do not
// build any of this: they visit every (n, f, i, j) and every tap (u, v),
// and send δ[n,f,i,j] back along the tap, to the weight by the input
// (C3) and to the input by the weight (C4), skipping taps on the padding.
//
// A worked example small enough to check by hand (TestConv2dWorkedExample
// runs it): one image of one channel, 3×3, one 2×2 filter, stride 1, no
// padding, so H′ = W′ = 2.
//
//	    ⎡1 2 0⎤       ⎡ 1 0⎤                  ⎡4 8⎤
//	X = ⎢0 1 3⎥   W = ⎣−1 2⎦   b = 1   ⇒  Y = ⎣1 1⎦
//	    ⎣2 1 0⎦
//
// (Y[0,0] = 1·1 + 0·2 − 1·0 + 2·1 + 1 = 4, Y[0,1] = 1·2 + 0·0 − 1·1 + 2·3 + 1
// = 8, and so on.) With δ = [1 0; 2 −1]:
//
//	∂L/∂b = 1 + 0 + 2 − 1 = 2       (C2)
//	∂L/∂W = X ⋆ δ = [0 1; 3 3]     (C3, the correlation of X with δ:
//	                                 ∂L/∂W[0,0] = 1·1 + 0·2 + 2·0 − 1·1 = 0, …)
//
//	                                                  ⎡ 1 0  0⎤
//	∂L/∂X = full convolution of δ with W         =    ⎢ 1 1  0⎥
//	                                                  ⎣−2 5 −2⎦
//
// (∂L/∂X[1,1] = δ[0,0]W[1,1] + δ[0,1]W[1,0] + δ[1,0]W[0,1] + δ[1,1]W[0,0]
// = 2 + 0 + 0 − 1 = 1: the centre pixel is under all four windows.)
//
// # Convolution as a matrix product: im2col
//
// C1 is a Linear layer applied to every k×k patch of the image with the
// same weights. Copy each patch into a column: the column matrix X_col has
// K = C·k·k rows, indexed by (c, u, v), and one column per output position
// (n, i, j), N·H′·W′ of them, with X_col[(c,u,v), (n,i,j)] =
// X̃[n,c,si+u,sj+v]. Read as a matrix F×K (its memory as it is), W is
// W_mat, and C1–C4 become the three products of a Linear layer:
//
//	(C1) Y_mat      = W_mat · X_col + b 1ᵀ       F×(N·H′·W′)
//	(C2) ∂L/∂b      = the row sums of Δ_mat
//	(C3) ∂L/∂W_mat  = Δ_mat · X_colᵀ              F×K
//	(C4) ∂L/∂X_col  = W_matᵀ · Δ_mat              K×(N·H′·W′)
//
// where Y_mat and Δ_mat are Y and δ with the image index moved next to the
// positions (F×N×H′×W′ instead of N×F×H′×W′). col2im then adds each entry
// of ∂L/∂X_col to the pixel it was copied from: a pixel lies in up to k²
// patches, and adding them up is exactly C4's sum over the windows that
// cover it. Conv2d runs this form (conv.go, im2col.go) on tensor.Gemm, the
// packed product that Linear uses, and tests check it against the loops
// of conv_naive.go to 1e-12. Forward takes the products image by image:
// image n of Y (N×F×H′×W′) is already an F×(H′·W′) matrix, W_mat times
// image n's block of X_col, so Y_mat is never built by a transposing copy,
// and X_col is built one image's block at a time, so that the block stays
// in the cache between the copy and the product. Backward takes a few
// images per product (their blocks of Δ_mat copied side by side), which
// the cores share with less waiting. Copying costs memory, k² times the
// input for stride 1, and time, one pass each way; the products do 2·F·K·N·H′·W′ flops each, for the
// homework's 28×28 images and 32 3×3 filters with padding 1 on a batch of
// 64, 29 MFLOP for the forward product. A Linear layer from the 784
// pixels to 32·28·28 outputs would need 19.7 million weights; the
// convolution has 32·9 + 32 = 320.
//
// # Pooling
//
// Pooling shrinks each channel by summarising k×k windows taken every s
// pixels (usually k = s = 2, halving H and W), with C0's sizes for p = 0.
// Max pooling keeps the largest value of each window:
//
//	(P1) Y[n,c,i,j] = max_{u,v} X[n,c, s·i+u, s·j+v]
//	(P2) ∂L/∂X[n,c, s·i+u*, s·j+v*] += δ[n,c,i,j],   (u*, v*) the window's argmax
//
// The maximum's slope is 1 for the entry that is the maximum and 0 for the
// others, so P2 routes each output's gradient to where its maximum was, and
// every other input gets nothing (as a ReLU that is off). Windows overlap
// when s < k, and an input that is the maximum of several windows collects
// all their gradients (the +=). On a tie the maximum has no derivative;
// like PyTorch, MaxPool2d takes the first maximum in row-major order in the
// window (top row first, left to right) and gives it the whole gradient.
// Forward remembers each argmax, so Backward is one pass over δ.
//
// Average pooling is linear:
//
//	(A1) Y[n,c,i,j] = (1/k²) Σ_u Σ_v X[n,c, s·i+u, s·j+v]
//	(A2) ∂L/∂X[n,c, s·i+u, s·j+v] += δ[n,c,i,j] / k²   for every tap (u, v)
//	(A3) global: Y[n,c] = (1/(H·W)) Σ_r Σ_q X[n,c,r,q],   ∂L/∂X[n,c,r,q] = δ[n,c]/(H·W)
//
// GlobalAvgPool2d (A3) is one window the size of the image: whatever H and
// W, each channel becomes one number, which lets a network end with
// Flatten and a Linear layer from C features.
//
// # Batch normalisation of feature maps
//
// BatchNorm2d normalises each channel: the C-th feature of a convolutional
// layer is the same filter's response at every position of every image,
// so its statistics are taken over all of them. It is BN1–BN9 above with
// the samples xₙ of one feature replaced by the M = N·H·W values
// X[n,c,r,q] of one channel, and B by M:
//
//	μ_c  = (1/M) Σ_n Σ_r Σ_q X[n,c,r,q],   σ²_c = (1/M) Σ (X[n,c,r,q] − μ_c)²
//	∂L/∂X[n,c,r,q] = (s_c/M) (M ĝ − Σ ĝ − x̂ Σ ĝ x̂),   sums over n, r, q
//
// with one γ and one β per channel (PyTorch's weight and bias, shape [C]),
// running averages updated with momentum 0.1 and the unbiased M/(M − 1),
// and evaluation mode as in BN9. Training needs M ≥ 2, which a single
// image of more than one pixel already gives.
//
// # Initialisation and activations
//
// A Linear layer's output zⱼ = Σₖ Wⱼₖ aₖ sums d = in terms. With independent
// zero-mean weights of variance s², Var zⱼ = d s² E[aₖ²], where a = f(z) is
// the previous layer's activation. Keeping the signal's scale the same from
// layer to layer, neither exploding nor fading, asks for d s² E[a²] = Var z,
// that is s² = 1/(c·d) with c = E[a²]/Var z, and the activation decides c:
//
//   - ReLU zeroes half of a symmetric input, so c = ½ and s² = 2/in: He
//     initialisation (NewLinear with He). Use it before ReLU,
//     LeakyReLU (strictly 2/((1 + α²) in), the same for α = 0.01) and GELU,
//     which behaves like ReLU away from 0.
//   - Tanh is the identity near 0 (slope 1), so c ≈ 1 and s² = 1/in;
//     Xavier's 2/(in + out) is the compromise that also keeps the gradients'
//     scale in the backward pass, where the sum runs over out. Use Xavier
//     before tanh, and for a last layer that outputs logits.
//   - Sigmoid's slope at 0 is 1/4 and its output is centred at ½, not 0; no
//     scale makes it behave like the identity. Xavier is the usual choice
//     (Glorot & Bengio's analysis was for tanh-like units); prefer tanh or
//     ReLU in hidden layers.
//   - With BatchNorm1d after a Linear layer, the scale of W hardly matters:
//     batch norm rescales each unit to unit variance whatever W's scale.
//
// He before tanh makes the units start in saturation (Var z ≈ 2, so many
// |z| > 1.5, slope < 0.2) and slows training; Xavier before ReLU halves the
// variance at every layer, which in a deep network makes the last layers'
// inputs vanish.
//
// # Writing your own layer
//
// A layer is any type with Forward, Backward and Params (the Layer
// interface); Example_customLayer (in layers/example_custom_test.go) writes
// Swish, y = x·σ(x), in thirty lines.
// Keep its output and gradient buffers with Resize so that training
// allocates nothing, check it with package gradcheck (Options.Richardson for
// a smooth function), implement Trainable if it behaves differently in
// training, and register it (modelfile.Register) so that networks using
// it can be saved and loaded. Sequential prints a layer without a String method by its type
// name.
//
// modelfile.Register runs in the program that calls it, so every program
// that loads a model with your layer must register it too. Put the layer and its
// Register call (in an init function) in a package of its own and import it
// wherever models are loaded; for the homework, importing it from
// examples/internal/homework, which every part imports, lets parts b and
// l–o load the model part k trained with it.
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
// A training loop may go faster than Backward followed by SGD.Step: the
// first layer's ∂L/∂A (the gradient with respect to the data, a quarter of
// the homework's training step) is of no use to SGD, and with plain SGD the
// gradient of W is needed only for the step. train.Run skips the one and
// takes the other during the backward pass, W ← W − lr·Δᵀ A as one product
// into W, with the same bits; that machinery is in train, not here.
//
// # Training and evaluation mode
//
// Some layers (Dropout, BatchNorm1d) behave differently when training and when
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
// Saving and loading live in package modelfile, as torch.save sits apart
// from torch.nn: modelfile.Save writes a model as a safetensors file under
// PyTorch's state_dict names ("0.weight", "0.bias", …), modelfile.Load
// rebuilds it, and modelfile.Register makes a layer of your own savable.
// A Dropout loaded from a file has no random generator; give it one with
// SetRand before training it further.
//
// This package sits on tensor and imports nothing else of the module;
// nothing that trains or stores is below it.
package layers
