package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/modelfile"
)

// -out and -model are created and checked before the data is loaded and
// the model trained.
func TestFoldersCheckedFirst(t *testing.T) {
	exampletest.FoldersCheckedFirst(t, run, "-out", "-model")
}

// The loop written out in run and homework.Train, which runs the same loop
// through train.Run (the later parts train part k's model with it when they
// find none), give the same history and the same model, to the last bit.
func TestLoopIsTrainRun(t *testing.T) {
	exampletest.NeedData(t)
	dir := t.TempDir()
	args := []string{"-download=false", "-updates", "120", "-eval-every", "50", "-frac", "0.05", "-hidden", "32", "-sanity=false", "-out", dir}
	if err := run(args, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	s, _, err := homework.ParseSettings("partk", args[:len(args)-3], io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := homework.LoadData(s, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	model, h, err := homework.Train(s, d, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := h.WriteCSV(&want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, homework.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("part k's loop and train.Run wrote different histories")
	}
	saved, err := modelfile.LoadFile(filepath.Join(dir, homework.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range model.Params() {
		if !slices.Equal(p.Value.Data, saved.Params()[i].Value.Data) {
			t.Errorf("%s differs", p.Name)
		}
	}
}

// Part k does not replace a model another program saved: it names the flag
// to use, before any work.
func TestRefusesAnotherProgramsModel(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	dir := t.TempDir()
	js, err := homework.SettingsJSON("recipe", map[string]any{"dataset": "fashion"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, homework.SettingsFile), js, 0o644); err != nil {
		t.Fatal(err)
	}
	err = run([]string{"-data", t.TempDir(), "-download=false", "-out", t.TempDir(), "-model", dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "recipe trained") || !strings.Contains(err.Error(), "give -model another folder") {
		t.Errorf("got %v, want a refusal naming -model", err)
	}
}
