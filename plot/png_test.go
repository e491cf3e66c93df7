package plot

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestSavePNGRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "fig.png") // parents do not exist yet
	img := newCanvas(30, 20)
	img.Set(3, 4, color.RGBA{10, 20, 30, 255})
	if err := SavePNG(path, img); err != nil {
		t.Fatal(err)
	}
	// Overwrite with a different picture: the file is replaced whole.
	img2 := newCanvas(40, 10)
	if err := SavePNG(path, img2); err != nil {
		t.Fatal(err)
	}
	got := decodePNG(t, path)
	if got.Bounds() != img2.Bounds() {
		t.Errorf("decoded %v, want %v", got.Bounds(), img2.Bounds())
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "fig.png" {
		t.Errorf("directory holds %v, want only fig.png (no temporary files)", entries)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
}

func TestSavePNGErrorLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	// An image png cannot encode (empty) must not leave a file behind.
	if err := SavePNG(filepath.Join(dir, "empty.png"), image.NewRGBA(image.Rect(0, 0, 0, 0))); err == nil {
		t.Errorf("saving an empty image succeeded")
	}
	// A parent that is a file, not a directory.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SavePNG(filepath.Join(file, "x.png"), newCanvas(2, 2)); err == nil {
		t.Errorf("saving under a file succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %v, want only the file made by the test", entries)
	}
}

// decodePNG reads a PNG file back.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
