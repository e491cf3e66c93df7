package modelfile

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/backprop-go/backprop/layers"
)

// The model-file codecs of the activations, Dropout and BatchNorm1d (see
// Register): PyTorch's class names, constructor arguments as the config and
// state_dict tensors, so that getattr(torch.nn, type)(**config) rebuilds
// each layer and load_state_dict takes its tensors. A new layer of package
// layers gets its codec here too, in an init function beside these.

// noState is the codec pair of an element-wise layer without config or
// tensors.
func noState[L layers.Layer](name string, make func() L) {
	registerElementwise(name,
		func(L) (LayerState, error) { return LayerState{}, nil },
		func(LayerState) (L, error) { return make(), nil })
}

// decodeConfig unmarshals a layer's JSON config into cfg. Keys it does not
// know are ignored, like Linear's decoder does, so a config written in
// Python with PyTorch's other arguments ("inplace": false) loads.
func decodeConfig(raw json.RawMessage, cfg any) error {
	if raw == nil {
		return fmt.Errorf("config is missing")
	}
	if err := json.Unmarshal(raw, cfg); err != nil {
		return fmt.Errorf("config: %v", err)
	}
	return nil
}

type leakyReLUConfig struct {
	NegativeSlope float64 `json:"negative_slope"`
}

type geluConfig struct {
	Approximate string `json:"approximate"`
}

type dropoutConfig struct {
	P float64 `json:"p"`
}

type batchNormConfig struct {
	NumFeatures int     `json:"num_features"`
	Eps         float64 `json:"eps"`
	Momentum    float64 `json:"momentum"`
	// PyTorch's switches for variants this layer does not implement; only
	// their defaults (true, or absent) load.
	Affine            *bool `json:"affine,omitempty"`
	TrackRunningStats *bool `json:"track_running_stats,omitempty"`
}

func init() {
	noState("Sigmoid", layers.NewSigmoid)
	noState("Tanh", layers.NewTanh)
	registerElementwise("LeakyReLU",
		func(l *layers.LeakyReLU) (LayerState, error) {
			cfg, err := json.Marshal(leakyReLUConfig{l.Slope})
			return LayerState{Config: cfg}, err
		},
		func(s LayerState) (*layers.LeakyReLU, error) {
			var cfg leakyReLUConfig
			if err := decodeConfig(s.Config, &cfg); err != nil {
				return nil, err
			}
			if !(cfg.NegativeSlope >= 0) || math.IsInf(cfg.NegativeSlope, 0) {
				return nil, fmt.Errorf("LeakyReLU: negative_slope %v must be finite and ≥ 0", cfg.NegativeSlope)
			}
			return layers.NewLeakyReLU(cfg.NegativeSlope), nil
		})
	registerElementwise("GELU",
		func(g *layers.GELU) (LayerState, error) {
			cfg, err := json.Marshal(geluConfig{g.Approximate})
			return LayerState{Config: cfg}, err
		},
		func(s LayerState) (*layers.GELU, error) {
			var cfg geluConfig
			if err := decodeConfig(s.Config, &cfg); err != nil {
				return nil, err
			}
			if cfg.Approximate != "none" && cfg.Approximate != "tanh" {
				return nil, fmt.Errorf(`GELU: approximate %q must be "none" or "tanh"`, cfg.Approximate)
			}
			return layers.NewGELU(cfg.Approximate), nil
		})
	registerElementwise("Dropout",
		func(d *layers.Dropout) (LayerState, error) {
			cfg, err := json.Marshal(dropoutConfig{d.P})
			return LayerState{Config: cfg}, err
		},
		func(s LayerState) (*layers.Dropout, error) {
			var cfg dropoutConfig
			if err := decodeConfig(s.Config, &cfg); err != nil {
				return nil, err
			}
			if !(cfg.P >= 0 && cfg.P <= 1) {
				return nil, fmt.Errorf("p %v must be in [0, 1]", cfg.P)
			}
			// A file holds no random generator: the loaded layer has none
			// and needs SetRand before it trains (evaluation needs none).
			return &layers.Dropout{P: cfg.P}, nil
		})
	Register("BatchNorm1d",
		func(b *layers.BatchNorm1d) (LayerState, error) {
			cfg, err := json.Marshal(batchNormConfig{NumFeatures: b.Features(), Eps: b.Eps, Momentum: b.Momentum})
			m := []int{b.Features()}
			return LayerState{Config: cfg, Tensors: []StateTensor{
				{Name: "weight", Shape: m, Data: b.Weight.Value.Data},
				{Name: "bias", Shape: m, Data: b.Bias.Value.Data},
				{Name: "running_mean", Shape: m, Data: b.RunningMean.Data},
				{Name: "running_var", Shape: m, Data: b.RunningVar.Data},
				{Name: "num_batches_tracked", Shape: []int{}, Data: []float64{float64(b.NumBatchesTracked)}, Int: true},
			}}, err
		},
		decodeBatchNorm)
}

func decodeBatchNorm(s LayerState) (*layers.BatchNorm1d, error) {
	var cfg batchNormConfig
	if err := decodeConfig(s.Config, &cfg); err != nil {
		return nil, err
	}
	if (cfg.Affine != nil && !*cfg.Affine) || (cfg.TrackRunningStats != nil && !*cfg.TrackRunningStats) {
		return nil, fmt.Errorf("BatchNorm1d: affine=false and track_running_stats=false are not supported")
	}
	m := cfg.NumFeatures
	if m <= 0 {
		return nil, fmt.Errorf("BatchNorm1d(%d): number of features must be positive", m)
	}
	if !(cfg.Eps > 0) || math.IsInf(cfg.Eps, 0) || !(cfg.Momentum >= 0 && cfg.Momentum <= 1) {
		return nil, fmt.Errorf("BatchNorm1d: eps %v must be positive and finite, momentum %v in [0, 1]", cfg.Eps, cfg.Momentum)
	}
	// Check every tensor before allocating from the config.
	var ts [4][]float64
	for i, name := range []string{"weight", "bias", "running_mean", "running_var"} {
		var err error
		if ts[i], err = s.Get(name, m); err != nil {
			return nil, err
		}
	}
	for _, v := range ts[3] {
		if !(v >= 0) {
			return nil, fmt.Errorf("BatchNorm1d: running_var holds %v; a variance is ≥ 0", v)
		}
	}
	n, err := s.Get("num_batches_tracked")
	if err != nil {
		return nil, err
	}
	// A count: a whole number ≥ 0 that an int64 holds (float64(1<<63) is
	// the first value it does not), not NaN, which int64() would turn into
	// the minimum int64.
	if !(n[0] >= 0 && n[0] < 1<<63) || n[0] != math.Trunc(n[0]) {
		return nil, fmt.Errorf("BatchNorm1d: num_batches_tracked is %v, not a whole number ≥ 0 that fits an int64", n[0])
	}
	b := layers.NewBatchNorm1d(m)
	b.Eps, b.Momentum = cfg.Eps, cfg.Momentum
	copy(b.Weight.Value.Data, ts[0])
	copy(b.Bias.Value.Data, ts[1])
	copy(b.RunningMean.Data, ts[2])
	copy(b.RunningVar.Data, ts[3])
	b.NumBatchesTracked = int64(n[0])
	return b, nil
}
