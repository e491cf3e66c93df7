package train

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// FlipAveraged wraps a model trained with horizontal flips
// (data.Augment.FlipH) for test-time augmentation: its Forward runs the
// model on each image and on its left-right mirror, averages the two
// softmax distributions, p̄ = (softmax(z) + softmax(z′))/2, and returns
// log p̄ as the logits. Since softmax(log p̄) = p̄, Evaluate and Predict on
// the wrapper report the loss, error and classes of the averaged prediction:
//
//	_, errRate := train.Evaluate(train.FlipAveraged(model, 28, 28), test, 0)
//
// It is for evaluation only (Backward panics); SetTraining, Training and
// Params are the wrapped model's. Images are rows of width·height values,
// row-major. Like a layer, it keeps its buffers between calls.
func FlipAveraged(model Model, width, height int) Model {
	if width <= 0 || height <= 0 {
		panic(fmt.Sprintf("train: FlipAveraged: image size %d×%d", width, height))
	}
	return &flipAveraged{Model: model, w: width, h: height}
}

type flipAveraged struct {
	Model
	w, h    int
	flipped *tensor.Tensor // the mirrored batch
	p       *tensor.Tensor // log p of the batch, then log p̄, returned by Forward
	q       *tensor.Tensor // log q of the mirrored batch
	inf     *inference     // the model's forward passes
}

// Forward returns log((softmax(model(x)) + softmax(model(mirror(x))))/2).
func (f *flipAveraged) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x == nil || x.Dims() != 2 || x.Cols() != f.w*f.h {
		var shape []int
		if x != nil {
			shape = x.Shape
		}
		panic(fmt.Sprintf("train: FlipAveraged.Forward: input has shape %v, want [batch %d] for %d×%d images", shape, f.w*f.h, f.w, f.h))
	}
	n := x.Rows()
	f.flipped = layers.Resize(f.flipped, n, f.w*f.h)
	for i := 0; i < n*f.h; i++ { // every image row of every sample
		src, dst := x.Data[i*f.w:(i+1)*f.w], f.flipped.Data[i*f.w:(i+1)*f.w]
		for u := range dst {
			dst[u] = src[f.w-1-u]
		}
	}
	// log p of both passes (z belongs to the model, so keep log p now),
	// then log((p + q)/2) from them, as log(eᵃ + eᵇ) = max + log1p(e^−|a−b|):
	// no probability is exponentiated to 0 and back to log 0 = −Inf.
	if f.inf == nil {
		f.inf = newInference(f.Model, false)
	}
	f.p = loss.LogSoftmax(f.p, f.inf.forward(x))
	f.q = loss.LogSoftmax(f.q, f.inf.forward(f.flipped))
	for j, b := range f.q.Data {
		a := f.p.Data[j]
		f.p.Data[j] = max(a, b) + math.Log1p(math.Exp(-math.Abs(a-b))) - math.Ln2
	}
	return f.p
}

// Backward panics: FlipAveraged is for evaluation only.
func (f *flipAveraged) Backward(*tensor.Tensor) *tensor.Tensor {
	panic("train: FlipAveraged is for evaluation only; train the model itself")
}

// String describes the wrapper, e.g. "FlipAveraged(Sequential(…))".
func (f *flipAveraged) String() string { return fmt.Sprintf("FlipAveraged(%v)", f.Model) }
