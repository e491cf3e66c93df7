package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/npy"
	"github.com/backprop-go/backprop/safetensors"
	"github.com/backprop-go/backprop/tensor"
)

// testModel returns an MLP with non-zero biases and a few awkward values.
func testModel() *layers.Sequential {
	rng := newRNG(11)
	s := layers.NewMLP([]int{5, 4, 3, 2}, layers.He, rng)
	for _, p := range s.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] = rng.NormFloat64()
		}
	}
	s.Params()[0].Value.Data[0] = math.SmallestNonzeroFloat64
	s.Params()[0].Value.Data[1] = math.Copysign(0, -1)
	return s
}

// sameModel fails unless b has a's layers and bit-identical parameters.
func sameModel(t *testing.T, a, b *layers.Sequential) {
	t.Helper()
	if a.String() != b.String() {
		t.Fatalf("loaded %s, saved %s", b, a)
	}
	for i, p := range a.Params() {
		q := b.Params()[i]
		if p.Name != q.Name || !p.Value.SameShape(q.Value) {
			t.Fatalf("param %d: loaded %s %v, saved %s %v", i, q.Name, q.Value.Shape, p.Name, p.Value.Shape)
		}
		for j := range p.Value.Data {
			if math.Float64bits(p.Value.Data[j]) != math.Float64bits(q.Value.Data[j]) {
				t.Fatalf("%s[%d]: loaded %v, saved %v", p.Name, j, q.Value.Data[j], p.Value.Data[j])
			}
		}
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	s := testModel()
	var buf bytes.Buffer
	if err := Save(&buf, s); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tn := range f.Tensors {
		names = append(names, tn.Name+":"+string(tn.DType)+fmtShape(tn.Shape))
	}
	want := []string{"0.weight:F64[4 5]", "0.bias:F64[4]", "2.weight:F64[3 4]", "2.bias:F64[3]", "4.weight:F64[2 3]", "4.bias:F64[2]"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("tensors %v, want %v", names, want)
	}
	if got := f.Metadata[MetaArchitecture]; got != `{"version":1,"layers":[{"type":"Linear","config":{"in_features":5,"out_features":4}},{"type":"ReLU"},{"type":"Linear","config":{"in_features":4,"out_features":3}},{"type":"ReLU"},{"type":"Linear","config":{"in_features":3,"out_features":2}}]}` {
		t.Errorf("architecture %s", got)
	}
	if f.Metadata["format"] != "pt" || len(f.Metadata[MetaSHA256]) != 64 {
		t.Errorf("metadata %v", f.Metadata)
	}
	got, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, s, got)
	x := randT(newRNG(1), 3, 5)
	closeTo(t, "output", got.Forward(x).Data, s.Forward(x).Data, 0)

	// Saving the loaded model gives the same bytes.
	var again bytes.Buffer
	if err := Save(&again, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("save → load → save changed the bytes")
	}
}

func fmtShape(s []int) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(strings.ReplaceAll(string(b), ",", " "), "null", "[]")
}

func TestNPZRoundTrip(t *testing.T) {
	s := testModel()
	var buf bytes.Buffer
	c := &Checkpoint{Model: s, Metadata: map[string]string{"note": "hi"},
		Extra: []StateTensor{{Name: "step", Shape: []int{}, Data: []float64{42}, Int: true}}}
	if err := SaveNPZ(&buf, c); err != nil {
		t.Fatal(err)
	}
	ms, err := npy.ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	if want := []string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "step", NPZArchitecture, NPZMetadata}; !reflect.DeepEqual(names, want) {
		t.Errorf("members %v, want %v", names, want)
	}
	got, err := LoadCheckpoint(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, s, got.Model)
	if !reflect.DeepEqual(got.Metadata, c.Metadata) || !reflect.DeepEqual(got.Extra, c.Extra) {
		t.Errorf("extras: got %+v %v, want %+v %v", got.Extra, got.Metadata, c.Extra, c.Metadata)
	}
}

func TestCheckpointExtra(t *testing.T) {
	s := testModel()
	c := &Checkpoint{
		Model: s,
		Extra: []StateTensor{
			{Name: "optim.0.weight.momentum_buffer", Shape: []int{4, 5}, Data: make([]float64, 20)},
			{Name: "optim.step", Shape: []int{}, Data: []float64{7}, Int: true},
		},
		Metadata: map[string]string{"optim": `{"type":"SGD","lr":0.1}`},
	}
	c.Extra[0].Data[3] = 0.5
	var buf bytes.Buffer
	if err := SaveCheckpoint(&buf, c); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCheckpoint(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, s, got.Model)
	if !reflect.DeepEqual(got.Extra, c.Extra) || !reflect.DeepEqual(got.Metadata, c.Metadata) {
		t.Errorf("got %+v %v, want %+v %v", got.Extra, got.Metadata, c.Extra, c.Metadata)
	}
	// Load ignores the extras.
	m, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, s, m)

	for name, bad := range map[string]*Checkpoint{
		"digit name":    {Model: s, Extra: []StateTensor{{Name: "0.weight", Shape: []int{1}, Data: []float64{1}}}},
		"reserved meta": {Model: s, Metadata: map[string]string{"backprop.sha256": "x"}},
		"format meta":   {Model: s, Metadata: map[string]string{"format": "np"}},
		"duplicate":     {Model: s, Extra: []StateTensor{{Name: "a", Shape: []int{}, Data: []float64{1}}, {Name: "a", Shape: []int{}, Data: []float64{1}}}},
		"bad shape":     {Model: s, Extra: []StateTensor{{Name: "a", Shape: []int{2}, Data: []float64{1}}}},
		"not int":       {Model: s, Extra: []StateTensor{{Name: "a", Shape: []int{}, Data: []float64{0.5}, Int: true}}},
	} {
		var buf bytes.Buffer
		if err := SaveCheckpoint(&buf, bad); err == nil || buf.Len() != 0 {
			t.Errorf("%s: saved %d bytes, err %v", name, buf.Len(), err)
		}
		if err := SaveNPZ(&buf, bad); err == nil || buf.Len() != 0 {
			t.Errorf("%s: SaveNPZ saved %d bytes, err %v", name, buf.Len(), err)
		}
	}
}

// scale is a layer from "outside": y = k·x, with a tensor k of one value
// and a config; it is registered by the test.
type scale struct {
	k    *layers.Param
	name string
	y    *tensor.Tensor
}

func (s *scale) Forward(x *tensor.Tensor) *tensor.Tensor {
	s.y = x.Clone()
	for i := range s.y.Data {
		s.y.Data[i] *= s.k.Value.Data[0]
	}
	return s.y
}
func (s *scale) Backward(d *tensor.Tensor) *tensor.Tensor { return d }
func (s *scale) Params() []*layers.Param                  { return []*layers.Param{s.k} }

func init() {
	Register("TestScale",
		func(s *scale) (LayerState, error) {
			cfg, err := json.Marshal(map[string]string{"label": s.name})
			return LayerState{Config: cfg, Tensors: []StateTensor{
				{Name: "k", Shape: []int{}, Data: s.k.Value.Data},
				{Name: "calls", Shape: []int{}, Data: []float64{3}, Int: true}, // a buffer, not a Param
			}}, err
		},
		func(st LayerState) (*scale, error) {
			var cfg struct{ Label string }
			if err := json.Unmarshal(st.Config, &cfg); err != nil {
				return nil, err
			}
			k, err := st.Get("k")
			if err != nil {
				return nil, err
			}
			if _, err := st.Get("calls"); err != nil {
				return nil, err
			}
			return &scale{k: &layers.Param{Name: "k", Value: tensor.FromData([]float64{k[0]}, 1, 1), Grad: tensor.New(1, 1)}, name: cfg.Label}, nil
		})
}

func TestRegisteredCustomLayer(t *testing.T) {
	k := &layers.Param{Name: "k", Value: tensor.FromData([]float64{2.5}, 1, 1), Grad: tensor.New(1, 1)}
	s := layers.NewSequential(layers.NewLinear(3, 2, layers.He, newRNG(1)), &scale{k: k, name: "x2.5"}, layers.NewReLU())
	for _, save := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return Save(b, s) },
		func(b *bytes.Buffer) error { return SaveNPZ(b, &Checkpoint{Model: s}) },
	} {
		var buf bytes.Buffer
		if err := save(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := Load(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sc, ok := got.Layers()[1].(*scale)
		if !ok || sc.k.Value.Data[0] != 2.5 || sc.name != "x2.5" {
			t.Fatalf("layer 1 loaded as %#v", got.Layers()[1])
		}
	}
	if got := strings.Join(Registered(), " "); !strings.Contains(got, "Linear ReLU") || !strings.Contains(got, "TestScale") {
		t.Errorf("Registered() = %v", got)
	}
}

func TestRegisterPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"name taken": func() {
			Register("Linear", func(*scale) (LayerState, error) { return LayerState{}, nil }, func(LayerState) (*scale, error) { return nil, nil })
		},
		"type taken": func() {
			Register("Other", func(*layers.ReLU) (LayerState, error) { return LayerState{}, nil }, func(LayerState) (*layers.ReLU, error) { return nil, nil })
		},
		"interface": func() {
			Register("Any", func(layers.Layer) (LayerState, error) { return LayerState{}, nil }, func(LayerState) (layers.Layer, error) { return nil, nil })
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			f()
		}()
	}
}

// rewrite re-encodes a saved model file after edit changes its parts,
// keeping the SHA-256 right unless the edit is to the data afterwards.
func rewrite(t *testing.T, data []byte, edit func(f *safetensors.File)) []byte {
	t.Helper()
	f, err := safetensors.Parse(bytes.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	delete(f.Metadata, MetaSHA256)
	edit(f)
	out, err := safetensors.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadSafetensorsErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Save(&buf, testModel()); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	load := func(b []byte) error {
		s, err := Load(bytes.NewReader(b))
		if err == nil || s != nil {
			t.Fatalf("Load returned model %v and error %v", s, err)
		}
		return err
	}
	// A flipped bit in the data breaks the SHA-256; in the header, the
	// JSON, the sizes or the hash itself.
	hdrEnd := 8 + int(binary.LittleEndian.Uint64(data))
	for _, i := range []int{hdrEnd, hdrEnd + 100, len(data) - 1} {
		b := bytes.Clone(data)
		b[i] ^= 1
		if err := load(b); !errors.Is(err, ErrChecksum) {
			t.Errorf("data byte %d flipped: %v", i, err)
		}
	}
	for n := 9; n < len(data); n += 37 {
		if err := load(data[:n]); !errors.Is(err, ErrMalformed) {
			t.Errorf("cut to %d bytes: %v", n, err)
		}
	}

	cases := map[string]struct {
		edit func(f *safetensors.File)
		want error
		msg  string
	}{
		"no hash is fine but no architecture is not": {func(f *safetensors.File) { delete(f.Metadata, MetaArchitecture) }, ErrMalformed, "no \"backprop.architecture\""},
		"unknown type": {func(f *safetensors.File) {
			f.Metadata[MetaArchitecture] = strings.Replace(f.Metadata[MetaArchitecture], `"ReLU"`, `"Swish"`, 1)
		}, ErrMalformed, `"Swish" is not registered`},
		"version": {func(f *safetensors.File) {
			f.Metadata[MetaArchitecture] = strings.Replace(f.Metadata[MetaArchitecture], `"version":1`, `"version":2`, 1)
		}, ErrVersion, "version 2"},
		"bad json":       {func(f *safetensors.File) { f.Metadata[MetaArchitecture] = "{" }, ErrMalformed, "architecture"},
		"missing tensor": {func(f *safetensors.File) { f.Tensors = f.Tensors[1:] }, ErrMalformed, `"weight" is missing`},
		"extra tensor in a layer": {func(f *safetensors.File) {
			f.Tensors = append(f.Tensors, safetensors.Tensor{Name: "1.weight", DType: safetensors.F64, Shape: []int{}, Data: make([]byte, 8)})
		}, ErrMalformed, "want []"},
		"tensor of no layer": {func(f *safetensors.File) {
			f.Tensors = append(f.Tensors, safetensors.Tensor{Name: "9.weight", DType: safetensors.F64, Shape: []int{}, Data: make([]byte, 8)})
		}, ErrMalformed, "belongs to no layer"},
		"leading zero": {func(f *safetensors.File) { f.Tensors[0].Name = "00.weight" }, ErrMalformed, "belongs to no layer"},
		"wrong shape":  {func(f *safetensors.File) { f.Tensors[0].Shape = []int{5, 4} }, ErrMalformed, "shape [5 4], want [4 5]"},
		"widths do not chain": {func(f *safetensors.File) {
			f.Tensors = f.Tensors[:4]
			f.Metadata[MetaArchitecture] = `{"version":1,"layers":[{"type":"Linear","config":{"in_features":5,"out_features":4}},{"type":"ReLU"},{"type":"Linear","config":{"in_features":3,"out_features":4}}]}`
			w, _ := safetensors.FromFloat64("2.weight", safetensors.F64, []int{4, 3}, make([]float64, 12))
			b, _ := safetensors.FromFloat64("2.bias", safetensors.F64, []int{4}, make([]float64, 4))
			f.Tensors[2], f.Tensors[3] = w, b
		}, ErrMalformed, "layer 2 (Linear(3→4)) takes 3 inputs"},
		"batch norm width": {func(f *safetensors.File) {
			f.Metadata[MetaArchitecture] = `{"version":1,"layers":[{"type":"Linear","config":{"in_features":5,"out_features":4}},{"type":"BatchNorm1d","config":{"num_features":3,"eps":1e-5,"momentum":0.1}}]}`
			f.Tensors = f.Tensors[:2]
			for _, n := range []string{"weight", "bias", "running_mean", "running_var"} {
				t, _ := safetensors.FromFloat64("1."+n, safetensors.F64, []int{3}, []float64{1, 1, 1})
				f.Tensors = append(f.Tensors, t)
			}
			t, _ := safetensors.FromFloat64("1.num_batches_tracked", safetensors.I64, []int{}, []float64{0})
			f.Tensors = append(f.Tensors, t)
		}, ErrMalformed, "layer 1 (BatchNorm1d(3)) normalises 3 features, but layer 0 (Linear(5→4)) gives 4"},
		"huge config": {func(f *safetensors.File) {
			f.Metadata[MetaArchitecture] = strings.Replace(f.Metadata[MetaArchitecture], `"in_features":5`, `"in_features":5000000000000`, 1)
		}, ErrMalformed, "has shape [4 5], want [4 5000000000000]"},
		"F8 tensor": {func(f *safetensors.File) {
			f.Tensors[1] = safetensors.Tensor{Name: "0.bias", DType: safetensors.F8_E4M3, Shape: []int{4}, Data: make([]byte, 4)}
		}, ErrMalformed, "F8_E4M3"},
	}
	for name, c := range cases {
		err := load(rewrite(t, data, c.edit))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want %v mentioning %q", name, err, c.want, c.msg)
		}
	}
	// A file without the hash, as Python writes it, loads.
	if _, err := Load(bytes.NewReader(rewrite(t, data, func(*safetensors.File) {}))); err != nil {
		t.Errorf("file without SHA-256: %v", err)
	}
	// F32 tensors load, rounded.
	f32 := rewrite(t, data, func(f *safetensors.File) {
		for i, tn := range f.Tensors {
			v, _ := tn.Float64s()
			f.Tensors[i], _ = safetensors.FromFloat64(tn.Name, safetensors.F32, tn.Shape, v)
		}
	})
	m, err := Load(bytes.NewReader(f32))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Params()[2].Value.Data[0], float64(float32(testModel().Params()[2].Value.Data[0])); got != want {
		t.Errorf("F32 weight %v, want %v", got, want)
	}
}

// A model file written by the current Save loads through every entry
// point, and one that is an old BPNN file too.
func TestLoadSniffs(t *testing.T) {
	s := testModel()
	var st, nz bytes.Buffer
	if err := Save(&st, s); err != nil {
		t.Fatal(err)
	}
	if err := SaveNPZ(&nz, &Checkpoint{Model: s}); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"safetensors": st.Bytes(), "npz": nz.Bytes(), "bpnn": savedBytes(t, s)} {
		m, err := Load(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameModel(t, s, m)
		c, err := LoadCheckpoint(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameModel(t, s, c.Model)
	}
}
