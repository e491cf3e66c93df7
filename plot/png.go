package plot

import (
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"

	"github.com/backprop-go/backprop/atomicfile"
)

// SavePNG writes img to path as a PNG, creating missing parent directories.
// The image is first written to a temporary file in the same directory and
// then renamed over path (package atomicfile), so path never holds a
// half-written picture: after an error it is either absent or still the old
// file.
func SavePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
}
