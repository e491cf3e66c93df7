package main

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/npy"
	"github.com/backprop-go/backprop/tensor"
)

// The folders are checked before the data is loaded and a model trained.
func TestFoldersCheckedFirst(t *testing.T) {
	exampletest.FoldersCheckedFirst(t, run, "-out", "-model")
}

// cnn is examples/cnn's network (newCNN), with its weights drawn from seed.
func cnn(seed uint64) *layers.Sequential {
	rng := rand.New(rand.NewPCG(seed, 0))
	noBias := layers.Conv2dOptions{Padding: 1, NoBias: true}
	return layers.NewSequential(
		layers.NewUnflatten(1, 28, 28),
		layers.NewConv2d(1, 32, 3, noBias, rng), layers.NewBatchNorm2d(32), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewConv2d(32, 64, 3, noBias, rng), layers.NewBatchNorm2d(64), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewFlatten(), layers.NewLinear(64*7*7, 128, layers.He, rng), layers.NewReLU(),
		layers.NewLinear(128, 10, layers.Xavier, rng),
	)
}

// model.py for examples/cnn's network: PyTorch's modules in Go's order,
// so that their indices, and so the state_dict keys, are the file's.
func TestTorchSequentialCNN(t *testing.T) {
	model := cnn(1)
	_, names, err := safetensorsFile(model)
	if err != nil {
		t.Fatal(err)
	}
	py, err := torchSequential(model, names)
	if err != nil {
		t.Fatal(err)
	}
	want := `    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),                            # 0
        nn.Conv2d(1, 32, kernel_size=3, padding=1, bias=False),  # 1: 1.weight
        nn.BatchNorm2d(32, eps=1e-05, momentum=0.1),             # 2: 2.weight 2.bias 2.running_mean 2.running_var 2.num_batches_tracked
        nn.ReLU(),                                               # 3
        nn.MaxPool2d(2),                                         # 4
        nn.Conv2d(32, 64, kernel_size=3, padding=1, bias=False), # 5: 5.weight
        nn.BatchNorm2d(64, eps=1e-05, momentum=0.1),             # 6: 6.weight 6.bias 6.running_mean 6.running_var 6.num_batches_tracked
        nn.ReLU(),                                               # 7
        nn.MaxPool2d(2),                                         # 8
        nn.Flatten(),                                            # 9
        nn.Linear(3136, 128),                                    # 10: 10.weight 10.bias
        nn.ReLU(),                                               # 11
        nn.Linear(128, 10),                                      # 12: 12.weight 12.bias
    ).double()
`
	if !strings.Contains(py, want) {
		t.Errorf("model.py for examples/cnn's network:\n%s\nwant it to hold\n%s", py, want)
	}
	for _, w := range []string{"import torch\n", "from torch import nn\n", "def build():\n", "def load_safetensors(path):\n"} {
		if !strings.Contains(py, w) {
			t.Errorf("model.py lacks %q", w)
		}
	}
}

// Every other layer with a PyTorch module, and the arguments that differ
// from PyTorch's defaults.
func TestTorchModules(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for _, c := range []struct {
		l    layers.Layer
		want string
	}{
		{layers.NewLeakyReLU(0.1), "nn.LeakyReLU(negative_slope=0.1)"},
		{layers.NewGELU("none"), "nn.GELU()"},
		{layers.NewGELU("tanh"), `nn.GELU(approximate="tanh")`},
		{&layers.Dropout{P: 0.25}, "nn.Dropout(p=0.25)"},
		{layers.NewSigmoid(), "nn.Sigmoid()"},
		{layers.NewTanh(), "nn.Tanh()"},
		{layers.NewBatchNorm1d(7), "nn.BatchNorm1d(7, eps=1e-05, momentum=0.1)"},
		{layers.NewConv2d(3, 8, 5, layers.Conv2dOptions{Stride: 2}, rng), "nn.Conv2d(3, 8, kernel_size=5, stride=2)"},
		{layers.NewMaxPool2d(3, 2), "nn.MaxPool2d(3, stride=2)"},
		{layers.NewAvgPool2d(2, 0), "nn.AvgPool2d(2)"},
		{layers.NewGlobalAvgPool2d(), "nn.AdaptiveAvgPool2d(1)"},
		{layers.NewUnflatten(784), "nn.Unflatten(1, (784,))"},
	} {
		got, err := torchModule(c.l)
		if err != nil || got != c.want {
			t.Errorf("%v: %q, %v; want %q", c.l, got, err, c.want)
		}
	}
}

// own is a layer of a program's own, which PyTorch has no module for.
type own struct{ layers.ReLU }

func TestTorchSequentialRefusesOwnLayer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	model := layers.NewSequential(layers.NewLinear(4, 3, layers.He, rng), &own{})
	_, err := torchSequential(model, nil)
	if err == nil || !strings.Contains(err.Error(), "layer 1") || !strings.Contains(err.Error(), "main.own") {
		t.Errorf("a model with a layer of its own: %v, want an error naming layer 1 and its type", err)
	}
}

// torchFolder writes what from_torch.py writes, for a model Go made: the
// model in both formats, inputs and the model's logits for them.
func torchFolder(t *testing.T) (dir string, logits *tensor.Tensor) {
	t.Helper()
	dir = t.TempDir()
	model := cnn(2)
	// Batch norm statistics that are not the identity's.
	rng := rand.New(rand.NewPCG(3, 0))
	for _, l := range model.Layers() {
		if b, ok := l.(*layers.BatchNorm2d); ok {
			for i := range b.RunningMean.Data {
				b.RunningMean.Data[i] = rng.NormFloat64()
				b.RunningVar.Data[i] = 0.5 + rng.Float64()
			}
			b.NumBatchesTracked = 20
		}
	}
	if err := modelfile.SaveFile(filepath.Join(dir, "model.safetensors"), model); err != nil {
		t.Fatal(err)
	}
	if err := modelfile.SaveNPZFile(filepath.Join(dir, "model.npz"), &modelfile.Checkpoint{Model: model}); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(7, 784) // an odd number of rows
	for i := range x.Data {
		x.Data[i] = rng.Float64()
	}
	model.SetTraining(false)
	logits = model.Forward(x).Clone()
	writeArray(t, filepath.Join(dir, "inputs.npy"), x)
	writeArray(t, filepath.Join(dir, "logits.npy"), logits)
	return dir, logits
}

func writeArray(t *testing.T, path string, a *tensor.Tensor) {
	t.Helper()
	if err := writeNPY(path, &npy.Array{Shape: a.Shape, Data: a.Data}); err != nil {
		t.Fatal(err)
	}
}

// -torch accepts logits that are the model's, and refuses any that differ
// by more than torchTol, NaN, and files that do not fit together.
func TestCheckTorch(t *testing.T) {
	dir, logits := torchFolder(t)
	out := exampletest.Run(t, run, "-torch", dir)
	exampletest.Contains(t, out, "Go, model.safetensors  max |Δ| 0.0e+00   same predictions 7/7   ok",
		"Go, model.npz          max |Δ| 0.0e+00   same predictions 7/7   ok", "Go's logits are PyTorch's")

	// Half the tolerance passes, twice fails.
	for _, c := range []struct {
		delta float64
		pass  bool
	}{{torchTol / 2, true}, {2 * torchTol, false}, {math.NaN(), false}} {
		bad := logits.Clone()
		bad.Data[13] += c.delta
		writeArray(t, filepath.Join(dir, "logits.npy"), bad)
		var stdout bytes.Buffer
		err := run([]string{"-torch", dir}, &stdout, io.Discard)
		if (err == nil) != c.pass {
			t.Errorf("logits off by %g: %v, want pass %v\n%s", c.delta, err, c.pass, stdout.String())
		}
	}

	// Inputs of another width: an error, not Unflatten's panic.
	writeArray(t, filepath.Join(dir, "logits.npy"), logits)
	writeArray(t, filepath.Join(dir, "inputs.npy"), tensor.New(7, 783))
	if err := run([]string{"-torch", dir}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "784 features") {
		t.Errorf("inputs of 783 features: %v, want an error naming the model's 784", err)
	}
	writeArray(t, filepath.Join(dir, "inputs.npy"), tensor.New(6, 784))
	if err := run([]string{"-torch", dir}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "inputs.npy [6 784] and logits.npy [7 10]") {
		t.Errorf("6 inputs and 7 rows of logits: %v, want an error naming both shapes", err)
	}
	if err := os.Remove(filepath.Join(dir, "model.npz")); err != nil {
		t.Fatal(err)
	}
	writeArray(t, filepath.Join(dir, "inputs.npy"), tensor.New(7, 784))
	if err := run([]string{"-torch", dir}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "model.npz") {
		t.Errorf("no model.npz: %v, want an error naming it", err)
	}
	if err := run([]string{"-torch", dir, "-lr", "0.1"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-lr") {
		t.Errorf("-torch with -lr: %v, want an error naming -lr", err)
	}
}

// A model another program saved is exported as it is: training flags, and
// a -dataset or -range other than its own, are refused before any work,
// as is an -out folder that holds another program's model.
func TestSavedModelRefusals(t *testing.T) {
	exampletest.RefusedBeforeWork(t, run, func(file, partk string) []exampletest.Refusal {
		cnnDir := t.TempDir()
		js, err := homework.SettingsJSON("cnn", map[string]any{"dataset": "fashion", "range": "0,1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cnnDir, homework.SettingsFile), js, 0o644); err != nil {
			t.Fatal(err)
		}
		return []exampletest.Refusal{
			{Args: []string{"-model", cnnDir, "-lr", "0.1"}, Want: "-model " + cnnDir + " holds a model that cnn trained, which export takes as it is: [-lr] does not apply"},
			{Args: []string{"-model", cnnDir, "-dataset", "mnist"}, Want: "-dataset mnist (the model was trained with fashion)"},
			{Args: []string{"-model", cnnDir, "-range", "-1,1"}, Want: "-range -1,1 (the model was trained with 0,1)"},
			{Args: []string{"-model", cnnDir, "-out", partk}, Want: "holds a model that partk trained"},
		}
	})
}

// A convolutional model another program saved, on the real test split: the
// files are written and test_logits.npy is the model's output for
// test_inputs.npy, computed again here in one batch.
func TestExportSavedCNN(t *testing.T) {
	exampletest.NeedData(t)
	dir, out := t.TempDir(), t.TempDir()
	rng := rand.New(rand.NewPCG(4, 0))
	model := layers.NewSequential(
		layers.NewUnflatten(1, 28, 28), layers.NewConv2d(1, 2, 3, layers.Conv2dOptions{}, rng), layers.NewBatchNorm2d(2),
		layers.NewReLU(), layers.NewMaxPool2d(2, 0), layers.NewFlatten(), layers.NewLinear(2*13*13, 10, layers.Xavier, rng))
	if err := modelfile.SaveFile(filepath.Join(dir, homework.ModelFile), model); err != nil {
		t.Fatal(err)
	}
	js, err := homework.SettingsJSON("cnn", map[string]any{"dataset": "fashion", "range": "-1,1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, homework.SettingsFile), js, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout := exampletest.Run(t, run, "-model", dir, "-out", out)
	exampletest.Contains(t, stdout, "model.py", "check.py "+out)

	x, err := readNPY(filepath.Join(out, "test_inputs.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Shape) != 2 || x.Shape[0] != 10000 || x.Shape[1] != 784 {
		t.Fatalf("test_inputs.npy is %v, want the 10000×784 test split", x.Shape)
	}
	numtest.Within(t, "smallest input (range -1,1)", minOf(x.Data), -1, -0.99)
	logits, err := readNPY(filepath.Join(out, "test_logits.npy"))
	if err != nil {
		t.Fatal(err)
	}
	model.SetTraining(false)
	numtest.SameSlices(t, "test_logits.npy", logits.Data, model.Forward(tensor.FromData(x.Data, x.Shape...)).Data)

	py, err := os.ReadFile(filepath.Join(out, "model.py"))
	if err != nil {
		t.Fatal(err)
	}
	exampletest.Contains(t, string(py), "nn.Conv2d(1, 2, kernel_size=3),", "# 6: 6.weight 6.bias")
	loaded, err := modelfile.LoadFile(filepath.Join(out, "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.String() != model.String() {
		t.Errorf("model.npz holds %v, want %v", loaded, model)
	}
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}
