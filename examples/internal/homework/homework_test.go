package homework

import (
	"errors"
	"flag"
	"io"
	"strings"
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
		var f Flags
		_, err := f.Parse("partk", args, io.Discard)
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
		var f Flags
		if _, err := f.Parse("partk", args, io.Discard); err != nil {
			t.Errorf("%q refused: %v", args, err)
		}
	}
}
