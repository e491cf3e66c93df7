// Package gradcheck verifies backward passes against numerical derivatives,
// the standard way to find bugs in hand-written backpropagation. It works on
// any layers.Layer, including your own, and on any scalar function.
//
// # Central differences
//
// For a scalar function L of a parameter θ, Taylor expansion gives
//
//	L(θ ± ε) = L(θ) ± ε L′(θ) + ε²/2 L″(θ) ± ε³/6 L‴(θ) + …
//
// Subtracting the two, the even terms cancel:
//
//	(L(θ+ε) − L(θ−ε)) / 2ε = L′(θ) + ε²/6 L‴(θ) + O(ε⁴),
//
// an error of order ε² (the one-sided (L(θ+ε) − L(θ))/ε is only of order ε).
// ε cannot be tiny, though: L itself carries a rounding error of about
// u·|L| with u ≈ 1.1e-16 for float64, which the division by 2ε magnifies to
// about u·|L|/ε. At ε = 1e-4 that is ε²/6 ≈ 1.7e-9·|L‴| of truncation and
// 1e-12·|L| of rounding, both far below the size of a real mistake. The two
// balance where ε³ ≈ 3u·|L|/|L‴|, near ε = 1e-5 when L‴ and L are of a size
// (part j's figure of the error against ε has its minimum there). The check
// still uses 1e-4, the homework's step: for a network of Linear and ReLU
// layers and the linear projection below, L is piecewise linear in each
// entry and the truncation error vanishes entirely, so only rounding is
// left, and a larger step makes it smaller. The exception is a step that
// crosses a ReLU kink: θ ± ε on both sides of the kink mixes two slopes, so
// keep inputs away from 0 when checking ReLU, or see Options.Kinks.
//
// # Smooth functions: Richardson extrapolation
//
// For smooth layers (tanh, sigmoid, GELU, batch norm) the truncation term
// ε²/6·L‴ is real. It is about 1.7e-9·|L‴|, harmless where the gradient is
// large, but the relative error divides it by the gradient, and where a
// gradient entry is small (1e-3, say) and L‴ is not, it reaches 1e-7: a
// correct Linear-Tanh-Linear network measures 1.5e-7 with ε = 1e-4.
// Loosening the tolerance would let real bugs through and a larger ε makes
// the truncation worse, a smaller one the rounding. Instead, Options.Richardson
// removes the ε² term. Writing D(h) for the central difference with step h,
//
//	D(ε)   = L′ + ε²/6 L‴ + ε⁴/120 L⁽⁵⁾ + …
//	D(ε/2) = L′ + ε²/24 L‴ + ε⁴/1920 L⁽⁵⁾ + …
//
// so the combination (4·D(ε/2) − D(ε))/3 = L′ − ε⁴/480 L⁽⁵⁾ + … has an error
// of order ε⁴. Only rounding is left, a little larger than before (D(ε/2)
// has twice the rounding error of D(ε) and is weighted by 4/3), and the best
// step changes: balancing ε⁴ against u/ε gives ε ≈ u^(1/5) ≈ 1e-3, so that
// is the step Richardson uses unless Options.Eps says otherwise
// (RichardsonEps). On Linear-act-Linear networks (6-8-3, five seeds) the
// worst relative error was, plain at ε = 1e-4 and Richardson at ε = 1e-3:
// tanh 6.9e-7 and 5.0e-10, sigmoid 1.1e-7 and 6.8e-10, GELU 1.3e-6 and
// 7.0e-10; Richardson at ε = 1e-4 is rounding-bound at up to 1.5e-8. It
// costs four evaluations per entry instead of two. The default stays the
// plain central difference at ε = 1e-4 (the homework's part j), which is
// exact for Linear and ReLU.
//
// Each parameter entry checked costs two forward passes, which is why this
// is a debugging tool and not how networks are trained; Options.MaxPerTensor
// samples entries of large tensors.
//
// # Checking a layer
//
// A layer outputs a matrix, not a scalar. Layer makes a scalar from it with a
// fixed random projection, L = Σ r ⊙ Y where r has the shape of the output Y
// and standard normal entries; then ∂L/∂Y = r exactly, so Backward(r) must
// return ∂L/∂X and accumulate ∂L/∂θ for every parameter. A random r (rather
// than all ones) weights every output differently, so a backward pass that
// mixes up outputs, or a transpose, cannot cancel out.
//
// # Relative error
//
// The analytic gradient a and numeric gradient n are compared by
//
//	RelErr(a, n) = |a − n| / max(|a|, |n|, Tiny).
//
// It is relative because gradients come at every scale: a difference of 1e-6
// is a bug when the gradient is 1e-6 and rounding noise when it is 1e3, and
// a relative error is the same whatever the units of the loss. Dividing by
// the larger of the two makes it symmetric and bounded by 2 (exactly 1 when
// one side is 0, as when a gradient was forgotten). Tiny only prevents 0/0
// when both vanish, as they do exactly for weights into a dead ReLU unit; it
// then reports 0. As a rule of thumb with float64 and ε = 1e-4, a correct
// gradient gives 1e-7 or less (usually around 1e-10), a wrong one 1e-2 or
// more.
//
// # Gradients that are zero
//
// Some gradients are exactly 0 in exact arithmetic without being trivially
// 0 in floating point: the bias of a Linear layer followed by batch norm in
// training mode (batch norm subtracts the batch mean, so adding a constant
// to a column changes nothing). Backward then returns a sum of terms that
// cancel, about 1e-17, and the central difference returns the difference
// of two roundings of the same L divided by 2ε, about 1e-13. Both are
// noise, and their relative error, about 1, says nothing: the numeric
// derivative is only known to within its rounding noise
//
//	δ = NoiseFactor·u·S/ε,
//
// where S is the scale of L (|L| for Func; Σ |r ⊙ Y| for Layer, since the
// terms of its sum can cancel) and NoiseFactor = 64 allows for the many
// roundings of a forward pass (in batch-norm networks the zero gradients
// measured up to 1.4·u·S/ε, 45 times less). A relative error is
// meaningful only for differences larger than δ. So an entry fails a
// check of tolerance tol only when
//
//	|a − n| > δ   and   RelErr(a, n) > tol,
//
// the mixed absolute and relative test of numpy's allclose, with the
// absolute part derived from ε and the size of L rather than chosen by
// hand. Entry.Err is RelErr, or 0 when |a − n| ≤ δ; Report.OK and Failed
// compare it with tol. This does not loosen the check for real errors: a
// difference beyond the rounding noise is judged by its relative error
// exactly as before, and a difference within it is one that the numeric
// derivative at this step cannot resolve. For a loss of about 1 at
// ε = 1e-4, δ ≈ 7e-11: a forgotten gradient of 1e-8 is still caught.
//
// # Kinks
//
// On real data some ReLU unit of a large network sits within ε of its kink
// for some sample, and every parameter upstream of it moves that unit
// across the kink: the central difference then mixes two slopes and is off
// by a fraction of the jump in slope, up to 10% in a correct
// 784-1024-512-10 network with batch norm checked on four real images.
// Options.Kinks retries such an entry at ε/10 and ε/100 and keeps the best
// result. A derivative is a limit: a correct gradient is
// approached as the step shrinks (until rounding), while a wrong one stays
// wrong at every step, so the retry cannot hide a bug.
//
// A Report gives the worst entry per tensor (the input, then each parameter
// by name) with its position and both values, so a failing check says where
// to look, for example "bias" for a Linear layer that forgot its bias
// gradient.
package gradcheck
