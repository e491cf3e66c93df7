// Package exampletest holds test helpers for the example programs: skipping
// a test when the dataset is absent, and running a program's run function to
// check what it prints.
//
// It is internal to examples/ and imports "testing", so only the programs'
// tests use it.
package exampletest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
)

// NeedData skips the test when FashionMNIST is not on this machine, unless
// BACKPROP_REQUIRE_DATA=1 says it must be (as in CI); then, as for any other
// error loading it, the test fails.
func NeedData(t testing.TB) {
	t.Helper()
	_, err := data.Load("fashion", false, data.Options{})
	if errors.Is(err, data.ErrNotFound) && os.Getenv("BACKPROP_REQUIRE_DATA") != "1" {
		t.Skip("FashionMNIST not found; set BACKPROP_DATA")
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Run calls a program's run function with args, discarding what it writes
// to stderr, and returns what it wrote to stdout. An error ends the test.
func Run(t testing.TB, run func(args []string, stdout, stderr io.Writer) error, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// Contains reports a test error for each string of want that out lacks.
func Contains(t testing.TB, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// FoldersCheckedFirst checks that run refuses a regular file given for each
// of flags (such as -out and -model) before it loads any data or trains
// anything, with an error that names the flag and the file: the data folder
// is empty and downloads are off, so a run that got further would fail
// with another error. The other flags of the list name temporary folders.
func FoldersCheckedFirst(t *testing.T, run func(args []string, stdout, stderr io.Writer) error, flags ...string) {
	t.Helper()
	t.Setenv("BACKPROP_DATA", "")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range flags {
		args := []string{"-data", t.TempDir(), "-download=false"}
		for _, other := range flags { // the other folders are fine, and temporary
			args = append(args, other, t.TempDir())
		}
		args = append(args, flag, file)
		err := run(args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), flag+" "+file) {
			t.Errorf("%s naming a file: %v, want an error about %s before the data", flag, err, flag)
		}
	}
}

// Refusal is one bad command line and a piece of the error it must give.
type Refusal struct {
	Args []string
	Want string
}

// RefusedBeforeWork checks that run refuses bad settings and folders before
// it loads any data: with no dataset to be found, each case's command line
// must fail with an error holding its Want. cases is given a regular file and
// a folder holding part k's settings, to name where a folder or an empty
// model folder is expected.
func RefusedBeforeWork(t *testing.T, run func(args []string, stdout, stderr io.Writer) error, cases func(file, partk string) []Refusal) {
	t.Helper()
	t.Setenv("BACKPROP_DATA", "")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	partk := t.TempDir()
	js, err := homework.SettingsJSON("partk", map[string]any{"dataset": "fashion"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(partk, homework.SettingsFile), js, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases(file, partk) {
		args := append([]string{"-data", t.TempDir(), "-download=false", "-out", t.TempDir()}, c.Args...)
		if err := run(args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), c.Want) {
			t.Errorf("%q: %v, want an error with %q", c.Args, err, c.Want)
		}
	}
}
