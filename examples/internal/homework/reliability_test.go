package homework

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// savedFolder saves a 4-3-2 model trained (so the history says) with flags
// -hidden 3 into a fresh folder and returns the flags.
func savedFolder(t *testing.T) (*Settings, *layers.Sequential) {
	t.Helper()
	f := parse(t, "-model", t.TempDir(), "-hidden", "3")
	model := layers.NewMLP([]int{4, 3, 2}, layers.He, f.Rand(ForInit))
	if err := SaveModel(f.Model, "partk", f, model, history(), nil); err != nil {
		t.Fatal(err)
	}
	return f, model
}

func history() *train.History {
	return &train.History{
		Train: []train.Point{{Update: 1, Epoch: 1, Loss: 2, Error: 0.5}, {Update: 2, Epoch: 1, Loss: 1, Error: 0.25}},
		Val:   []train.Point{{Update: 2, Epoch: 1, Loss: 1.5, Error: 0.4}},
		Test:  []train.Point{{Update: 2, Epoch: 1, Loss: 1.6, Error: 0.45}}, // the held-out half, evaluated once
	}
}

// history.csv and settings.json are written like the model: 0644, through
// the one atomic-write helper (issue #9, case 17); and the temporaries a
// killed run left beside them are removed by the next save (case 16).
func TestSaveModelFiles(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	stale := []string{".model.safetensors.tmp123", "history.csv.456.tmp", ".settings.json.tmp7"}
	for _, n := range stale {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	f := parse(t, "-model", dir, "-hidden", "3")
	if err := SaveModel(dir, "partk", f, layers.NewMLP([]int{4, 3, 2}, layers.He, f.Rand(ForInit)), history(), nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, _ := e.Info()
		if info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", e.Name(), info.Mode().Perm())
		}
	}
	if got := strings.Join(names, " "); got != "history.csv model.safetensors settings.json" {
		t.Errorf("folder holds %s", got)
	}
}

// A save that fails half-way must not leave settings that describe the new
// run beside an old model or history: settings.json is removed first and
// written last (issue #9, case 8).
func TestSaveModelSettingsLast(t *testing.T) {
	f, model := savedFolder(t)
	// history.csv becomes a non-empty folder: renaming over it fails.
	hist := filepath.Join(f.Model, HistoryFile)
	os.Remove(hist)
	if err := os.MkdirAll(filepath.Join(hist, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := SaveModel(f.Model, "partk", f, model, history(), nil); err == nil {
		t.Fatal("SaveModel over a history.csv folder succeeded")
	}
	if _, err := os.Stat(filepath.Join(f.Model, SettingsFile)); !os.IsNotExist(err) {
		t.Errorf("settings.json survives a failed save (stat: %v)", err)
	}
	if _, _, err := loadModel(f, 4, 2); err == nil {
		t.Error("a half-saved folder is reused")
	}
}

// The loaded model's layer sizes are checked against the flags, whatever
// settings.json says (issue #9, case 8).
func TestLoadModelChecksSizes(t *testing.T) {
	f, _ := savedFolder(t)
	other := layers.NewMLP([]int{4, 5, 2}, layers.He, f.Rand(ForInit))
	if err := modelfile.SaveFile(filepath.Join(f.Model, ModelFile), other); err != nil {
		t.Fatal(err)
	}
	_, _, err := loadModel(f, 4, 2)
	if err == nil || !strings.Contains(err.Error(), "[4 5 2]") || !strings.Contains(err.Error(), "[4 3 2]") {
		t.Errorf("a 4-5-2 model under -hidden 3: %v", err)
	}
	if _, _, err := loadModel(f, 6, 2); err == nil {
		t.Error("a model for 4 inputs is reused for 6")
	}
}

// Parts l and m index the first and last points of the history: one that
// has only its header, or lost its last validation row, is refused, not
// indexed (issue #9, case 6).
func TestLoadModelChecksHistory(t *testing.T) {
	for _, c := range []struct {
		name string
		h    *train.History
	}{
		{"header only", &train.History{}},
		{"no validation", &train.History{Train: history().Train}},
		{"last validation lost", &train.History{Train: history().Train, Val: []train.Point{{Update: 1, Epoch: 1, Loss: 1, Error: 1}}}},
	} {
		f, model := savedFolder(t)
		if err := SaveModel(f.Model, "partk", f, model, c.h, nil); err != nil {
			t.Fatal(err)
		}
		_, _, err := loadModel(f, 4, 2)
		if err == nil || !strings.Contains(err.Error(), HistoryFile) {
			t.Errorf("%s: %v, want an error naming %s", c.name, err, HistoryFile)
		}
	}
	f, _ := savedFolder(t)
	if _, _, err := loadModel(f, 4, 2); err != nil {
		t.Errorf("a complete folder: %v", err)
	}
}

// A network whose parameters, gradients and buffers cannot fit in memory is
// refused when the flags are parsed, with one line saying how much it
// needs, instead of "fatal error: out of memory" and a stack trace (issue
// #9, case 5).
func TestParseRefusesNetworkTooBigForMemory(t *testing.T) {
	_, _, err := ParseSettings("partk", []string{"-hidden", "100000000"}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "-hidden") || !strings.Contains(err.Error(), "needs at least") {
		t.Fatalf("-hidden 100000000: %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("more than one line: %q", err)
	}
	defer func(old int64) { MemoryLimit = old }(MemoryLimit)
	MemoryLimit = 1 << 30
	for _, args := range [][]string{{"-hidden", "100000"}, {"-hidden", "9223372036854775807"}, {"-hidden", "64", "-batch", "10000000"}} {
		if _, _, err := ParseSettings("partk", args, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "1.1 GB") {
			t.Errorf("%q under a 1 GiB limit: %v", args, err)
		}
	}
	if _, _, err := ParseSettings("partk", []string{"-hidden", "256,128"}, io.Discard, nil); err != nil {
		t.Errorf("the default network under a 1 GiB limit: %v", err)
	}
}

// tiny returns a 10-class problem of n samples of 4 features with random
// labels: nothing to learn, so a model ends at chance.
func tiny(n int) *Data {
	f := Settings{Seed: 9}
	rng := f.Rand(ForSubsample)
	set := func() *train.Set {
		s := &train.Set{X: tensor.New(n, 4), Y: make([]int, n)}
		for i := range s.X.Data {
			s.X.Data[i] = rng.NormFloat64()
		}
		for i := range s.Y {
			s.Y[i] = rng.IntN(10)
		}
		return s
	}
	classes := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	return &Data{TrainSplit: &data.Dataset{Classes: classes}, TestSplit: &data.Dataset{Classes: classes}, Train: set(), Val: set()}
}

// Epochs × batches that overflows is refused by the examples too (issue
// #9, case 9).
func TestTrainEpochsOverflow(t *testing.T) {
	f := parse(t, "-hidden", "8", "-epochs", "9164373921480438223", "-batch", "10")
	_, _, err := Train(f, tiny(200), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-epochs 9164373921480438223") {
		t.Errorf("got %v, want an error naming -epochs", err)
	}
}

// A run that ends no better than chance says so (issue #9, case 13).
func TestTrainWarnsAtChance(t *testing.T) {
	f := parse(t, "-hidden", "8", "-epochs", "2", "-batch", "50")
	var log strings.Builder
	if _, _, err := Train(f, tiny(1000), &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "no better than chance") {
		t.Errorf("log does not warn:\n%s", log.String())
	}
}

// Every output folder is created and checked before any data is loaded:
// a bad -out or -model must not throw away a trained model (issue #9,
// case 14).
func TestLoadPartKModelChecksFoldersFirst(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, flag := range []string{"-out", "-model"} {
		args := []string{"-out", t.TempDir(), "-model", t.TempDir(), flag, file, "-data", empty, "-download=false"}
		_, _, _, _, err := LoadPartKModel("partm", args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), flag+" "+file) {
			t.Errorf("%s naming a file: %v, want an error about %s before the data", flag, err, flag)
		}
	}
	out := filepath.Join(t.TempDir(), "new", "out")
	if err := CheckFolders("-out", out); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out); err != nil || !st.IsDir() {
		t.Errorf("-out %s not created: %v", out, err)
	}
	if got, _ := os.ReadDir(out); len(got) != 0 {
		t.Errorf("the check left %v behind", got)
	}
}

// A run that reuses the saved model saves nothing, so it removes the
// temporaries a killed save left beside it itself (issue #9, case 16).
func TestModelReuseRemovesStaleTemporaries(t *testing.T) {
	f, _ := savedFolder(t)
	old := time.Now().Add(-time.Hour)
	// The older model.bin's temporaries too, which no save removes now.
	var stales []string
	for _, n := range []string{".model.safetensors.tmp42", ".model.bin.tmp43", "model.bin.7.tmp"} {
		stale := filepath.Join(f.Model, n)
		if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(stale, old, old)
		stales = append(stales, stale)
	}
	d := tiny(20)
	d.TrainSplit.Classes = d.TrainSplit.Classes[:2]
	var log strings.Builder
	if _, _, err := Model(f, d, &log); err != nil || !strings.Contains(log.String(), "reusing") {
		t.Fatalf("Model: %v\n%s", err, log.String())
	}
	for _, stale := range stales {
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("%s is still there (stat: %v)", stale, err)
		}
	}
}

// parse returns the homework's settings for args, as part k parses them.
func parse(t *testing.T, args ...string) *Settings {
	t.Helper()
	s, _, err := ParseSettings("partk", args, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A later part never replaces part k's model: a folder holding one trained
// with other settings is refused, with the flags that differ and the flag
// to use (-model), and the files are left as they were.
func TestModelRefusesOtherSettings(t *testing.T) {
	f, _ := savedFolder(t)
	before, err := os.ReadFile(filepath.Join(f.Model, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	g := *f
	g.Dataset, g.Updates = "mnist", 100
	d := tiny(20)
	d.TrainSplit.Classes = d.TrainSplit.Classes[:2]
	_, _, err = Model(&g, d, io.Discard)
	if err == nil {
		t.Fatal("a model with other settings was replaced")
	}
	for _, want := range []string{"-model", "-dataset fashion (here mnist)", "-updates 0 (here 100)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	after, _ := os.ReadFile(filepath.Join(f.Model, ModelFile))
	if !reflect.DeepEqual(before, after) {
		t.Error("the saved model changed")
	}
	// Part k itself retrains its own folder, but not another program's.
	if err := CheckModelFolder("-model", f.Model, "partk"); err != nil {
		t.Errorf("part k's own folder: %v", err)
	}
	err = CheckModelFolder("-model", f.Model, "recipe")
	if err == nil || !strings.Contains(err.Error(), "partk trained") || !strings.Contains(err.Error(), "give -model another folder") {
		t.Errorf("the recipe over part k's model: %v", err)
	}
}

// -dataset mnist moves the default folders: an MNIST run neither writes
// over the FashionMNIST figures nor looks for its model in part k's
// FashionMNIST folder. Folders given on the command line are kept.
func TestMNISTFolders(t *testing.T) {
	for _, c := range []struct {
		part      string
		args      []string
		out, mode string
	}{
		{"parta", nil, filepath.Join("out", "parta"), filepath.Join("out", "partk")},
		{"parta", []string{"-dataset", "mnist"}, filepath.Join("out", "parta-mnist"), filepath.Join("out", "partk-mnist")},
		{"partl", []string{"-dataset", "mnist", "-model", "m", "-out", "o"}, "o", "m"},
	} {
		s, _, err := ParseSettings(c.part, c.args, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.Out != c.out || s.Model != c.mode {
			t.Errorf("%s %q: -out %s -model %s, want %s and %s", c.part, c.args, s.Out, s.Model, c.out, c.mode)
		}
	}
}

// A settings.json (or model or history file) that is a folder is refused
// before any work, not found when the trained model is saved.
func TestCheckModelFolderRefusesFolders(t *testing.T) {
	for _, name := range []string{SettingsFile, ModelFile, HistoryFile} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, name, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		err := CheckModelFolder("-model", dir, "partk")
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s as a folder: %v", name, err)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SettingsFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckModelFolder("-model", dir, "partk"); err == nil {
		t.Error("an unreadable settings.json was accepted")
	}
}

// Every random stream has a purpose of its own.
func TestRandPurposesDistinct(t *testing.T) {
	purposes := map[string]uint64{"ForSubsample": ForSubsample, "ForInit": ForInit, "ForShuffle": ForShuffle,
		"ForPlots": ForPlots, "ForTrainEval": ForTrainEval, "ForAugment": ForAugment, "ForDropout": ForDropout}
	seen := map[uint64]string{}
	for name, p := range purposes {
		if other, ok := seen[p]; ok {
			t.Errorf("%s and %s are both %d", name, other, p)
		}
		seen[p] = name
	}
	// The streams in use keep their numbers, so that the figures of the docs
	// stay what they are.
	if ForSubsample != 1 || ForInit != 2 || ForShuffle != 3 || ForPlots != 4 || ForTrainEval != 5 || ForAugment != 6 {
		t.Error("a purpose in use changed its number")
	}
}
