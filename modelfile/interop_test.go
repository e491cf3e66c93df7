package modelfile

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/npy"
	"github.com/backprop-go/backprop/tensor"
)

// The golden files in testdata/interop were made by numpy and PyTorch
// (testdata/interop/make.py says how); these tests check both directions
// against them with no Python.

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/interop/go_model.* (make.py runs this)")

func golden(name string) string { return filepath.Join("testdata", "interop", name) }

// goldenModel is the Go model of the export check: 6-8-8-3 with random
// weights and biases.
func goldenModel() *layers.Sequential {
	rng := rand.New(rand.NewPCG(10, 10))
	s := layers.NewMLP([]int{6, 8, 8, 3}, layers.He, rng)
	for _, p := range s.Params() {
		if p.Value.Shape[0] == 1 { // biases
			for i := range p.Value.Data {
				p.Value.Data[i] = 0.1 * rng.NormFloat64()
			}
		}
	}
	return s
}

// goldenMix is the Go model with every layer type registered here, with
// random parameters and BatchNorm statistics.
func goldenMix() *layers.Sequential {
	rng := rand.New(rand.NewPCG(11, 11))
	lin := func(in, out int) *layers.Linear {
		l := layers.NewLinear(in, out, layers.He, rng)
		for i := range l.B.Value.Data {
			l.B.Value.Data[i] = 0.1 * rng.NormFloat64()
		}
		return l
	}
	bn := layers.NewBatchNorm1d(8)
	for i := 0; i < 8; i++ {
		bn.Weight.Value.Data[i] = 1 + 0.2*rng.NormFloat64()
		bn.Bias.Value.Data[i] = 0.1 * rng.NormFloat64()
		bn.RunningMean.Data[i] = 0.3 * rng.NormFloat64()
		bn.RunningVar.Data[i] = 0.5 + rng.Float64()
	}
	bn.NumBatchesTracked = 17
	return layers.NewSequential(lin(6, 8), bn, layers.NewGELU("none"), layers.NewDropout(0.2, rng),
		lin(8, 8), layers.NewTanh(), lin(8, 8), layers.NewLeakyReLU(0.1),
		lin(8, 8), layers.NewGELU("tanh"), lin(8, 8), layers.NewSigmoid(),
		lin(8, 8), layers.NewReLU(), lin(8, 3))
}

func readNPY(t *testing.T, name string) *npy.Array {
	t.Helper()
	f, err := os.Open(golden(name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := npy.Read(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return a
}

// logits runs model in evaluation mode on the golden inputs x.npy.
func logits(t *testing.T, model *layers.Sequential) *tensor.Tensor {
	x := readNPY(t, "x.npy")
	model.SetTraining(false)
	return model.Forward(tensor.FromData(x.Data, x.Shape...)).Clone()
}

// compare returns the largest |a−b|/(1+|b|) and whether the row-wise argmax
// (the predicted class) agrees everywhere.
func compare(a *tensor.Tensor, b *npy.Array) (worst float64, samePred bool) {
	samePred = true
	cols := b.Shape[1]
	for i := 0; i < b.Shape[0]; i++ {
		ra, rb := a.Data[i*cols:(i+1)*cols], b.Data[i*cols:(i+1)*cols]
		if argmax(ra) != argmax(rb) {
			samePred = false
		}
		for j := range ra {
			worst = max(worst, math.Abs(ra[j]-rb[j])/(1+math.Abs(rb[j])))
		}
	}
	return worst, samePred
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// TestGoldenGoModel: Go's model files are what Go writes today (bit-exact,
// deterministic), and the logits numpy and torch computed from the
// committed files equal Go's to 1e-12.
func TestGoldenGoModel(t *testing.T) {
	for name, model := range map[string]*layers.Sequential{"go_model": goldenModel(), "go_mix": goldenMix()} {
		var st, nz bytes.Buffer
		if err := Save(&st, model); err != nil {
			t.Fatal(err)
		}
		if err := SaveNPZ(&nz, &Checkpoint{Model: model}); err != nil {
			t.Fatal(err)
		}
		if *updateGolden {
			for file, b := range map[string][]byte{name + ".safetensors": st.Bytes(), name + ".npz": nz.Bytes()} {
				if err := os.WriteFile(golden(file), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		for _, file := range []string{name + ".safetensors", name + ".npz"} {
			raw, err := os.ReadFile(golden(file))
			if err != nil {
				t.Fatal(err)
			}
			if file == name+".safetensors" && !bytes.Equal(raw, st.Bytes()) {
				t.Errorf("%s: Save no longer writes the committed bytes", file)
			}
			loaded, err := Load(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			sameModel(t, model, loaded)
		}
		got := logits(t, model)
		for _, by := range []string{"_logits_numpy_npz.npy", "_logits_numpy_safetensors.npy", "_logits_torch.npy"} {
			worst, same := compare(got, readNPY(t, name+by))
			t.Logf("Go vs %s: max |Δ|/(1+|z|) = %.1e, same predictions: %v", name+by, worst, same)
			if !(worst <= 1e-12) || !same {
				t.Errorf("Go vs %s: max |Δ|/(1+|z|) = %.1e, same predictions: %v; want ≤ 1e-12 and true", name+by, worst, same)
			}
		}
	}
}

// TestGoldenTorchModels: models trained by PyTorch load in Go from either
// file and give PyTorch's logits: to 1e-12 against torch in float64, and to
// float32 rounding against torch computing in float32.
func TestGoldenTorchModels(t *testing.T) {
	for _, c := range []struct {
		model, logits string
		tol           float64
	}{
		{"torch_f64", "torch_f64_logits.npy", 1e-12},
		{"torch_mix", "torch_mix_logits.npy", 1e-12},
		{"torch_f32", "torch_f32_logits_f64.npy", 1e-12},
		// float32 has a 24-bit significand: 2⁻²⁴ ≈ 6e-8 per rounding, a
		// few dozen roundings in a 6-8-8-3 forward pass.
		{"torch_f32", "torch_f32_logits.npy", 1e-6},
	} {
		for _, ext := range []string{".safetensors", ".npz"} {
			m, err := LoadFile(golden(c.model + ext))
			if err != nil {
				t.Fatal(err)
			}
			if want := "Sequential(Linear(6→8), ReLU, Linear(8→8), ReLU, Linear(8→3))"; c.model != "torch_mix" && m.String() != want {
				t.Fatalf("%s%s loaded as %s, want %s", c.model, ext, m, want)
			}
			worst, same := compare(logits(t, m), readNPY(t, c.logits))
			t.Logf("%s%s vs %s: max |Δ|/(1+|z|) = %.1e, same predictions: %v", c.model, ext, c.logits, worst, same)
			if !(worst <= c.tol) || !same {
				t.Errorf("%s%s vs %s: max |Δ|/(1+|z|) = %.1e, same predictions: %v; want ≤ %g and true", c.model, ext, c.logits, worst, same, c.tol)
			}
		}
	}
}
