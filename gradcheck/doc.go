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
