// Package fused hands packages train and layers the speed-only operations
// of the teaching packages they need, so that those export none: the plain
// SGD step of a Linear layer's weights taken as one product into W,
// without storing the gradient, and how tensor's products cut their sums
// (tensor); the softmax cross-entropy gradient of some rows of a batch cut
// into parts (loss); and a layer's parameter gradients without its input
// gradient, layers' passes shared between the cores, and a BatchNorm2d,
// ReLU and MaxPool2d run as one block (layers). Each package fills in its
// variables when it is initialised; a package that imports it, directly
// or not, may call them.
//
// It sits below tensor and imports nothing: its variables take raw
// row-major slices (or, for layers, values of type any), because tensor,
// loss and layers, which set them, cannot import a package that imports
// them.
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

// SoftmaxCEGrad writes the rows of loss.SoftmaxCrossEntropy's gradient
// (P − Q)·inv for the probabilities probs (rows of classes values) and
// their labels into grad, with label smoothing α = smoothing. With inv =
// 1/B for a batch of B rows of which these are some, they are exactly
// those rows of the whole batch's gradient: a step that cuts its batch
// between cores gets the bits of the uncut step.
var SoftmaxCEGrad func(grad, probs []float64, labels []int, classes int, smoothing, inv float64)

// ParamGradients adds to the gradients of layer's parameters what
// layer.Backward(dy) would add, without computing the gradient with
// respect to layer's input, and reports whether it did: it does for a
// *layers.Conv2d (dy a *tensor.Tensor, after a Forward), the only layer
// whose Backward has such a shortcut, and returns false for any other. A
// network's first layer with parameters needs no input gradient: its input
// is the data, or comes from layers without parameters.
var ParamGradients func(layer, dy any) bool

// KBlock returns the length of the k-blocks into which tensor.Gemm cuts
// the inner dimension k of a product: it sums each element over one
// block in order, then adds the blocks' sums into C one after another,
// each with one more rounding. A caller that wants the bits of several
// products added into one C from one product over their inner dimensions
// side by side checks with it that the blocks fall on the same borders
// (layers' Conv2d does, for ∂L/∂W over several images).
var KBlock func(k int) int

// Forward and Backward run layer.Forward(x) or layer.Backward(dy), with
// their bits, with the work shared between the cores, and report whether
// they did: they do for a *layers.ReLU and a *layers.MaxPool2d (x and dy
// *tensor.Tensor; the result too), whose own methods run on one core
// because the course kit hands their code to students as it is, and
// return false for any other layer.
var Forward, Backward func(layer, x any) (any, bool)

// Block is a BatchNorm2d, the ReLU after it and the MaxPool2d after that
// run as one pass in each direction, with the bits of the three layers
// run one after the other (see NewBlock).
type Block interface {
	// Forward returns the MaxPool2d's output for the BatchNorm2d's
	// input x (both *tensor.Tensor).
	Forward(x any) any
	// Backward takes ∂L/∂Y of the MaxPool2d's output, adds the
	// BatchNorm2d's parameter gradients and returns ∂L/∂X of its input,
	// after this Block's Forward.
	Backward(dy any) any
}

// NewBlock returns the three layers bn, relu and pool as a Block if they
// are a *layers.BatchNorm2d, a *layers.ReLU and a *layers.MaxPool2d, and
// nil otherwise. Its passes go over each channel once, image plane by
// image plane, with the work shared between the cores by channels: the
// normalised plane, its ReLU and its pooling, then on the way back the
// plane's gradient, are made and used while the plane is in the cache,
// instead of three passes over the whole batch each way. The layers'
// own output and input-gradient buffers between the three are not
// written (only the BatchNorm2d's x̂ and statistics and the MaxPool2d's
// output and maxima), so a step uses a Block for both of its passes or
// for neither.
var NewBlock func(bn, relu, pool any) Block
