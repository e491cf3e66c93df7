package modelfile

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"sync"

	"github.com/backprop-go/backprop/layers"
)

// LayerState is what a model file stores for one layer, besides its type
// name.
type LayerState struct {
	// Config holds the layer's settings as a JSON object (sizes,
	// probabilities, ε…), or nil when it has none.
	Config json.RawMessage
	// Tensors holds the layer's parameters and buffers, named without the
	// layer index ("weight", not "0.weight"), in PyTorch's state_dict order.
	Tensors []StateTensor
}

// StateTensor is one named tensor of a model file.
type StateTensor struct {
	// Name is "weight", "running_mean"… within a LayerState; in a
	// Checkpoint's Extra it is the full name in the file.
	Name string
	// Shape is the tensor's shape as PyTorch has it; [] for a scalar.
	Shape []int
	// Data holds the values in C (row-major) order.
	Data []float64
	// Int stores the tensor as 64-bit integers (dtype I64, numpy int64),
	// as PyTorch stores counters such as num_batches_tracked. Its values
	// must be whole numbers. When loading, Int reports an integer dtype in
	// the file.
	Int bool
}

// Get returns the values of the tensor called name, checking that its
// shape is shape. Decode functions use it to fetch their tensors.
func (s LayerState) Get(name string, shape ...int) ([]float64, error) {
	for _, t := range s.Tensors {
		if t.Name != name {
			continue
		}
		if !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %v", name, t.Shape, shape)
		}
		return t.Data, nil
	}
	return nil, fmt.Errorf("tensor %q is missing", name)
}

// codec is one registered layer type.
type codec struct {
	name   string
	typ    reflect.Type
	encode func(layers.Layer) (LayerState, error)
	decode func(LayerState) (layers.Layer, error)
	// keepsWidth marks the element-wise layers (activations, Dropout),
	// whose output has as many features as their input; Load checks the
	// widths of a network across them (see widths.go).
	keepsWidth bool
}

var registry = struct {
	sync.RWMutex
	byType map[reflect.Type]*codec
	byName map[string]*codec
}{byType: map[reflect.Type]*codec{}, byName: map[string]*codec{}}

// Register makes layers of type L (usually a pointer type such as
// *layers.Linear) savable by Save and loadable by Load under the type name
// name: a model file stores each layer as that name, a JSON config and its
// tensors. encode returns the layer's LayerState; decode builds a layer
// from one, and must check what it reads (LayerState.Get checks names and
// shapes), since the file may be damaged or hand-made. Every layer of
// package layers is registered in this package (registry.go, codecs.go);
// any other layer, including one written outside the module, is registered
// the same way, from an init function of the package that defines it:
//
//	type Scale struct{ K float64 } // y = K·x, implements layers.Layer
//
//	func init() {
//		modelfile.Register("Scale",
//			func(s *Scale) (modelfile.LayerState, error) {
//				cfg, err := json.Marshal(map[string]float64{"k": s.K})
//				return modelfile.LayerState{Config: cfg}, err
//			},
//			func(st modelfile.LayerState) (*Scale, error) {
//				var cfg struct{ K float64 }
//				err := json.Unmarshal(st.Config, &cfg)
//				return &Scale{K: cfg.K}, err
//			})
//	}
//
// A layer with N-D parameters lists them with their full shape; a 2-D
// convolution (PyTorch's nn.Conv2d) stores
//
//	LayerState{Config: cfg, Tensors: []StateTensor{
//		{Name: "weight", Shape: []int{out, in, kH, kW}, Data: c.W.Value.Data},
//		{Name: "bias", Shape: []int{out}, Data: c.B.Value.Data},
//	}}
//
// and its decode function fetches them with s.Get("weight", out, in, kH, kW),
// which checks the shape, before allocating anything from the config.
//
// Conventions, so that a file also makes sense to PyTorch:
//   - the type name is PyTorch's class name where torch.nn has the layer
//     ("Linear", "ReLU", "Dropout", "BatchNorm1d", "Conv2d"), and the
//     config's keys are that class's constructor arguments
//     ({"in_features":784, "out_features":128}), so Python can rebuild the
//     network with getattr(torch.nn, type)(**config);
//   - tensor names and shapes are those of the layer's state_dict in PyTorch
//     ("weight" out×in and "bias" of shape [out] for Linear; "running_mean",
//     "running_var" and an I64 scalar "num_batches_tracked" for
//     BatchNorm1d), in state_dict order; buffers that are not Params belong
//     there too;
//   - a layer without tensors or config returns a zero LayerState.
//
// Load checks that consecutive layers agree on their widths (see Widths);
// it does not know what a registered layer does to the width, so the check
// starts again after one.
//
// Call Register from an init function. It panics if name or L is already
// registered, or if L is an interface type.
func Register[L layers.Layer](name string, encode func(L) (LayerState, error), decode func(LayerState) (L, error)) {
	typ := reflect.TypeOf((*L)(nil)).Elem()
	if typ.Kind() == reflect.Interface {
		panic(fmt.Sprintf("modelfile: Register(%q): %v is an interface; register the concrete layer type", name, typ))
	}
	if name == "" || encode == nil || decode == nil {
		panic(fmt.Sprintf("modelfile: Register(%q, %v): need a name and both functions", name, typ))
	}
	registry.Lock()
	defer registry.Unlock()
	if c, dup := registry.byName[name]; dup {
		panic(fmt.Sprintf("modelfile: Register: type name %q is already registered for %v", name, c.typ))
	}
	if c, dup := registry.byType[typ]; dup {
		panic(fmt.Sprintf("modelfile: Register: %v is already registered as %q", typ, c.name))
	}
	c := &codec{
		name: name, typ: typ,
		encode: func(l layers.Layer) (LayerState, error) { return encode(l.(L)) },
		decode: func(s LayerState) (layers.Layer, error) { return decode(s) },
	}
	registry.byName[name], registry.byType[typ] = c, c
}

// registerElementwise registers L like Register and marks it as keeping
// the width of its input.
func registerElementwise[L layers.Layer](name string, encode func(L) (LayerState, error), decode func(LayerState) (L, error)) {
	Register(name, encode, decode)
	registry.Lock()
	registry.byName[name].keepsWidth = true
	registry.Unlock()
}

// Registered returns the registered type names, sorted.
func Registered() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.byName))
	for n := range registry.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func codecFor(l layers.Layer) (*codec, error) {
	registry.RLock()
	c := registry.byType[reflect.TypeOf(l)]
	registry.RUnlock()
	if c == nil {
		return nil, fmt.Errorf("%T is not a registered layer type: call modelfile.Register[%T](name, encode, decode) "+
			"once (in an init function) to make it savable; registered are %v", l, l, Registered())
	}
	return c, nil
}

func codecNamed(name string) (*codec, error) {
	registry.RLock()
	c := registry.byName[name]
	registry.RUnlock()
	if c == nil {
		return nil, fmt.Errorf("layer type %q is not registered in this program: import the package that "+
			"registers it, or call modelfile.Register(%q, encode, decode); registered are %v", name, name, Registered())
	}
	return c, nil
}

// linearConfig is Linear's config, with the argument names of PyTorch's
// nn.Linear.
type linearConfig struct {
	In  int `json:"in_features"`
	Out int `json:"out_features"`
}

func init() {
	Register("Linear",
		func(l *layers.Linear) (LayerState, error) {
			cfg, err := json.Marshal(linearConfig{l.In(), l.Out()})
			return LayerState{Config: cfg, Tensors: []StateTensor{
				{Name: "weight", Shape: []int{l.Out(), l.In()}, Data: l.W.Value.Data},
				{Name: "bias", Shape: []int{l.Out()}, Data: l.B.Value.Data},
			}}, err
		},
		func(s LayerState) (*layers.Linear, error) {
			var cfg linearConfig
			if err := json.Unmarshal(s.Config, &cfg); err != nil {
				return nil, fmt.Errorf("config: %v", err)
			}
			if cfg.In <= 0 || cfg.Out <= 0 {
				return nil, fmt.Errorf("Linear(%d→%d): sizes must be positive", cfg.In, cfg.Out)
			}
			// Check the tensors before allocating from the config.
			w, err := s.Get("weight", cfg.Out, cfg.In)
			if err != nil {
				return nil, err
			}
			b, err := s.Get("bias", cfg.Out)
			if err != nil {
				return nil, err
			}
			return linearFrom(cfg.In, cfg.Out, w, b), nil
		})
	registerElementwise("ReLU",
		func(*layers.ReLU) (LayerState, error) { return LayerState{}, nil },
		func(LayerState) (*layers.ReLU, error) { return layers.NewReLU(), nil })
}

// linearFrom returns a Linear(in→out) holding the weights w (out×in,
// row-major) and the biases b.
func linearFrom(in, out int, w, b []float64) *layers.Linear {
	// NewLinear draws initial weights; they are overwritten at once, so
	// any fixed generator does.
	l := layers.NewLinear(in, out, layers.He, rand.New(rand.NewPCG(0, 0)))
	copy(l.W.Value.Data, w)
	copy(l.B.Value.Data, b)
	return l
}
