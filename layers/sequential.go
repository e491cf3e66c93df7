package layers

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
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
	inShapes   [][]int  // the shape of each layer's input in the last Forward
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
	s := &Sequential{layers: append([]Layer(nil), ls...), inShapes: make([][]int, len(ls))}
	for i, l := range ls {
		if l == nil {
			panic(fmt.Sprintf("layers: NewSequential: layer %d is nil", i))
		}
		for _, p := range l.Params() {
			s.params = append(s.params, &Param{Name: fmt.Sprintf("%d.%s", i, p.Name), Value: p.Value, Grad: p.Grad})
		}
	}
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
//
// A layer that panics (most often on an input of the wrong shape) panics
// again with its position and type named, and the layer whose output it
// was given.
func (s *Sequential) Forward(x *tensor.Tensor) *tensor.Tensor {
	i := 0
	defer s.explain("Forward", &i)
	for ; i < len(s.layers); i++ {
		if x != nil {
			s.inShapes[i] = append(s.inShapes[i][:0], x.Shape...)
		}
		x = s.layers[i].Forward(x)
	}
	return x
}

// Backward takes ∂L/∂output, runs every layer's Backward from last to first
// (accumulating parameter gradients) and returns ∂L/∂input.
//
// The gradient a layer returns, ∂L/∂(its input), must have the shape of
// that input: Backward checks it after every layer and panics, naming the
// layer that returned the wrong shape, instead of letting the layer before
// it fail on a gradient it did not make.
func (s *Sequential) Backward(dout *tensor.Tensor) *tensor.Tensor {
	i := len(s.layers) - 1
	defer s.explain("Backward", &i)
	for ; i >= 0; i-- {
		dout = s.layers[i].Backward(dout)
		if want := s.inShapes[i]; want != nil && (dout == nil || !slices.Equal(dout.Shape, want)) {
			var shape []int
			if dout != nil {
				shape = dout.Shape
			}
			panic(&shapeError{fmt.Sprintf("layers: Sequential.Backward: layer %d (%s) returned a gradient of shape %v with respect to its input, want %v, the shape of that input%s",
				i, layerType(s.layers[i]), shape, want, s.inputName(i))})
		}
	}
	return dout
}

// shapeError is the panic value of Backward's shape check, which explain
// passes on as it is.
type shapeError struct{ msg string }

func (e *shapeError) String() string { return e.msg }

// inputName says what the input of layer i is: the output of layer i−1,
// or, for the first layer, the network's input.
func (s *Sequential) inputName(i int) string {
	if i == 0 {
		return " (the network's input)"
	}
	return fmt.Sprintf(" (the output of layer %d, %s)", i-1, layerType(s.layers[i-1]))
}

// explain, deferred by Forward and Backward, catches a layer's panic and
// panics again with the layer named: its index *at, its type, and where
// its argument came from. The new panic happens while the layer's frames
// are still on the stack, so the trace still shows where the layer
// failed.
func (s *Sequential) explain(op string, at *int) {
	r := recover()
	if r == nil {
		return
	}
	if e, ok := r.(*shapeError); ok {
		panic(e.msg)
	}
	i := *at
	if i < 0 || i >= len(s.layers) {
		panic(r)
	}
	from := s.inputName(i)
	if op == "Backward" {
		from = " (the network's output gradient)"
		if i+1 < len(s.layers) {
			from = fmt.Sprintf(" (returned by layer %d, %s)", i+1, layerType(s.layers[i+1]))
		}
		panic(fmt.Sprintf("layers: Sequential.Backward: layer %d (%s) failed on the gradient with respect to its output%s: %v", i, layerType(s.layers[i]), from, r))
	}
	panic(fmt.Sprintf("layers: Sequential.Forward: layer %d (%s) failed on its input%s: %v", i, layerType(s.layers[i]), from, r))
}

// layerType names a layer for a message: its description and its Go type,
// such as "Linear(784→128), *layers.Linear" or "*main.Swish".
func layerType(l Layer) string {
	t := fmt.Sprintf("%T", l)
	if st, ok := l.(fmt.Stringer); ok {
		return st.String() + ", " + t
	}
	return t
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
