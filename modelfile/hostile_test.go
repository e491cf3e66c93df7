package modelfile

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/ziptest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/npy"
	"github.com/backprop-go/backprop/safetensors"
)

// The hostile model files of the tests below; FuzzLoad starts from them
// too (hostileSeeds).

// npzWith returns the .npz file of model with the members extra added.
func npzWith(t testing.TB, model *layers.Sequential, extra ...npy.Member) []byte {
	var buf bytes.Buffer
	if err := SaveNPZ(&buf, &Checkpoint{Model: model}); err != nil {
		t.Fatal(err)
	}
	ms, err := npy.ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := npy.WriteNPZ(&buf, append(ms, extra...)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withTensor returns the safetensors file of model with the tensor name
// replaced by t (or t added, if name is ""), and without the hash (so only
// t is wrong).
func withTensor(tb testing.TB, model *layers.Sequential, name string, t safetensors.Tensor) []byte {
	var buf bytes.Buffer
	if err := Save(&buf, model); err != nil {
		tb.Fatal(err)
	}
	f, err := safetensors.Parse(buf.Bytes())
	if err != nil {
		tb.Fatal(err)
	}
	delete(f.Metadata, MetaSHA256)
	if name == "" {
		f.Tensors = append(f.Tensors, t)
	}
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			f.Tensors[i] = t
		}
	}
	b, err := safetensors.Marshal(f)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func bnModel() *layers.Sequential {
	return layers.NewSequential(layers.NewLinear(3, 2, layers.He, newRNG(1)), layers.NewBatchNorm1d(2))
}

// hostileFiles are model files Load must refuse, with what the error says.
func hostileFiles(tb testing.TB) map[string]struct {
	data []byte
	want string
} {
	type c = struct {
		data []byte
		want string
	}
	small := layers.NewMLP([]int{3, 2}, layers.He, newRNG(2))
	f8 := func(n string) []byte { return ziptest.NPYHeader("<f8", "("+n+",)") }
	out := map[string]c{
		"npz bomb": {ziptest.NPZ([]ziptest.Member{
			{Name: "0.weight.npy", Head: f8("67108864"), Zeros: 1 << 16, Declared: 512<<20 + 128},
			{Name: "0.bias.npy", Head: f8("67108864"), Zeros: 1 << 16, Declared: 512<<20 + 128},
		}), "MaxNPZSize"},
		"npz long architecture": {ziptest.NPZ([]ziptest.Member{
			{Name: NPZArchitecture, Head: []byte(`{"version":1,"layers":[]}`), Zeros: 2 << 20, Fill: ' '},
		}), "MaxNPZRaw"},
		"npz zip slip": {ziptest.NPZ([]ziptest.Member{
			{Name: "../../evil.npy", Head: f8("1"), Zeros: 8},
			{Name: NPZArchitecture, Head: []byte(`{"version":1,"layers":[]}`)},
		}), "member name"},
		"npz reserved": {npzWith(tb, small, npy.Member{Name: "__metadata__", Array: &npy.Array{Shape: []int{1}, Data: []float64{1}}}),
			"reserved"},
	}
	reserved, err := safetensors.FromFloat64("__x", safetensors.F64, []int{1}, []float64{1})
	if err != nil {
		tb.Fatal(err)
	}
	out["safetensors reserved"] = c{withTensor(tb, small, "", reserved), "reserved"}
	for name, v := range map[string]float64{"NaN": math.NaN(), "-1": -1, "1e19": 1e19, "2.5": 2.5, "Inf": math.Inf(1)} {
		st, err := safetensors.FromFloat64("1.num_batches_tracked", safetensors.F64, []int{}, []float64{v})
		if err != nil {
			tb.Fatal(err)
		}
		out["num_batches_tracked "+name] = c{withTensor(tb, bnModel(), "1.num_batches_tracked", st), "num_batches_tracked"}
	}
	// BatchNorm1d(784) before Linear(5→2): saved without complaint (Save
	// does not check widths), refused by Load.
	var buf bytes.Buffer
	bad := layers.NewSequential(layers.NewBatchNorm1d(784), layers.NewLinear(5, 2, layers.He, newRNG(3)))
	if err := Save(&buf, bad); err != nil {
		tb.Fatal(err)
	}
	out["batch norm before Linear"] = c{buf.Bytes(), "layer 1 (Linear(5→2)) takes 5 inputs, but layer 0 (BatchNorm1d(784)) gives 784 outputs"}
	return out
}

// TestLoadHostile: each hostile file gets an error wrapping ErrMalformed
// that says what is wrong, in memory bounded by a small multiple of the
// file.
func TestLoadHostile(t *testing.T) {
	for name, c := range hostileFiles(t) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, err := Load(bytes.NewReader(c.data))
		runtime.ReadMemStats(&after)
		if m != nil || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: model %v, error %v; want ErrMalformed mentioning %q", name, m, err, c.want)
		}
		if alloc, limit := after.TotalAlloc-before.TotalAlloc, 16*uint64(len(c.data))+4<<20; alloc > limit {
			t.Errorf("%s: a %d-byte file allocated %d bytes, more than %d", name, len(c.data), alloc, limit)
		}
	}
}

// TestSaveRefuses: a nil model, and an extra tensor whose name would be a
// zip-slip member, are errors before anything is written.
func TestSaveRefuses(t *testing.T) {
	var buf bytes.Buffer
	for name, save := range map[string]func() error{
		"Save nil":                 func() error { return Save(&buf, nil) },
		"SaveCheckpoint nil":       func() error { return SaveCheckpoint(&buf, nil) },
		"SaveCheckpoint nil model": func() error { return SaveCheckpoint(&buf, &Checkpoint{}) },
		"SaveNPZ nil model":        func() error { return SaveNPZ(&buf, &Checkpoint{}) },
		"SaveNPZ zip slip": func() error {
			return SaveNPZ(&buf, &Checkpoint{Model: bnModel(), Extra: []StateTensor{{Name: "../../evil", Shape: []int{1}, Data: []float64{1}}}})
		},
	} {
		buf.Reset()
		err := save()
		if err == nil || buf.Len() != 0 || !strings.HasPrefix(err.Error(), "modelfile: ") {
			t.Errorf("%s: wrote %d bytes, error %v", name, buf.Len(), err)
		}
	}
}

// TestWidths: the input and output widths of loaded models, and the models
// that fix none.
func TestWidths(t *testing.T) {
	rng := newRNG(4)
	for _, c := range []struct {
		model   *layers.Sequential
		in, out int
		err     string
	}{
		{layers.NewMLP([]int{784, 30, 10}, layers.He, rng), 784, 10, ""},
		{layers.NewSequential(layers.NewDropout(0.1, rng), layers.NewLinear(784, 5, layers.He, rng), layers.NewReLU()), 784, 5, ""},
		{layers.NewSequential(layers.NewBatchNorm1d(784), layers.NewLinear(784, 5, layers.He, rng)), 784, 5, ""},
		{layers.NewSequential(&unregistered{}, layers.NewLinear(3, 2, layers.He, rng)), 0, 2, ""},
		{layers.NewSequential(), 0, 0, "no layer that fixes a width"},
		{layers.NewSequential(layers.NewReLU()), 0, 0, "no layer that fixes a width"},
		{layers.NewSequential(layers.NewBatchNorm1d(784), layers.NewLinear(5, 2, layers.He, rng)), 0, 0, "layer 1 (Linear(5→2)) takes 5 inputs"},
	} {
		in, out, err := Widths(c.model)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Widths(%v): %d, %d, error %v; want an error mentioning %q", c.model, in, out, err, c.err)
			}
			continue
		}
		if err != nil || in != c.in || out != c.out {
			t.Errorf("Widths(%v) = %d, %d, %v; want %d, %d", c.model, in, out, err, c.in, c.out)
		}
	}
}
