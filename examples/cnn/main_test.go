package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
	"github.com/backprop-go/backprop/examples/internal/homework"
)

// Bad settings and folders are refused before the data is loaded.
func TestRefusedBeforeWork(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	partk := t.TempDir()
	js, err := homework.SettingsJSON("partk", map[string]any{"dataset": "fashion"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(partk, homework.SettingsFile), js, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-batch", "1"}, "-batch 1"},
		{[]string{"-optimizer", "lbfgs"}, `-optimizer "lbfgs"`},
		{[]string{"-weight-decay", "NaN"}, "-weight-decay NaN"},
		{[]string{"-warmup", "-1"}, "-warmup -1"},
		{[]string{"-lr", "0"}, "-lr 0"},
		{[]string{"-out", file}, "-out " + file},
		{[]string{"-model", partk}, "partk trained"},
	} {
		args := append([]string{"-data", t.TempDir(), "-download=false", "-out", t.TempDir()}, c.args...)
		if err := run(args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.args, err, c.want)
		}
	}
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
