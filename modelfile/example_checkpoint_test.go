package modelfile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/safetensors"
	"github.com/backprop-go/backprop/tensor"
)

// A saved model is a safetensors file whose tensor names are PyTorch's
// nn.Sequential state_dict keys; the layers are in the metadata.
func ExampleSave_safetensors() {
	model := layers.NewMLP([]int{4, 3, 2}, layers.He, rand.New(rand.NewPCG(1, 1)))
	var buf bytes.Buffer
	if err := modelfile.Save(&buf, model); err != nil {
		fmt.Println(err)
		return
	}
	f, err := safetensors.Parse(buf.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range f.Tensors {
		fmt.Println(t.Name, t.DType, t.Shape)
	}
	fmt.Println(f.Metadata[modelfile.MetaArchitecture])
	// Output:
	// 0.weight F64 [3 4]
	// 0.bias F64 [3]
	// 2.weight F64 [2 3]
	// 2.bias F64 [2]
	// {"version":1,"layers":[{"type":"Linear","config":{"in_features":4,"out_features":3}},{"type":"ReLU"},{"type":"Linear","config":{"in_features":3,"out_features":2}}]}
}

// Scale is a student's own layer, y = k·x with a trainable scalar k.
type Scale struct {
	K    *layers.Param
	y, d *tensor.Tensor
}

func (s *Scale) Forward(x *tensor.Tensor) *tensor.Tensor {
	s.y = x.Clone()
	for i := range s.y.Data {
		s.y.Data[i] *= s.K.Value.Data[0]
	}
	return s.y
}

func (s *Scale) Backward(d *tensor.Tensor) *tensor.Tensor {
	s.d = d.Clone()
	for i := range s.d.Data {
		s.d.Data[i] *= s.K.Value.Data[0]
	}
	return s.d
}

func (s *Scale) Params() []*layers.Param { return []*layers.Param{s.K} }

func newScale(k float64) *Scale {
	return &Scale{K: &layers.Param{Name: "k", Value: tensor.FromData([]float64{k}, 1, 1), Grad: tensor.New(1, 1)}}
}

// Register makes a layer of one's own savable: a type name, and how to turn
// the layer into a config and named tensors and back. Without it, Save
// refuses the model and says so.
func ExampleRegister() {
	model := layers.NewSequential(layers.NewLinear(2, 2, layers.He, rand.New(rand.NewPCG(1, 1))), newScale(3))
	var buf bytes.Buffer
	fmt.Println(modelfile.Save(&buf, model) != nil) // not registered yet

	modelfile.Register("Scale", // usually in an init function
		func(s *Scale) (modelfile.LayerState, error) {
			return modelfile.LayerState{Tensors: []modelfile.StateTensor{
				{Name: "k", Shape: []int{}, Data: s.K.Value.Data},
			}}, nil
		},
		func(st modelfile.LayerState) (*Scale, error) {
			k, err := st.Get("k") // checks the name and the shape []
			if err != nil {
				return nil, err
			}
			return newScale(k[0]), nil
		})
	if err := modelfile.Save(&buf, model); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := modelfile.Load(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.Layers()[1].(*Scale).K.Value.Data)
	// Output:
	// true
	// [3]
}

// An optimiser (or anything else) keeps its state in the model's file under
// its own names, and string metadata beside it.
func ExampleSaveCheckpoint() {
	model := layers.NewMLP([]int{2, 2}, layers.He, rand.New(rand.NewPCG(1, 1)))
	cfg, _ := json.Marshal(map[string]any{"type": "SGD", "lr": 0.1, "momentum": 0.9})
	c := &modelfile.Checkpoint{
		Model: model,
		Extra: []modelfile.StateTensor{
			{Name: "optim.0.weight.momentum_buffer", Shape: []int{2, 2}, Data: []float64{0.1, 0, 0, -0.1}},
			{Name: "optim.0.bias.momentum_buffer", Shape: []int{2}, Data: []float64{0, 0.2}},
			{Name: "optim.step", Shape: []int{}, Data: []float64{100}, Int: true},
		},
		Metadata: map[string]string{"optim": string(cfg)},
	}
	var buf bytes.Buffer
	if err := modelfile.SaveCheckpoint(&buf, c); err != nil {
		fmt.Println(err)
		return
	}
	back, err := modelfile.LoadCheckpoint(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Model)
	for _, t := range back.Extra {
		fmt.Println(t.Name, t.Shape, t.Data, t.Int)
	}
	fmt.Println(back.Metadata["optim"])
	// Output:
	// Sequential(Linear(2→2))
	// optim.0.weight.momentum_buffer [2 2] [0.1 0 0 -0.1] false
	// optim.0.bias.momentum_buffer [2] [0 0.2] false
	// optim.step [] [100] true
	// {"lr":0.1,"momentum":0.9,"type":"SGD"}
}
