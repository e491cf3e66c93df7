package homework

import (
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
)

func TestNoFlags(t *testing.T) {
	if err := NoFlags("parte", nil, io.Discard); err != nil {
		t.Errorf("no arguments: %v", err)
	}
	if err := NoFlags("parte", []string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: got %v, want flag.ErrHelp", err)
	}
	for _, args := range [][]string{{"-lr", "0.1"}, {"extra"}} {
		if err := NoFlags("parte", args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// Every flag value that cannot work is refused by Parse, with the flag's
// name, before any data is loaded or any update is taken.
func TestParseRefusesBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"-hidden", "0"}, {"-hidden", "-3"}, {"-hidden", "10,,5"}, {"-hidden", "x"},
		{"-batch", "0"}, {"-batch", "-5"},
		{"-lr", "-1"}, {"-lr", "0"}, {"-lr", "NaN"}, {"-lr", "+Inf"},
		{"-frac", "0"}, {"-frac", "2"}, {"-frac", "NaN"},
		{"-decay", "1.5"}, {"-decay", "-0.1"},
		{"-range", "0,2"},
		{"-updates", "-1"}, {"-epochs", "0"},
		{"-eval-every", "0"},
	} {
		_, _, err := ParseSettings("partk", args, io.Discard, nil)
		if err == nil {
			t.Errorf("%q accepted", args)
			continue
		}
		if !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%q: error %q does not name the flag", args, err)
		}
	}
	for _, args := range [][]string{
		nil, {"-hidden", ""}, {"-hidden", " 32 , 16 "}, {"-epochs", "0", "-updates", "10"},
		{"-range", "-1,1"}, {"-frac", "1"}, {"-decay", "0"},
	} {
		if _, _, err := ParseSettings("partk", args, io.Discard, nil); err != nil {
			t.Errorf("%q refused: %v", args, err)
		}
	}
}

// bpnn encodes model (Linear and ReLU layers) in the BPNN format that
// model.bin files written before safetensors hold.
func bpnn(model *layers.Sequential) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(le.AppendUint32([]byte("BPNN"), 1), uint32(len(model.Layers())))
	for _, l := range model.Layers() {
		lin, ok := l.(*layers.Linear)
		if !ok {
			b = append(b, 2)
			continue
		}
		b = le.AppendUint32(le.AppendUint32(append(b, 1), uint32(lin.In())), uint32(lin.Out()))
		for _, v := range append(append([]float64{}, lin.W.Value.Data...), lin.B.Value.Data...) {
			b = le.AppendUint64(b, math.Float64bits(v))
		}
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// Parts b and l–o reuse part k's model from model.safetensors, or from an
// older folder's model.bin.
func TestModelEitherFile(t *testing.T) {
	f, model := savedFolder(t)
	check := func(which string) {
		t.Helper()
		got, _, err := loadModel(f, 4, 2)
		if err != nil {
			t.Fatalf("%s: %v", which, err)
		}
		for i, p := range model.Params() {
			if !reflect.DeepEqual(p.Value.Data, got.Params()[i].Value.Data) {
				t.Fatalf("%s: %s differs", which, p.Name)
			}
		}
	}
	check(ModelFile)
	if err := os.Remove(filepath.Join(f.Model, ModelFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.Model, OldModelFile), bpnn(model), 0o644); err != nil {
		t.Fatal(err)
	}
	check(OldModelFile)
}

// The validation and held-out test halves split the test split between them,
// stratified, and do not change with -frac; a smaller -frac trains on a
// subset of the images a larger one does.
func TestHalvesAndNestedFrac(t *testing.T) {
	labels := make([]uint8, 1000)
	for i := range labels {
		labels[i] = uint8(i % 10)
	}
	split := func(frac float64) (tr, val, test []int) {
		f := &Settings{Frac: frac, Seed: 3}
		rng := f.Rand(ForSubsample)
		tr = data.StratifiedSubsample(labels, 10, frac, rng)
		val = data.StratifiedSubsample(labels, 10, 0.5, rng)
		return tr, val, complement(val, len(labels))
	}
	tr5, val5, test5 := split(0.5)
	tr1, val1, _ := split(0.1)
	if !reflect.DeepEqual(val5, val1) {
		t.Error("-frac changed the validation set")
	}
	if len(val5) != 500 || len(test5) != 500 {
		t.Fatalf("halves of %d and %d, want 500 each", len(val5), len(test5))
	}
	inVal := map[int]bool{}
	for _, i := range val5 {
		inVal[i] = true
	}
	for _, i := range test5 {
		if inVal[i] {
			t.Fatalf("image %d is in both halves", i)
		}
	}
	in5 := map[int]bool{}
	for _, i := range tr5 {
		in5[i] = true
	}
	for _, i := range tr1 {
		if !in5[i] {
			t.Fatalf("-frac 0.1 keeps image %d, which -frac 0.5 does not", i)
		}
	}
}
