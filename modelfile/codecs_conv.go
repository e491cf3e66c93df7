package modelfile

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
)

// The model-file codecs of the convolution layers, under PyTorch's class
// names with its constructor arguments as the config: Conv2d's weight is
// stored [out, in, k, k] as nn.Conv2d has it; the pools store their
// kernel_size and stride, Unflatten nn.Unflatten's dim (always 1) and
// unflattened_size. Flatten and GlobalAvgPool2d keep nothing. A convolution's output width depends on the image size,
// so Load's width check starts again after each of these layers.

type conv2dConfig struct {
	In      int  `json:"in_channels"`
	Out     int  `json:"out_channels"`
	Kernel  int  `json:"kernel_size"`
	Stride  int  `json:"stride"`
	Padding int  `json:"padding"`
	Bias    bool `json:"bias"`
}

type poolConfig struct {
	Kernel int `json:"kernel_size"`
	Stride int `json:"stride"`
}

type unflattenConfig struct {
	Dim   int   `json:"dim"`
	Sizes []int `json:"unflattened_size"`
}

// registerPool registers a pooling layer that has a Kernel and a Stride.
func registerPool[L interface {
	layers.Layer
	Kernel() int
	Stride() int
}](name string, make func(kernel, stride int) L) {
	Register(name,
		func(p L) (LayerState, error) {
			cfg, err := json.Marshal(poolConfig{p.Kernel(), p.Stride()})
			return LayerState{Config: cfg}, err
		},
		func(s LayerState) (L, error) {
			var cfg poolConfig
			var zero L
			if err := decodeConfig(s.Config, &cfg); err != nil {
				return zero, err
			}
			if cfg.Stride == 0 {
				cfg.Stride = cfg.Kernel // PyTorch's stride=None
			}
			if cfg.Kernel <= 0 || cfg.Stride <= 0 {
				return zero, fmt.Errorf("%s: kernel_size %d and stride %d must be positive", name, cfg.Kernel, cfg.Stride)
			}
			return make(cfg.Kernel, cfg.Stride), nil
		})
}

func init() {
	registerPool("MaxPool2d", layers.NewMaxPool2d)
	registerPool("AvgPool2d", layers.NewAvgPool2d)
	Register("Unflatten",
		func(u *layers.Unflatten) (LayerState, error) {
			cfg, err := json.Marshal(unflattenConfig{1, u.Shape()})
			return LayerState{Config: cfg}, err
		},
		func(s LayerState) (*layers.Unflatten, error) {
			var cfg unflattenConfig
			if err := decodeConfig(s.Config, &cfg); err != nil {
				return nil, err
			}
			n := 1
			for _, d := range cfg.Sizes {
				if d <= 0 || d > 1<<31 || n > (1<<31)/d {
					return nil, fmt.Errorf("unflattened_size %v must hold positive sizes of at most 2³¹ values in all", cfg.Sizes)
				}
				n *= d
			}
			if cfg.Dim != 1 || len(cfg.Sizes) == 0 {
				return nil, fmt.Errorf("dim %d, unflattened_size %v: only dim 1 and a non-empty size are supported", cfg.Dim, cfg.Sizes)
			}
			return layers.NewUnflatten(cfg.Sizes...), nil
		})
	Register("Conv2d",
		func(c *layers.Conv2d) (LayerState, error) {
			cfg, err := json.Marshal(conv2dConfig{c.In(), c.Out(), c.Kernel(), c.Stride(), c.Padding(), c.B != nil})
			st := LayerState{Config: cfg, Tensors: []StateTensor{
				{Name: "weight", Shape: []int{c.Out(), c.In(), c.Kernel(), c.Kernel()}, Data: c.W.Value.Data},
			}}
			if c.B != nil {
				st.Tensors = append(st.Tensors, StateTensor{Name: "bias", Shape: []int{c.Out()}, Data: c.B.Value.Data})
			}
			return st, err
		},
		func(s LayerState) (*layers.Conv2d, error) {
			cfg := conv2dConfig{Stride: 1, Bias: true} // PyTorch's defaults
			if err := decodeConfig(s.Config, &cfg); err != nil {
				return nil, err
			}
			if cfg.In <= 0 || cfg.Out <= 0 || cfg.Kernel <= 0 || cfg.Stride <= 0 || cfg.Padding < 0 {
				return nil, fmt.Errorf("in_channels %d, out_channels %d, kernel_size %d, stride %d, padding %d: channels, kernel size and stride must be positive, padding not negative",
					cfg.In, cfg.Out, cfg.Kernel, cfg.Stride, cfg.Padding)
			}
			// Check the tensors before allocating from the config.
			w, err := s.Get("weight", cfg.Out, cfg.In, cfg.Kernel, cfg.Kernel)
			if err != nil {
				return nil, err
			}
			var b []float64
			if cfg.Bias {
				if b, err = s.Get("bias", cfg.Out); err != nil {
					return nil, err
				}
			}
			// NewConv2d draws weights that are overwritten at once.
			c := layers.NewConv2d(cfg.In, cfg.Out, cfg.Kernel,
				layers.Conv2dOptions{Stride: cfg.Stride, Padding: cfg.Padding, NoBias: !cfg.Bias}, rand.New(rand.NewPCG(0, 0)))
			copy(c.W.Value.Data, w)
			if c.B != nil {
				copy(c.B.Value.Data, b)
			}
			return c, nil
		})
	Register("BatchNorm2d",
		func(b *layers.BatchNorm2d) (LayerState, error) {
			cfg, err := json.Marshal(batchNormConfig{NumFeatures: b.Channels(), Eps: b.Eps, Momentum: b.Momentum})
			return LayerState{Config: cfg, Tensors: batchNormTensors(b.Channels(),
				b.Weight.Value.Data, b.Bias.Value.Data, b.RunningMean.Data, b.RunningVar.Data, b.NumBatchesTracked)}, err
		},
		func(s LayerState) (*layers.BatchNorm2d, error) {
			bn, err := readBatchNorm("BatchNorm2d", s)
			if err != nil {
				return nil, err
			}
			b := layers.NewBatchNorm2d(bn.cfg.NumFeatures)
			b.Eps, b.Momentum = bn.cfg.Eps, bn.cfg.Momentum
			b.NumBatchesTracked = bn.copyTo(b.Weight.Value.Data, b.Bias.Value.Data, b.RunningMean.Data, b.RunningVar.Data)
			return b, nil
		})
	Register("Flatten",
		func(*layers.Flatten) (LayerState, error) { return LayerState{}, nil },
		func(LayerState) (*layers.Flatten, error) { return layers.NewFlatten(), nil })
	Register("GlobalAvgPool2d",
		func(*layers.GlobalAvgPool2d) (LayerState, error) { return LayerState{}, nil },
		func(LayerState) (*layers.GlobalAvgPool2d, error) { return layers.NewGlobalAvgPool2d(), nil })
}
