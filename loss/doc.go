// Package loss implements the softmax cross-entropy loss of a classifier
// (optionally with label smoothing), its gradient, the error rate, and,
// for comparison, the mean squared error.
//
// # Softmax cross-entropy
//
// The network's last layer outputs a vector of logits z ∈ ℝᶜ, one per
// class. Softmax turns them into probabilities and cross-entropy scores the
// probability given to the true class y:
//
//	pⱼ = exp(zⱼ) / Σₖ exp(zₖ),     L = −log p_y.
//
// Substituting p into L gives
//
//	L = log Σₖ exp(zₖ) − z_y,
//
// and differentiating, with ∂/∂zⱼ log Σₖ exp(zₖ) = exp(zⱼ)/Σₖ exp(zₖ) = pⱼ,
//
//	∂L/∂zⱼ = pⱼ − 1[j = y],   that is   δ = ∂L/∂z = p − y,
//
// with y written as a one-hot vector. The gradient is the gap between what
// the network predicted and what it should have predicted. For a batch, the
// loss is the mean over B samples, L = (1/B) Σₙ Lₙ, so with P and Y the B×C
// matrices of probabilities and one-hot labels,
//
//	∂L/∂Z = (P − Y) / B.
//
// That is the Δ that Backward hands to the last Linear layer.
//
// The same result follows by chaining the two stages separately, which the
// stand-alone Softmax and CrossEntropy types let you check numerically:
// ∂L/∂pⱼ = −yⱼ/pⱼ, and the softmax Jacobian is ∂pⱼ/∂zₖ = pⱼ(1[j = k] − pₖ),
// so ∂L/∂zₖ = Σⱼ (−yⱼ/pⱼ) pⱼ (1[j = k] − pₖ) = −yₖ + pₖ Σⱼ yⱼ = pₖ − yₖ.
//
// # Label smoothing
//
// A one-hot target asks for p_y → 1, which softmax only reaches as the
// logit gap z_y − zⱼ → ∞: the loss keeps pushing the logits of images it
// already classifies correctly further apart, and the network grows
// over-confident. Label smoothing (Szegedy et al. 2016) trains against a
// softened target instead. With weight α (0.1 is usual) and C classes,
//
//	qⱼ = (1 − α)·1[j = y] + α/C,
//
// a distribution (Σⱼ qⱼ = 1) that gives the true class 1 − α + α/C and every
// other class α/C. The loss is the cross-entropy against q:
//
//	(LS1) L = −Σⱼ qⱼ log pⱼ = −Σⱼ qⱼ (zⱼ − lse) = lse − (1 − α) z_y − (α/C) Σⱼ zⱼ,
//
// using log pⱼ = zⱼ − lse with lse = log Σₖ exp(zₖ) and Σⱼ qⱼ = 1. Its
// gradient follows exactly as before, since ∂lse/∂zⱼ = pⱼ:
//
//	(LS2) ∂L/∂zⱼ = pⱼ − qⱼ,    for a batch  ∂L/∂Z = (P − Q)/B.
//
// The gradient vanishes at p = q, so the optimum logits are finite: the
// true class's logit exceeds the others by log((1 − α + α/C)/(α/C)), about
// 4.5 for α = 0.1 and C = 10. LS1 still uses log-sum-exp and never log p.
// With α > 0 the smallest possible loss is the entropy of q (0.50 for
// α = 0.1, C = 10), not 0, so compare losses only at the same α; the error
// rate is unaffected. SoftmaxCrossEntropy.Smoothing sets α; it matches
// PyTorch's CrossEntropyLoss(label_smoothing=α).
//
// # Mean squared error
//
// Why cross-entropy, and not the squared distance between the prediction
// and the one-hot label? MSE answers by experiment. With p = softmax(z) as
// above and y one-hot,
//
//	(MSE1) L = (1/B) Σₙ ‖pₙ − yₙ‖² = (1/B) Σₙ Σⱼ (pₙⱼ − yₙⱼ)².
//
// For one sample, ∂L/∂pⱼ = 2(pⱼ − yⱼ)/B =: gⱼ, and through the softmax
// Jacobian ∂pⱼ/∂zₖ = pⱼ(1[j = k] − pₖ),
//
//	(MSE2) ∂L/∂zₖ = Σⱼ gⱼ pⱼ (1[j = k] − pₖ) = pₖ (gₖ − Σⱼ gⱼ pⱼ).
//
// Every component carries a factor pₖ. When the network is confidently
// wrong, p_y ≈ 0, so the true class's logit gets almost no push, where
// cross-entropy's gradient p_y − 1 ≈ −1 is as large as it can be: the
// gradient vanishes exactly on the samples the network most needs to learn
// from. For logits (0, 5, 0) and label 0, cross-entropy gives ∂L/∂z₀ =
// −0.993 and MSE −0.026 (ExampleMSE). The loss of one sample is also
// bounded by 2, so a confident mistake costs little more than a doubtful
// one. Training the homework's network with Config.Loss = &MSE{} (package
// train) shows the effect on the curves. MSE divides by B only, like the
// cross-entropy, so the two losses' gradients are on the same scale
// (PyTorch's MSELoss also divides by the number of classes).
//
// # Why log-sum-exp
//
// Computed literally, softmax breaks on large logits: exp(1000) overflows to
// +Inf and Inf/Inf is NaN, while exp(−1000) underflows to 0 and −log 0 is
// +Inf. Since softmax(z) = softmax(z − m) for any constant m, the code
// subtracts the row maximum m first:
//
//	log Σₖ exp(zₖ) = m + log Σₖ exp(zₖ − m).
//
// Every exponent is now ≤ 0, so nothing overflows, and the largest term is
// exp(0) = 1, so the sum lies in [1, C] and its log is finite. The loss is
// then computed as log-sum-exp minus z_y, never as −log p_y: when the true
// class is far behind (logits 1e4 apart), p_y underflows to 0 but
// log-sum-exp − z_y is the finite, correct 2e4. And it is computed as
// log Σₖ exp(zₖ − m) − (z_y − m), without adding m back first: for logits
// near 1e16, m + log 2 rounds to m and equal logits would cost 0, not log C.
//
// # Buffers
//
// SoftmaxCrossEntropy keeps its probabilities, per-sample losses and
// gradient between calls and reuses them, so a training loop allocates
// nothing. Losses gives the per-sample losses of the last batch: the samples
// with the largest loss are the ones the model finds most surprising, often
// mislabelled or ambiguous images.
package loss
