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
// MaxPool2d run on one core, and a CNN's evaluation took about a fifth
// of the time of examples/cnn's training run.
//
// The first batch goes through model.Forward all the same, so that a
// model that does not fit the data fails with the Sequential's message,
// which names the layer.
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
	f.blocks = make([]fused.Block, len(f.seq))
	for i := 0; i+2 < len(f.seq); i++ {
		f.blocks[i] = fused.NewBlock(f.seq[i], f.seq[i+1], f.seq[i+2])
	}
	return f
}

// forward returns the model's output for x.
func (f *inference) forward(x *tensor.Tensor) *tensor.Tensor {
	if f.seq == nil || !f.tried {
		f.tried = true
		return f.model.Forward(x)
	}
	for i := 0; i < len(f.seq); i++ {
		if b := f.blocks[i]; b != nil {
			x = b.Forward(x).(*tensor.Tensor)
			i += 2
			continue
		}
		x = layerForward(f.seq[i], x)
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
