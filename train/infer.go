package train

import (
	"reflect"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// inference runs a model's forward passes for Evaluate, Predict and
// FlipAveraged, with the bits of model.Forward but, for a Sequential of
// this library's layers, with the work shared between the cores as Run's
// steps share it (stepper): the ReLU and MaxPool2d layers cut into
// elements and image planes, and each BatchNorm2d–ReLU–MaxPool2d as one
// block (fused.Block). Run one by one through model.Forward, ReLU and
// MaxPool2d run on one core; BenchmarkEvaluateCNN times both ways.
//
// The first batch goes through model.Forward all the same, so that a
// model that does not fit the data fails with the Sequential's message,
// which names the layer. The blocks keep two scratch planes per
// channel (0.6 MB for examples/cnn's network), so Run keeps one inference
// per set it evaluates; Evaluate and Predict make one per call, and a
// FlipAveraged wrapper one for its life.
type inference struct {
	model  layers.Layer
	seq    []layers.Layer // the model's layers, or nil to use model.Forward
	blocks []fused.Block  // at a BatchNorm2d followed by ReLU and MaxPool2d, the three as one, or nil
	tried  bool           // a batch went through model.Forward
}

// newInference returns the forward passes of model; with plain, every
// batch goes through model.Forward.
func newInference(model layers.Layer, plain bool) *inference {
	f := &inference{model: model}
	if plain {
		return f
	}
	f.seq = ownLayers(model)
	f.blocks = findBlocks(f.seq, 0)
	return f
}

// forward returns the model's output for x.
func (f *inference) forward(x *tensor.Tensor) *tensor.Tensor {
	if f.seq == nil || !f.tried {
		f.tried = true
		return f.model.Forward(x)
	}
	return forwardLayers(f.seq, f.blocks, x, nil)
}

// findBlocks returns, for each layer of seq from index from on, the
// BatchNorm2d–ReLU–MaxPool2d block that starts there, or nil.
func findBlocks(seq []layers.Layer, from int) []fused.Block {
	blocks := make([]fused.Block, len(seq))
	for i := from; i+2 < len(seq); i++ {
		blocks[i] = fused.NewBlock(seq[i], seq[i+1], seq[i+2])
	}
	return blocks
}

// forwardLayers runs the layers of seq on x, those of each block in
// blocks (nil: none) as one, the others through layerForward, and keeps
// each layer's input in ins if ins is not nil (of a block, its first
// layer's only).
func forwardLayers(seq []layers.Layer, blocks []fused.Block, x *tensor.Tensor, ins []*tensor.Tensor) *tensor.Tensor {
	for i := 0; i < len(seq); i++ {
		if ins != nil {
			ins[i] = x
		}
		if blocks != nil && blocks[i] != nil {
			x = blocks[i].Forward(x).(*tensor.Tensor)
			if ins != nil {
				ins[i+1], ins[i+2] = nil, nil // not kept: no Linear layer
			}
			i += 2
			continue
		}
		x = layerForward(seq[i], x)
	}
	return x
}

// ownLayers returns the layers of model if it is a *layers.Sequential
// whose layers are all this library's, and nil otherwise: a layer of your
// own goes through Sequential's Forward and Backward, which name it when
// its shapes are wrong.
func ownLayers(model layers.Layer) []layers.Layer {
	seq, ok := model.(*layers.Sequential)
	if !ok {
		return nil
	}
	const lib = "github.com/backprop-go/backprop/layers"
	for _, l := range seq.Layers() {
		if t := reflect.TypeOf(l); t.Kind() != reflect.Pointer || t.Elem().PkgPath() != lib {
			return nil
		}
	}
	return seq.Layers()
}
