package modelfile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/tensor"
)

// convLike stands for a layer with parameters of rank 4, 1, 3 and 0, as a
// convolution registers itself (weight [out, in, kH, kW], PyTorch's
// layout). It computes nothing; only its file matters here.
type convLike struct {
	out, in, k int
	W, B       *layers.Param
	cube       []float64 // a [2, 3, 4] buffer
	scalar     float64
}

func (c *convLike) Forward(x *tensor.Tensor) *tensor.Tensor  { return x }
func (c *convLike) Backward(d *tensor.Tensor) *tensor.Tensor { return d }
func (c *convLike) Params() []*layers.Param                  { return []*layers.Param{c.W, c.B} }

func newConvLike(out, in, k int) *convLike {
	return &convLike{out: out, in: in, k: k,
		W:    &layers.Param{Name: "weight", Value: tensor.New(out, in, k, k), Grad: tensor.New(out, in, k, k)},
		B:    &layers.Param{Name: "bias", Value: tensor.New(1, out), Grad: tensor.New(1, out)},
		cube: make([]float64, 24)}
}

type convLikeConfig struct {
	Out int `json:"out_channels"`
	In  int `json:"in_channels"`
	K   int `json:"kernel_size"`
}

func init() {
	modelfile.Register("ConvLike",
		func(c *convLike) (modelfile.LayerState, error) {
			cfg, err := json.Marshal(convLikeConfig{c.out, c.in, c.k})
			return modelfile.LayerState{Config: cfg, Tensors: []modelfile.StateTensor{
				{Name: "weight", Shape: []int{c.out, c.in, c.k, c.k}, Data: c.W.Value.Data},
				{Name: "bias", Shape: []int{c.out}, Data: c.B.Value.Data},
				{Name: "cube", Shape: []int{2, 3, 4}, Data: c.cube},
				{Name: "scalar", Shape: []int{}, Data: []float64{c.scalar}},
			}}, err
		},
		func(s modelfile.LayerState) (*convLike, error) {
			var cfg convLikeConfig
			if err := json.Unmarshal(s.Config, &cfg); err != nil {
				return nil, err
			}
			if cfg.Out <= 0 || cfg.In <= 0 || cfg.K <= 0 {
				return nil, fmt.Errorf("ConvLike: sizes must be positive")
			}
			w, err := s.Get("weight", cfg.Out, cfg.In, cfg.K, cfg.K)
			if err != nil {
				return nil, err
			}
			b, err := s.Get("bias", cfg.Out)
			if err != nil {
				return nil, err
			}
			cube, err := s.Get("cube", 2, 3, 4)
			if err != nil {
				return nil, err
			}
			scalar, err := s.Get("scalar")
			if err != nil {
				return nil, err
			}
			c := newConvLike(cfg.Out, cfg.In, cfg.K)
			copy(c.W.Value.Data, w)
			copy(c.B.Value.Data, b)
			copy(c.cube, cube)
			c.scalar = scalar[0]
			return c, nil
		})
}

// TestAnyRank: tensors of rank 0 to 4 round-trip, to the bit and with
// their shapes, through safetensors and .npz, and a file whose 4-D weight
// has another shape is refused.
func TestAnyRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	c := newConvLike(3, 2, 5)
	for _, v := range [][]float64{c.W.Value.Data, c.B.Value.Data, c.cube} {
		for i := range v {
			v[i] = rng.NormFloat64()
		}
	}
	c.scalar = math.Pi
	model := layers.NewSequential(c, layers.NewReLU())
	for name, save := range map[string]func(*bytes.Buffer) error{
		"safetensors": func(b *bytes.Buffer) error { return modelfile.Save(b, model) },
		"npz":         func(b *bytes.Buffer) error { return modelfile.SaveNPZ(b, &modelfile.Checkpoint{Model: model}) },
	} {
		var buf bytes.Buffer
		if err := save(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := modelfile.Load(&buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g := got.Layers()[0].(*convLike)
		if !slices.Equal(g.W.Value.Shape, []int{3, 2, 5, 5}) || !slices.Equal(g.W.Value.Data, c.W.Value.Data) ||
			!slices.Equal(g.B.Value.Data, c.B.Value.Data) || !slices.Equal(g.cube, c.cube) || g.scalar != c.scalar {
			t.Errorf("%s: the layer came back different", name)
		}
	}

	// The weight stored as [3, 2, 25] (same count, other rank) is refused.
	var buf bytes.Buffer
	if err := modelfile.Save(&buf, model); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(buf.Bytes(), []byte(`"shape":[3,2,5,5]`), []byte(`"shape":[3,2,25] `), 1)
	if bytes.Equal(bad, buf.Bytes()) {
		t.Fatal("the weight's shape is not where the test expects it")
	}
	if _, err := modelfile.Load(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "has shape [3 2 25], want [3 2 5 5]") {
		t.Errorf("a 3-D weight for a 4-D parameter: %v", err)
	}
}
