package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -lrs and -batches lists are checked before any work: NaN and Inf
// used to pass, and fail only after the other runs had finished (issue #9,
// case 15); so is -out (case 14).
func TestListsAndOutCheckedFirst(t *testing.T) {
	t.Setenv("BACKPROP_DATA", "")
	empty := t.TempDir()
	file := filepath.Join(empty, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-lrs", "NaN"}, "-lrs"},
		{[]string{"-lrs", "0.1,Inf"}, "-lrs"},
		{[]string{"-lrs", "0.1,-Inf"}, "-lrs"},
		{[]string{"-lrs", "0.1,0"}, "-lrs"},
		{[]string{"-batches", "16,0"}, "-batches"},
		{[]string{"-batches", ""}, "-batches"},
		{[]string{"-out", file}, "-out " + file},
	} {
		args := append([]string{"-data", empty, "-download=false", "-out", filepath.Join(t.TempDir(), "out")}, c.args...)
		err := run(args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error naming %s", c.args, err, c.want)
		}
	}
}

// -h lists only the flags the sweep reads, with the sweep's own defaults.
func TestHelpListsOnlyTheSweepsFlags(t *testing.T) {
	var help strings.Builder
	if err := run([]string{"-h"}, io.Discard, &help); err == nil {
		t.Fatal("-h gave no flag.ErrHelp")
	}
	h := help.String()
	for _, want := range []string{"-batches", "-lrs", "-epochs int\n", "(default 3)", "0.01,0.03,0.1,0.2,0.3,1"} {
		if !strings.Contains(h, want) {
			t.Errorf("-h lacks %q:\n%s", want, h)
		}
	}
	for _, unused := range []string{"\n  -lr ", "\n  -batch ", "\n  -model "} {
		if strings.Contains(h, unused) {
			t.Errorf("-h lists %q, which the sweep does not read:\n%s", strings.TrimSpace(unused), h)
		}
	}
}
