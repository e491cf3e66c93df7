package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/modelfile"
)

// Bad settings and folders are refused before the data is loaded.
func TestRefusedBeforeWork(t *testing.T) {
	exampletest.RefusedBeforeWork(t, run, func(file, partk string) []exampletest.Refusal {
		return []exampletest.Refusal{
			{Args: []string{"-batch", "1"}, Want: "-batch 1"},
			{Args: []string{"-optimizer", "lbfgs"}, Want: `-optimizer "lbfgs"`},
			{Args: []string{"-weight-decay", "NaN"}, Want: "-weight-decay NaN"},
			{Args: []string{"-warmup", "-1"}, Want: "-warmup -1"},
			{Args: []string{"-lr", "0"}, Want: "-lr 0"},
			{Args: []string{"-label-smoothing", "1"}, Want: "-label-smoothing 1"},
			{Args: []string{"-label-smoothing", "NaN"}, Want: "-label-smoothing NaN"},
			{Args: []string{"-dropout", "1"}, Want: "-dropout 1"},
			{Args: []string{"-dropout", "NaN"}, Want: "-dropout NaN"},
			{Args: []string{"-augment", "14"}, Want: "-augment 14"},
			{Args: []string{"-augment", "-1"}, Want: "-augment -1"},
			{Args: []string{"-channels", "32"}, Want: `-channels "32"`},
			{Args: []string{"-channels", "32,0"}, Want: `-channels "32,0"`},
			{Args: []string{"-channels", "257,64"}, Want: `-channels "257,64"`},
			{Args: []string{"-channels", "32,64,128"}, Want: `-channels "32,64,128"`},
			{Args: []string{"-channels", "32,64x"}, Want: `-channels "32,64x"`},
			{Args: []string{"-convs", "0"}, Want: "-convs 0"},
			{Args: []string{"-convs", "3"}, Want: "-convs 3"},
			{Args: []string{"-rotate", "46"}, Want: "-rotate 46"},
			{Args: []string{"-rotate", "NaN"}, Want: "-rotate NaN"},
			{Args: []string{"-elastic", "-1"}, Want: "-elastic -1"},
			{Args: []string{"-elastic", "+Inf"}, Want: "-elastic +Inf"},
			{Args: []string{"-dataset", "mnist", "-flip"}, Want: "a mirrored digit is no digit"},
			{Args: []string{"-dataset", "mnist", "-tta"}, Want: "a mirrored digit is no digit"},
			{Args: []string{"-out", file}, Want: "-out " + file},
			{Args: []string{"-model", partk}, Want: "partk trained"},
		}
	})
}

// A short run on a small subsample trains, reports the three accuracies and
// writes the model, its history, its settings and every figure. (Same seed,
// same history is train.Run's test; .ci/examples checks it on this program.)
func TestRunShort(t *testing.T) {
	exampletest.NeedData(t)
	dir := t.TempDir()
	out := exampletest.Run(t, run, "-download=false", "-out", dir, "-updates", "8", "-eval-every", "8",
		"-frac", "0.01", "-batch", "16", "-optimizer", "momentum", "-lr", "0.01")
	exampletest.Contains(t, out, "validation accuracy", "held-out test accuracy", "whole test split")
	for _, f := range []string{homework.ModelFile, homework.HistoryFile, homework.SettingsFile,
		"loss.png", "error.png", "filters.png", "features.png", "confusion.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// The recipe flags train and, with -tta, the report shows the plain model's
// scores and the flip-averaged ones, settings.json records them, and the
// saved model holds the Dropout layer and the blocks of -channels and
// -convs.
func TestRunRecipe(t *testing.T) {
	exampletest.NeedData(t)
	dir := t.TempDir()
	out := exampletest.Run(t, run, "-download=false", "-out", dir, "-updates", "6", "-eval-every", "6",
		"-frac", "0.01", "-batch", "16", "-augment", "2", "-flip", "-label-smoothing", "0.1", "-tta", "-dropout", "0.3",
		"-rotate", "5", "-elastic", "10", "-channels", "8,16", "-convs", "2")
	exampletest.Contains(t, out, "without test-time flips:", "with test-time flips (-tta)")
	if n := strings.Count(out, "held-out test accuracy"); n != 2 {
		t.Errorf("%d held-out lines, want 2 (plain and flip-averaged):\n%s", n, out)
	}
	settings, err := os.ReadFile(filepath.Join(dir, homework.SettingsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"augment": 2`, `"flip": true`, `"label-smoothing": 0.1`, `"tta": true`, `"dropout": 0.3`,
		`"rotate": 5`, `"elastic": 10`, `"channels": [`, `"convs": 2`} {
		if !strings.Contains(string(settings), want) {
			t.Errorf("settings.json lacks %s:\n%s", want, settings)
		}
	}
	m, err := modelfile.LoadFile(filepath.Join(dir, homework.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	got := m.String()
	if !strings.Contains(got, "ReLU, Dropout(0.3), Linear(128→10)") {
		t.Errorf("saved model %s, want Dropout(0.3) before the last Linear", got)
	}
	want := "Unflatten(1×28×28), " +
		"Conv2d(1→8, 3×3, stride 1, padding 1, no bias), BatchNorm2d(8), ReLU, " +
		"Conv2d(8→8, 3×3, stride 1, padding 1, no bias), BatchNorm2d(8), ReLU, MaxPool2d(2×2, stride 2), " +
		"Conv2d(8→16, 3×3, stride 1, padding 1, no bias), BatchNorm2d(16), ReLU, " +
		"Conv2d(16→16, 3×3, stride 1, padding 1, no bias), BatchNorm2d(16), ReLU, MaxPool2d(2×2, stride 2), " +
		"Flatten, Linear(784→128)"
	if !strings.Contains(got, want) {
		t.Errorf("saved model %s, want %s (-channels 8,16 -convs 2)", got, want)
	}
}
