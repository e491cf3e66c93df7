package modelfile

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// allLayersModel returns a network with every layer type of the package,
// trained for a few steps so that batch norm's running statistics and γ, β
// are no longer their initial values.
func allLayersModel(t *testing.T) *layers.Sequential {
	t.Helper()
	rng := newRNG(11)
	m := layers.NewSequential(
		layers.NewLinear(6, 8, layers.He, rng), layers.NewBatchNorm1d(8), layers.NewReLU(), layers.NewDropout(0.25, rng),
		layers.NewLinear(8, 8, layers.Xavier, rng), layers.NewTanh(), layers.NewSigmoid(), layers.NewLeakyReLU(0.2),
		layers.NewGELU("tanh"), layers.NewGELU("none"), layers.NewLinear(8, 3, layers.Xavier, rng))
	x := tensor.RandNormal(rng, 0, 1, 10, 6)
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0}
	var ce loss.SoftmaxCrossEntropy
	sgd := layers.SGD{LR: 0.1}
	for range 5 {
		ce.Forward(m.Forward(x), y)
		m.Backward(ce.Backward())
		sgd.Step(m.Params())
	}
	return m
}

// TestSaveLoadAllLayers: every layer saves and loads, under PyTorch's class
// names, configs and state_dict names, and the loaded network computes the
// same outputs in evaluation mode.
func TestSaveLoadAllLayers(t *testing.T) {
	m := allLayersModel(t)
	var buf bytes.Buffer
	if err := Save(&buf, m); err != nil {
		t.Fatal(err)
	}
	got, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != m.String() {
		t.Errorf("loaded %v, saved %v", got, m)
	}
	m.SetTraining(false)
	got.SetTraining(false)
	x := tensor.RandNormal(newRNG(12), 0, 1, 4, 6)
	closeTo(t, "evaluation output", got.Forward(x).Data, m.Forward(x).Data, 0)
	bn, bn2 := m.Layers()[1].(*layers.BatchNorm1d), got.Layers()[1].(*layers.BatchNorm1d)
	if bn2.NumBatchesTracked != 5 || !reflect.DeepEqual(bn2.RunningVar.Data, bn.RunningVar.Data) || bn2.Eps != bn.Eps || bn2.Momentum != bn.Momentum {
		t.Errorf("batch norm state not restored: %+v", bn2)
	}
	var again bytes.Buffer
	if err := Save(&again, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("save → load → save changed the bytes")
	}
	arch := buf.String() // the JSON header is plain text in the file
	for _, want := range []string{
		`{"type":"BatchNorm1d","config":{"num_features":8,"eps":0.00001,"momentum":0.1}}`,
		`{"type":"Dropout","config":{"p":0.25}}`, `{"type":"Tanh"}`, `{"type":"Sigmoid"}`,
		`{"type":"LeakyReLU","config":{"negative_slope":0.2}}`,
		`{"type":"GELU","config":{"approximate":"tanh"}}`, `{"type":"GELU","config":{"approximate":"none"}}`,
		`"1.running_mean":{"dtype":"F64","shape":[8]`, `"1.num_batches_tracked":{"dtype":"I64","shape":[]`,
		`"1.weight":{"dtype":"F64","shape":[8]`,
	} {
		if !strings.Contains(arch, want) && !strings.Contains(arch, jsonInString(want)) {
			t.Errorf("model file lacks %s", want)
		}
	}

	// The loaded Dropout has no generator: it evaluates, but refuses to
	// train until it gets one.
	got.SetTraining(true)
	func() {
		defer func() {
			if msg, _ := recover().(string); !strings.Contains(msg, "needs SetRand before it trains") {
				t.Errorf("a loaded Dropout trained without a generator: panic %q", msg)
			}
		}()
		got.Forward(x)
	}()
	got.Layers()[3].(*layers.Dropout).SetRand(rand.New(rand.NewPCG(1, 1)))
	got.Forward(x)
}

// jsonInString returns s as it appears inside a JSON string (the
// architecture is stored as a string in the safetensors metadata).
func jsonInString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// TestLoadBadLayerConfigs: configs that no layer can have are refused with
// an error naming the problem, not loaded into a broken layer.
func TestLoadBadLayerConfigs(t *testing.T) {
	m := layers.NewSequential(layers.NewBatchNorm1d(2), layers.NewDropout(0.5, newRNG(1)), layers.NewLeakyReLU(0.1), layers.NewGELU("none"))
	var buf bytes.Buffer
	if err := Save(&buf, m); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	for _, tc := range []struct{ from, to, want string }{
		{`\"p\":0.5`, `\"p\":1.5`, "p 1.5 must be in [0, 1]"},
		{`\"negative_slope\":0.1`, `\"negative_slope\":-1`, "negative_slope -1 must be finite and ≥ 0"},
		{`\"approximate\":\"none\"`, `\"approximate\":\"erf!\"`, `approximate "erf!" must be "none" or "tanh"`},
		{`\"eps\":0.00001`, `\"eps\":0.00000`, "eps 0 must be positive"},
		{`\"num_features\":2`, `\"num_features\":3`, `tensor "weight" has shape [2], want [3]`},
		{`\"momentum\":0.1`, `\"momentum\":0.1,\"affine\":false`, "affine=false"},
	} {
		bad := strings.Replace(good, tc.from, tc.to, 1)
		if bad == good {
			t.Fatalf("%s not found in the file", tc.from)
		}
		bad = fixHeaderLength(bad, len(bad)-len(good))
		_, err := Load(strings.NewReader(bad))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.to, err, tc.want)
		}
	}
}

// fixHeaderLength adds grow to the little-endian header length in the first
// 8 bytes of a safetensors file whose JSON header changed size.
func fixHeaderLength(f string, grow int) string {
	b := []byte(f)
	var n uint64
	for i := 7; i >= 0; i-- {
		n = n<<8 | uint64(b[i])
	}
	n += uint64(grow)
	for i := range 8 {
		b[i] = byte(n >> (8 * i))
	}
	return string(b)
}
