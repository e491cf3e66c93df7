package layers_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/tensor"
)

// Swish is a layer written outside package layers, the way a student
// writes one: y = x·σ(x) element-wise (Ramachandran et al. 2017; PyTorch's
// nn.SiLU). By the product rule, with σ′ = σ(1 − σ),
//
//	y′ = σ(x) + x σ(x)(1 − σ(x)) = σ(x) (1 + x (1 − σ(x))).
//
// Backward needs x, so Forward keeps a reference to it; its two buffers are
// kept with layers.Resize, so training allocates nothing.
type Swish struct {
	x, y, dx *tensor.Tensor
}

// Forward returns x·σ(x) in a buffer the layer keeps.
func (s *Swish) Forward(x *tensor.Tensor) *tensor.Tensor {
	s.x = x
	s.y = layers.Resize(s.y, x.Rows(), x.Cols())
	for i, v := range x.Data {
		s.y.Data[i] = v / (1 + math.Exp(-v)) // x·σ(x)
	}
	return s.y
}

// Backward returns ∂L/∂y ⊙ y′, from the input of the last Forward.
func (s *Swish) Backward(dy *tensor.Tensor) *tensor.Tensor {
	s.dx = layers.Resize(s.dx, dy.Rows(), dy.Cols())
	for i, g := range dy.Data {
		v := s.x.Data[i]
		sig := 1 / (1 + math.Exp(-v))
		s.dx.Data[i] = g * sig * (1 + v*(1-sig)) // ∂L/∂x = ∂L/∂y · y′
	}
	return s.dx
}

// Params returns nil: Swish has nothing to train.
func (s *Swish) Params() []*layers.Param { return nil }

// Registering the type makes networks that use it savable; the name is
// PyTorch's, so Python can rebuild the layer as torch.nn.SiLU().
func init() {
	modelfile.Register("SiLU",
		func(*Swish) (modelfile.LayerState, error) { return modelfile.LayerState{}, nil },
		func(modelfile.LayerState) (*Swish, error) { return &Swish{}, nil })
}

// A complete custom layer: write it (Swish, above), check its gradient, use
// it in a network, train it, and save and load the network. Sequential
// lists the layer by its type name, as it has no String method.
func Example_customLayer() {
	rng := rand.New(rand.NewPCG(1, 1))

	// 1. The gradient check. Swish is smooth, so use the Richardson
	// difference (see package gradcheck).
	x := tensor.RandNormal(rng, 0, 2, 4, 5)
	rep := gradcheck.Layer(&Swish{}, x, gradcheck.Options{Seed: 1, Richardson: true})
	fmt.Println("gradient check passes:", rep.OK(1e-7))

	// 2. Train a small network with it on three overlapping blobs, one per class.
	model := layers.NewSequential(layers.NewLinear(2, 16, layers.He, rng), &Swish{}, layers.NewLinear(16, 3, layers.Xavier, rng))
	fmt.Println(model)
	const n = 300
	data, labels := tensor.New(n, 2), make([]int, n)
	for i := range n {
		c := i % 3
		angle := 2 * math.Pi * float64(c) / 3
		data.Data[2*i] = 2*math.Cos(angle) + rng.NormFloat64()
		data.Data[2*i+1] = 2*math.Sin(angle) + rng.NormFloat64()
		labels[i] = c
	}
	var ce loss.SoftmaxCrossEntropy
	sgd := layers.SGD{LR: 0.5}
	fmt.Printf("error before training: %.2f\n", loss.ErrorRate(model.Forward(data), labels))
	for range 100 {
		ce.Forward(model.Forward(data), labels)
		model.Backward(ce.Backward())
		sgd.Step(model.Params())
	}
	fmt.Printf("error after training:  %.2f\n", loss.ErrorRate(model.Forward(data), labels))

	// 3. Save and load: the registered Swish comes back.
	var file bytes.Buffer
	if err := modelfile.Save(&file, model); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := modelfile.Load(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("loaded:", loaded)
	fmt.Printf("loaded model's error: %.2f\n", loss.ErrorRate(loaded.Forward(data), labels))
	// Output:
	// gradient check passes: true
	// Sequential(Linear(2→16), Swish, Linear(16→3))
	// error before training: 0.66
	// error after training:  0.07
	// loaded: Sequential(Linear(2→16), Swish, Linear(16→3))
	// loaded model's error: 0.07
}
