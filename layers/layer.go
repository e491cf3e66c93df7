package layers

import "github.com/backprop-go/backprop/tensor"

// Layer is one stage of a network: it maps a batch of inputs to a batch of
// outputs and, given ∂L/∂output, returns ∂L/∂input.
//
// Inputs and outputs are tensors whose first dimension is the batch: B×d
// for the features of a fully connected network (one sample per row),
// B×C×H×W for images with C channels of H×W pixels, the NCHW layout of
// PyTorch, and in general B followed by any number of feature dimensions,
// stored row-major (the last index varies fastest). Each layer says which
// shapes it takes: Linear a B×d matrix, Conv2d, BatchNorm2d and the
// pooling layers B×C×H×W, the element-wise
// activations and Dropout any shape; Flatten turns B×C×H×W into
// B×(C·H·W) between the two parts of a convolutional network, and
// Unflatten turns rows of pixels into images before the first. Backward's
// ∂L/∂output has the shape of the output, and it returns ∂L/∂input in the
// shape of the input.
//
// Forward keeps what Backward will need (its input, a mask, …). The tensor
// returned by Forward or Backward belongs to the layer and is overwritten by
// its next call: that is how a training step runs without allocating. Clone
// it if you must keep it.
//
// Backward adds the parameter gradients into each Param's Grad (it
// accumulates, like PyTorch); the optimiser zeroes them after each step.
type Layer interface {
	Forward(x *tensor.Tensor) *tensor.Tensor
	Backward(dout *tensor.Tensor) *tensor.Tensor
	// Params returns the layer's trainable parameters with their gradients;
	// nil for layers without any (ReLU).
	Params() []*Param
}

// Param is a trainable tensor together with the gradient of the loss with
// respect to it. Value and Grad always have the same shape.
type Param struct {
	// Name says what the parameter is, e.g. "weight" or "bias" (PyTorch's
	// names); Sequential prefixes the layer index ("0.weight"), which makes
	// the names of PyTorch's nn.Sequential state_dict, so reports can point
	// at a parameter and files can be exchanged with PyTorch.
	Name  string
	Value *tensor.Tensor // the parameter itself, θ
	Grad  *tensor.Tensor // ∂L/∂θ, added to by Backward, cleared by the optimiser's step
}

// Trainable is implemented by layers that behave differently when training
// and when evaluating (Dropout, batch norm). Sequential forwards SetTraining
// to each of its layers that implements it; layers that do not care, like
// Linear and ReLU, simply do not implement it. Adding such a layer later
// therefore changes no existing interface.
type Trainable interface {
	SetTraining(training bool)
}

// Buffer is a tensor of layer state that is not trained (it has no
// gradient, no optimiser touches it) but that the layer's output depends
// on: BatchNorm1d's running mean and variance, PyTorch's "buffers".
type Buffer struct {
	// Name says what it is, e.g. "running_mean"; Sequential prefixes the
	// layer index ("1.running_mean"), as for Params.
	Name  string
	Value *tensor.Tensor // the state itself
}

// Buffered is implemented by layers with Buffers. Code that copies a model's
// state, such as keeping the best model seen during training, must copy
// the Buffers with the Params, or a restored batch norm would normalise
// with statistics from another point of training.
type Buffered interface {
	Buffers() []*Buffer
}
