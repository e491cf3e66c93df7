package main

import (
	"bytes"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-out", dir}, &out, io.Discard); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	s := out.String()
	if strings.Contains(s, "FAIL") {
		t.Errorf("a real layer fails its check:\n%s", s)
	}
	exampletest.Contains(t, s,
		"Linear that forgets ∂L/∂b: caught=true, wrong tensors [bias]",
		"without the 1/B (B = 4): caught=true, worst rel err 0.75",
		"all real layers pass",
	)
	f, err := os.Open(filepath.Join(dir, "eps.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("eps.png: %v", err)
	}
}

// The broken layer must fail on its own, whatever the seed.
func TestNoBiasGradCaught(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		var out bytes.Buffer
		if err := run([]string{"-out", t.TempDir(), "-seed", strconv.FormatUint(seed, 10)}, &out, io.Discard); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !strings.Contains(out.String(), "caught=true, wrong tensors [bias]") {
			t.Errorf("seed %d: bias bug not caught:\n%s", seed, out.String())
		}
	}
}
