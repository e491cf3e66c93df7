package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"mask 1[X > 0]  (2×4)\n   0.0000   0.0000   1.0000   1.0000\n   0.0000   1.0000   0.0000   1.0000\n",
		"∂L/∂X = ∂L/∂Y ⊙ mask  (2×4)\n   0.0000   0.0000   3.0000   4.0000\n   0.0000   6.0000   0.0000   8.0000\n",
		"equals ∂L/∂Y ⊙ mask: true",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
