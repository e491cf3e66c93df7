package main

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
)

// Models that modelfile.LoadFile accepts but that cannot score the images get
// an error naming the layer and the mismatch, not a panic.
func TestFits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		name  string
		model *layers.Sequential
		want  []string
	}{
		{"empty", layers.NewSequential(), []string{"no parameters"}},
		{"ReLU only", layers.NewSequential(layers.NewReLU()), []string{"no parameters", "ReLU"}},
		{"5 outputs", layers.NewSequential(layers.NewLinear(784, 5, layers.He, rng)), []string{"5 outputs", "10 classes"}},
		{"BatchNorm1d before a narrower Linear", layers.NewSequential(layers.NewBatchNorm1d(784), layers.NewLinear(5, 2, layers.He, rng)),
			[]string{"layer 1", "Linear(5→2)", "takes 5 inputs", "give 784"}},
		{"BatchNorm1d of the wrong width", layers.NewSequential(layers.NewBatchNorm1d(100), layers.NewLinear(784, 10, layers.He, rng)),
			[]string{"layer 0", "BatchNorm1d(100)", "normalises 100 features", "images have 784 pixels"}},
		{"wrong input width", layers.NewMLP([]int{100, 10}, layers.He, rng), []string{"layer 0", "takes 100 inputs", "784 pixels"}},
	} {
		err := fits(c.model, 784, 10)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
	if err := fits(layers.NewMLP([]int{784, 32, 10}, layers.He, rng), 784, 10); err != nil {
		t.Errorf("part k's network: %v", err)
	}
	cnn := func(flat int) *layers.Sequential {
		return layers.NewSequential(layers.NewUnflatten(1, 28, 28),
			layers.NewConv2d(1, 4, 3, layers.Conv2dOptions{Padding: 1}, rng), layers.NewBatchNorm2d(4), layers.NewReLU(),
			layers.NewMaxPool2d(2, 0), layers.NewFlatten(), layers.NewLinear(flat, 10, layers.Xavier, rng))
	}
	if err := fits(cnn(4*14*14), 784, 10); err != nil {
		t.Errorf("a CNN: %v", err)
	}
	// A CNN whose Linear layer expects another size of map: the layer is
	// named, not a panic.
	err := fits(cnn(4*7*7), 784, 10)
	for _, w := range []string{"cannot take images of 784 pixels", "layer 6", "Linear(196→10)"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("a CNN with a Linear(196→10) after 4×14×14 maps: error %v, want it to say %q", err, w)
		}
	}
	if err := fits(cnn(4*14*14), 100, 10); err == nil || !strings.Contains(err.Error(), "Unflatten") {
		t.Errorf("a CNN on 100-pixel images: error %v, want it to name the Unflatten", err)
	}
}

// saved writes an untrained 784-8-10 model and a settings.json saying it
// was trained with -seed 3 -tta into a new folder.
func saved(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	model := layers.NewMLP([]int{784, 8, 10}, layers.He, rand.New(rand.NewPCG(1, 1)))
	if err := modelfile.SaveFile(filepath.Join(dir, homework.ModelFile), model); err != nil {
		t.Fatal(err)
	}
	js, err := homework.SettingsJSON("recipe", map[string]any{"dataset": "fashion", "seed": 3, "range": "0,1", "tta": true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, homework.SettingsFile), js, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The settings saved beside the model decide which half of the test split
// is validation: a flag that contradicts them is refused before any work,
// a flag not given takes the saved value, and -tta given otherwise is a
// warning.
func TestSettingsBesideTheModel(t *testing.T) {
	dir := saved(t)
	for _, args := range [][]string{{"-seed", "1"}, {"-dataset", "mnist"}, {"-range", "-1,1"}} {
		err := run(append([]string{"-model", dir, "-data", t.TempDir(), "-download=false"}, args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), args[0]+" "+args[1]) || !strings.Contains(err.Error(), homework.SettingsFile) {
			t.Errorf("%q against the saved settings: %v", args, err)
		}
	}

	exampletest.NeedData(t)
	var out, log bytes.Buffer
	if err := run([]string{"-model", dir, "-download=false", "-tta=false"}, &out, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "warning: the model was scored with -tta=true") {
		t.Errorf("-tta=false against a -tta model: no warning:\n%s", log.String())
	}
	var same bytes.Buffer
	if err := run([]string{"-model", dir, "-download=false", "-seed", "3", "-tta=false"}, &same, io.Discard); err != nil {
		t.Fatal(err)
	}
	if out.String() != same.String() {
		t.Errorf("without -seed it did not use the saved seed 3:\n%s\nwith -seed 3:\n%s", out.String(), same.String())
	}
}

// A model that cannot score the images is refused with the reason, not a
// panic, through the whole program.
func TestRunRefusesUnfitModel(t *testing.T) {
	exampletest.NeedData(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "five.safetensors")
	if err := modelfile.SaveFile(file, layers.NewSequential(layers.NewLinear(784, 5, layers.He, rand.New(rand.NewPCG(1, 1))))); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-file", file, "-download=false"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "5 outputs") {
		t.Errorf("Linear(784→5): %v", err)
	}
}
