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

// Bad settings and folders are refused before the data is loaded: -batch 1
// with -batchnorm, a -warmup that is not a number, an -out that is a file or
// holds part k's model.
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
		{[]string{"-batchnorm", "-batch", "1"}, "-batch 1 with -batchnorm"},
		{[]string{"-warmup", "NaN"}, "-warmup NaN"},
		{[]string{"-out", file}, "-out " + file},
		{[]string{"-out", partk}, "partk trained"},
	} {
		args := append([]string{"-data", t.TempDir(), "-download=false", "-out", t.TempDir()}, c.args...)
		if err := run(args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.args, err, c.want)
		}
	}
}

// A short run with every part of the recipe trains, saves and reports.
func TestRunShort(t *testing.T) {
	exampletest.NeedData(t)
	dir := t.TempDir()
	out := exampletest.Run(t, run, "-download=false", "-out", dir, "-updates", "40", "-eval-every", "20", "-frac", "0.05",
		"-hidden", "16", "-batchnorm", "-dropout", "0.2", "-optimizer", "adamw", "-schedule", "cosine", "-warmup", "0.5",
		"-flip", "-tta", "-sanity=false")
	exampletest.Contains(t, out, "test-time flip averaging", "validation accuracy", "held-out test accuracy", "whole test split")
	for _, f := range []string{homework.ModelFile, homework.HistoryFile, homework.SettingsFile, "loss.png", "error.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
