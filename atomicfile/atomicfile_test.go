package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range es {
		ns = append(ns, e.Name())
	}
	return ns
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.csv")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new" {
		t.Fatalf("read %q, %v", b, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	// A failed write leaves the old file and nothing else.
	boom := errors.New("boom")
	if err := Write(path, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); err != boom {
		t.Fatalf("got %v, want the writer's error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("old file became %q", b)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"history.csv"}) {
		t.Errorf("folder holds %v", got)
	}
	// Into a missing folder: an error, no panic.
	if err := Write(filepath.Join(dir, "missing", "f"), func(io.Writer) error { return nil }); err == nil {
		t.Error("write into a missing folder succeeded")
	}
}

// Temporary files left by a killed run are removed by the next write of the
// same file; a temporary file younger than the process (someone writing it
// now) and other files are left alone (issue #9, case 16).
func TestCreateRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bin")
	old := started.Add(-time.Hour)
	stale := []string{".model.bin.tmp123", ".model.bin.tmp9", "model.bin.4567.tmp"}
	keep := []string{".model.bin.tmpfresh", "model.bin.tmp", ".other.bin.tmp1", "model.bin.x.tmp", "notes.txt"}
	for _, n := range append(slices.Clone(stale), keep...) {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	fresh := filepath.Join(dir, ".model.bin.tmp777") // being written by another process now
	if err := os.WriteFile(fresh, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	got := names(t, dir)
	want := append(slices.Clone(keep), ".model.bin.tmp777", "model.bin")
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("folder holds %v, want %v", got, want)
	}
}

// RemovePending removes the temporary files of writes in progress, as a
// SIGINT handler does before the program exits.
func TestRemovePending(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half of it")
	RemovePending()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("folder holds %v after RemovePending", got)
	}
	f.Abort() // the writer, later, gives up: harmless
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}

// TestCheckFolder: a folder that the files cannot be saved in is an error
// before any work, naming the file; one they can is created, and stale
// temporaries of every name listed (an older format's included) are gone.
func TestCheckFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "model")
	old := started.Add(-time.Hour)
	if err := CheckFolder(dir, "model.safetensors", "model.bin", "settings.json"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("CheckFolder left %v", got)
	}
	for _, n := range []string{".model.bin.tmp123", "model.bin.4567.tmp", ".model.safetensors.tmp99", "model.bin"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckFolder(dir, "model.safetensors", "model.bin", "settings.json"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"model.bin"}) {
		t.Errorf("after CheckFolder the folder holds %v, want [model.bin]", got)
	}

	// settings.json is a folder with a file in it: the save would fail.
	if err := os.MkdirAll(filepath.Join(dir, "settings.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := CheckFolder(dir, "model.safetensors", "settings.json")
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "settings.json")+" is a folder") {
		t.Errorf("settings.json a folder: %v", err)
	}
	// The folder is a file.
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckFolder(file, "model.safetensors"); err == nil {
		t.Error("a file as the folder: no error")
	}
}
