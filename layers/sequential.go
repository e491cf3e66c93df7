package layers

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"

	"github.com/backprop-go/backprop/tensor"
)

// Sequential chains layers: Forward runs them first to last, Backward last to
// first, each feeding its output to the next.
//
// A Sequential is not safe for concurrent use: Forward and Backward write
// into buffers its layers own. To predict from several goroutines with one
// trained model use train.Predict or train.Evaluate, which take turns.
type Sequential struct {
	layers     []Layer
	params     []*Param // built once by NewSequential, names prefixed by layer index
	first      []int    // layer i's parameters are params[first[i]:first[i+1]]
	shared     bool     // some tensor is the Value or Grad of two Params
	evaluating bool     // false, the zero value, is training mode
}

// NewSequential returns a network that applies ls in order. Each layer
// keeps what its last Forward needs for Backward, so a layer value must
// appear only once; two uses need two layers (which may share Params).
//
// Its parameter list is built here, once: each layer's parameters appear with
// the layer's index prefixed to their name ("0.weight", "0.bias",
// "2.weight", …, the keys of PyTorch's nn.Sequential state_dict). The
// Params share their Value and Grad tensors with the layers, so an optimiser
// stepping them updates the layers.
func NewSequential(ls ...Layer) *Sequential {
	s := &Sequential{layers: append([]Layer(nil), ls...)}
	seen := make(map[*tensor.Tensor]bool)
	for i, l := range ls {
		if l == nil {
			panic(fmt.Sprintf("layers: NewSequential: layer %d is nil", i))
		}
		s.first = append(s.first, len(s.params))
		for _, p := range l.Params() {
			s.params = append(s.params, &Param{Name: fmt.Sprintf("%d.%s", i, p.Name), Value: p.Value, Grad: p.Grad})
			s.shared = s.shared || seen[p.Value] || seen[p.Grad]
			seen[p.Value], seen[p.Grad] = true, true
		}
	}
	s.first = append(s.first, len(s.params))
	return s
}

// NewMLP returns a multi-layer perceptron with a Linear layer between each
// pair of consecutive sizes and a ReLU after every Linear layer but the last:
// sizes {784, 128, 10} gives Linear(784→128), ReLU, Linear(128→10). The last
// layer outputs logits for a softmax loss.
func NewMLP(sizes []int, init Init, rng *rand.Rand) *Sequential {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("layers: NewMLP: need at least an input and an output size, have %v", sizes))
	}
	var ls []Layer
	for i := 0; i+1 < len(sizes); i++ {
		if i > 0 {
			ls = append(ls, NewReLU())
		}
		ls = append(ls, NewLinear(sizes[i], sizes[i+1], init, rng))
	}
	return NewSequential(ls...)
}

// Forward runs x through every layer and returns the last layer's output.
// That tensor belongs to the last layer: the next Forward overwrites it (and
// reshapes it for another batch size), so Clone it if you need it after.
func (s *Sequential) Forward(x *tensor.Tensor) *tensor.Tensor {
	for _, l := range s.layers {
		x = l.Forward(x)
	}
	return x
}

// Backward takes ∂L/∂output, runs every layer's Backward from last to first
// (accumulating parameter gradients) and returns ∂L/∂input.
func (s *Sequential) Backward(dout *tensor.Tensor) *tensor.Tensor {
	for i := len(s.layers) - 1; i >= 0; i-- {
		dout = s.layers[i].Backward(dout)
	}
	return dout
}

// BackwardParams is Backward for training: it fills every parameter
// gradient but skips ∂L/∂input of the first layer when that layer can
// (implements ParamBackwarder), since the gradient with respect to the data
// is of no use to SGD. Gradient checks, which test ∂L/∂input too, use
// Backward.
func (s *Sequential) BackwardParams(dout *tensor.Tensor) {
	for i := len(s.layers) - 1; i > 0; i-- {
		dout = s.layers[i].Backward(dout)
	}
	if len(s.layers) == 0 {
		return
	}
	if pb, ok := s.layers[0].(ParamBackwarder); ok {
		pb.BackwardParams(dout)
	} else {
		s.layers[0].Backward(dout)
	}
}

// Tied reports whether two of the network's parameters share a tensor
// (tied weights, such as one Linear layer used twice). Such a parameter's
// gradient is complete only when the whole backward pass is done, which is
// why BackwardSGD then steps after it rather than layer by layer.
func (s *Sequential) Tied() bool { return s.shared }

// BackwardSGD is Backward, or BackwardParams when input is false, followed
// by a plain SGD step on every parameter, with the same bits (see
// SGDBackwarder): the gradients must be zero beforehand, as SGD.Step
// leaves them. Each layer steps as soon as its backward pass is done, by
// its own BackwardSGD when it has one (Linear: no gradient is stored at
// all), else by Backward and SGD.Step on its parameters. A network in
// which two layers share a parameter runs Backward and then one SGD.Step,
// since that parameter's gradient is complete only at the end.
func (s *Sequential) BackwardSGD(dout *tensor.Tensor, lr float64, input bool) *tensor.Tensor {
	sgd := SGD{LR: lr}
	if s.shared {
		if input {
			dout = s.Backward(dout)
		} else {
			s.BackwardParams(dout)
			dout = nil
		}
		sgd.Step(s.params)
		return dout
	}
	for i := len(s.layers) - 1; i >= 0; i-- {
		in := input || i > 0
		switch l := s.layers[i].(type) {
		case SGDBackwarder:
			dout = l.BackwardSGD(dout, lr, in)
		case ParamBackwarder:
			if in {
				dout = s.layers[i].Backward(dout)
			} else {
				l.BackwardParams(dout)
				dout = nil
			}
			sgd.Step(s.params[s.first[i]:s.first[i+1]])
		default:
			dout = s.layers[i].Backward(dout)
			sgd.Step(s.params[s.first[i]:s.first[i+1]])
		}
	}
	return dout
}

// Params returns all parameters, first layer first, named "<index>.<name>".
// The slice is shared: do not modify it.
func (s *Sequential) Params() []*Param { return s.params }

// Buffers returns the Buffers of every layer that has them (implements
// Buffered), first layer first, named "<index>.<name>" like Params
// ("1.running_mean"). Sequential implements Buffered, so nested networks
// report theirs. The slice is new on every call.
func (s *Sequential) Buffers() []*Buffer {
	var bs []*Buffer
	for i, l := range s.layers {
		if b, ok := l.(Buffered); ok {
			for _, t := range b.Buffers() {
				bs = append(bs, &Buffer{Name: fmt.Sprintf("%d.%s", i, t.Name), Value: t.Value})
			}
		}
	}
	return bs
}

// Layers returns the layers in order. The slice is shared: do not modify it.
func (s *Sequential) Layers() []Layer { return s.layers }

// SetTraining switches every layer that implements Trainable between
// training and evaluation behaviour. Sequential itself implements Trainable,
// so nested Sequentials are switched too.
func (s *Sequential) SetTraining(training bool) {
	s.evaluating = !training
	for _, l := range s.layers {
		if t, ok := l.(Trainable); ok {
			t.SetTraining(training)
		}
	}
}

// Training reports whether the network is in training mode (the mode a new
// Sequential starts in) rather than evaluation mode, as last set by
// SetTraining. Code that evaluates in the middle of training restores it:
//
//	defer model.SetTraining(model.Training())
//	model.SetTraining(false)
func (s *Sequential) Training() bool { return !s.evaluating }

// String lists the layers, e.g. "Sequential(Linear(784→128), ReLU, Linear(128→10))".
// A layer with a String method is printed by it, any other (a layer of your
// own) by its type name, such as "Swish".
func (s *Sequential) String() string {
	parts := make([]string, len(s.layers))
	for i, l := range s.layers {
		parts[i] = layerName(l)
	}
	return "Sequential(" + strings.Join(parts, ", ") + ")"
}

// layerName returns l's String() if it has one, else the name of its type
// without package or pointer ("Swish" for a *main.Swish), which is more
// useful in a listing than the struct's fields that fmt would print.
func layerName(l Layer) string {
	if s, ok := l.(fmt.Stringer); ok {
		return s.String()
	}
	t := reflect.TypeOf(l)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return t.String()
	}
	return t.Name()
}
