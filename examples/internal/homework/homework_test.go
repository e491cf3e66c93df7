package homework

import (
	"errors"
	"flag"
	"io"
	"testing"
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
