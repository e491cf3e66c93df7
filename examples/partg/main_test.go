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
		"Y = max(0, X)  (2×4)\n   0.0000   0.0000   2.2500   0.5000\n   0.0000   1.0000   0.0000   4.0000\n",
		"4 of 8 entries are positive",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
