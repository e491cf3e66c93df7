package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
	"github.com/backprop-go/backprop/examples/internal/homework"
)

// Bad settings and folders are refused before the data is loaded: -batch 1
// with -batchnorm, a -warmup that is not a number, an -out that is a file or
// holds part k's model.
func TestRefusedBeforeWork(t *testing.T) {
	exampletest.RefusedBeforeWork(t, run, func(file, partk string) []exampletest.Refusal {
		return []exampletest.Refusal{
			{Args: []string{"-batchnorm", "-batch", "1"}, Want: "-batch 1 with -batchnorm"},
			{Args: []string{"-warmup", "NaN"}, Want: "-warmup NaN"},
			{Args: []string{"-out", file}, Want: "-out " + file},
			{Args: []string{"-out", partk}, Want: "partk trained"},
		}
	})
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
