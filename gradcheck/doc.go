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
// about u·|L|/ε. ε = 1e-4 balances the two: about 1e-8·|L‴| of truncation and
// 1e-12·|L| of rounding, far below the size of a real mistake. When L is
// built from Linear and ReLU layers and the linear projection below, it is
// piecewise linear in each entry and the truncation error vanishes entirely,
// unless θ ± ε crosses a ReLU kink; there the numeric derivative mixes two
// slopes, so keep inputs away from 0 when checking ReLU.
//
// # Smooth functions: Richardson extrapolation
//
// For smooth layers (tanh, sigmoid, GELU, batch norm) the truncation term
// ε²/6·L‴ is real. It is about 1e-9·|L‴|, harmless where the gradient is
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
// A Report gives the worst entry per tensor (the input, then each parameter
// by name) with its position and both values, so a failing check says where
// to look, for example "bias" for a Linear layer that forgot its bias
// gradient.
package gradcheck
