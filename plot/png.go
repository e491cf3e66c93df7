package plot

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
)

// SavePNG writes img to path as a PNG, creating missing parent directories.
// The image is first written to a temporary file in the same directory and
// then renamed over path, so path never holds a half-written picture: after
// an error it is either absent or still the old file.
func SavePNG(path string, img image.Image) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := png.Encode(f, img); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private (0600); a figure is for sharing.
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
