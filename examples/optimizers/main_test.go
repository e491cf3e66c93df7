package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The momentum figure needs no data; a bad -figure is refused.
func TestMomentumFigure(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-figure", "momentum", "-out", dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, "momentum.png")); err != nil || st.Size() == 0 {
		t.Errorf("momentum.png: %v", err)
	}
	if err := run([]string{"-figure", "other"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-figure") {
		t.Errorf("-figure other: %v", err)
	}
}
