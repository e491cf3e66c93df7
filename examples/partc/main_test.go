package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
)

// needData skips the test when FashionMNIST is not on this machine, unless
// BACKPROP_REQUIRE_DATA=1 says it must be (as in CI).
func needData(t *testing.T) {
	t.Helper()
	_, err := data.Load("fashion", false, data.Options{})
	if errors.Is(err, data.ErrNotFound) && os.Getenv("BACKPROP_REQUIRE_DATA") != "1" {
		t.Skip("FashionMNIST not found; set BACKPROP_DATA")
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	needData(t)
	for _, c := range []struct {
		rng, want string
	}{
		{"0,1", "range [0, 1]: min 0, max 1, mean 0.2867"},
		{"-1,1", "range [-1, 1]: min -1, max 1, mean -0.4267"},
	} {
		dir := t.TempDir()
		var out bytes.Buffer
		if err := run([]string{"-download=false", "-range", c.rng, "-out", dir}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"        Shirt   6000   3000   1000   500",
			"        total  60000  30000  10000  5000",
			c.want,
			"check: 30000 kept images, max |inverted pixel − original| = 0, labels out of step: 0",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("-range %s: output lacks %q:\n%s", c.rng, want, out.String())
			}
		}
		for _, name := range []string{"before.png", "after.png"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Error(err)
			}
		}
	}
}
