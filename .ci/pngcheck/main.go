// Command pngcheck checks that every file named on its command line exists
// and decodes as a non-empty PNG image. CI runs it on the figures the
// example programs wrote:
//
//	go run ./.ci/pngcheck out/ci/partk/loss.png out/ci/partk/error.png
//
// It names each missing or broken file on stderr and exits with status 1 if
// there was any.
package main

import (
	"fmt"
	"image/png"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pngcheck FILE.png...")
		os.Exit(2)
	}
	bad := 0
	for _, path := range os.Args[1:] {
		if err := check(path); err != nil {
			fmt.Fprintf(os.Stderr, "pngcheck: %s: %v\n", path, err)
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "pngcheck: %d of %d files missing or broken\n", bad, len(os.Args)-1)
		os.Exit(1)
	}
	fmt.Printf("pngcheck: %d PNG files decode\n", len(os.Args)-1)
}

func check(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return err
	}
	if b := img.Bounds(); b.Dx() < 10 || b.Dy() < 10 {
		return fmt.Errorf("image is only %d×%d pixels", b.Dx(), b.Dy())
	}
	return nil
}
