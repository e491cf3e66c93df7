package main

import (
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

// The folders are checked before the data is loaded and a model trained.
func TestFoldersCheckedFirst(t *testing.T) {
	exampletest.FoldersCheckedFirst(t, run, "-out", "-model")
}
