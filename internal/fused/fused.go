// Package fused hands package train the one speed-only operation of
// package tensor it needs, so that tensor exports none: the plain SGD step
// of a Linear layer's weights taken as one product into W, without storing
// the gradient. tensor fills in GemmSGD when it is initialised; any
// package that imports tensor, directly or not, may call it.
//
// It sits below tensor and imports nothing: its variables take raw
// row-major slices, because tensor, which sets them, cannot import a
// package that imports tensor.
package fused

// GemmSGD takes a plain SGD step on W with the gradient op(A)·op(B)
// without storing that gradient: W ← W − lr·op(A)·op(B), with W m×n,
// op(A) m×k and op(B) k×n, all row-major (a is stored k×m if transA,
// b n×k if transB). A Linear layer's step is
//
//	GemmSGD(true, false, out, in, batch, lr, Δ, A, W.Grad, W.Value)
//
// It gives the same bits as computing g = op(A)·op(B) into the zero
// gradient g (m×n, left zero) and then W −= lr·g, g = 0
// (tensor.AxpyZero): the product goes straight into W, which saves the
// passes over g. The caller checks the shapes; a, b and g must not share
// memory with w.
var GemmSGD func(transA, transB bool, m, n, k int, lr float64, a, b, g, w []float64)
