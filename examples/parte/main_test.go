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
	// Z = A Wᵀ + b worked out by hand: row 0 is (0.1+0.4+0.9+0.5, -0.4+1-1.8-1).
	for _, want := range []string{
		"   1.9000  -2.2000\n   3.7000  -3.7000\n",
		"by hand, sample 1: z = W a + b = 3.7000 -3.7000",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run([]string{"-nope"}, io.Discard, io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
}
