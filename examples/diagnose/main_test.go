package main

import (
	"io"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

// -out is checked before any work: a regular file there fails at once,
// not after the sanity checks, the range test and the training.
func TestOutCheckedFirst(t *testing.T) {
	exampletest.FoldersCheckedFirst(t, run, "-out")
	if err := run([]string{"-diag-every", "0"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-diag-every") {
		t.Errorf("-diag-every 0: %v", err)
	}
}
