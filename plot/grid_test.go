package plot

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

// flat returns n h×w images; image i has every pixel equal to 20*i+10.
func flat(n, h, w int) [][]uint8 {
	var ims [][]uint8
	for i := 0; i < n; i++ {
		ims = append(ims, bytes.Repeat([]byte{uint8(20*i + 10)}, h*w))
	}
	return ims
}

// darkPixels counts pixels darker than mid-grey in r.
func darkPixels(img *image.RGBA, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y).G < 128 {
				n++
			}
		}
	}
	return n
}

func TestImageGridLayout(t *testing.T) {
	const n, h, w, cols = 7, 28, 28, 4
	captions := []string{"Ankle boot", "Shirt → T-shirt/top", "Trouser → Pullover", "a very long caption that must be cut short somewhere", "Bag", "Sneaker", ""}
	img := ImageGrid(flat(n, h, w), h, w, captions, GridOptions{Title: "Grid", Cols: cols})
	b := img.Bounds()
	if b.Dx() < cols*w*3 || b.Dx() > cols*w*3+200 || b.Dy() < 2*h*3 || b.Dy() > 2*h*3+200 {
		t.Fatalf("size %v for a 2×4 grid of 84-px images", b.Size())
	}
	// Find each image by its grey value and check it is 84×84, row-major.
	cellW := w * 3
	var boxes []image.Rectangle
	for i := 0; i < n; i++ {
		want := color.RGBA{uint8(20*i + 10), uint8(20*i + 10), uint8(20*i + 10), 255}
		box := image.Rectangle{}
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				if img.RGBAAt(x, y) == want {
					box = box.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
		if box.Dx() != cellW || box.Dy() != h*3 {
			t.Fatalf("image %d drawn in %v, want %d×%d", i, box, cellW, h*3)
		}
		boxes = append(boxes, box)
	}
	if boxes[1].Min.Y != boxes[0].Min.Y || boxes[1].Min.X <= boxes[0].Max.X || boxes[cols].Min.Y <= boxes[0].Max.Y || boxes[cols].Min.X != boxes[0].Min.X {
		t.Errorf("images not laid out row by row: %v", boxes)
	}
	// The title is above the first row.
	if darkPixels(img, image.Rect(0, 0, b.Dx(), boxes[0].Min.Y-2)) == 0 {
		t.Errorf("no title ink")
	}
	// Each caption has ink under its image, and the caption band stays clear
	// in the middle of every gap, so neighbouring captions never touch.
	for i, box := range boxes {
		band := image.Rect(box.Min.X, box.Max.Y+2, box.Max.X, box.Max.Y+2+2*TextHeight(1)+4)
		if got := darkPixels(img, band); (got > 0) != (captions[i] != "") {
			t.Errorf("caption %d (%q): %d dark pixels under the image", i, captions[i], got)
		}
		if i%cols == cols-1 || i == n-1 {
			continue
		}
		mid := (box.Max.X + boxes[i+1].Min.X) / 2
		gapBand := image.Rect(mid, band.Min.Y, mid+1, band.Max.Y)
		if got := darkPixels(img, gapBand); got != 0 {
			t.Errorf("captions %d and %d touch: ink in the gap at x=%d", i, i+1, mid)
		}
	}
}

func TestImageGridFloatMapsRange(t *testing.T) {
	nan := math.NaN()
	im := []float64{-1, 0, 1, 5, nan, -7}
	img := ImageGridFloat([][]float64{im}, 1, 6, -1, 1, nil, GridOptions{Scale: 1})
	// One image, no title or captions: it sits at the margin.
	want := []color.RGBA{{0, 0, 0, 255}, {128, 128, 128, 255}, {255, 255, 255, 255}, {255, 255, 255, 255}, {255, 0, 0, 255}, {0, 0, 0, 255}}
	for p, w := range want {
		if got := img.RGBAAt(gridMargin+p, gridMargin); got != w {
			t.Errorf("value %v drawn as %v, want %v", im[p], got, w)
		}
	}
	inv := ImageGridFloat([][]float64{{-1}}, 1, 1, -1, 1, nil, GridOptions{Scale: 1, Invert: true})
	if c := inv.RGBAAt(gridMargin, gridMargin); c != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("inverted lo = %v, want white", c)
	}
}

func TestImageGridPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"short image": func() { ImageGrid([][]uint8{make([]uint8, 10)}, 28, 28, nil, GridOptions{}) },
		"captions":    func() { ImageGrid(flat(2, 2, 2), 2, 2, []string{"one"}, GridOptions{}) },
		"empty range": func() { ImageGridFloat([][]float64{{0}}, 1, 1, 1, 1, nil, GridOptions{}) },
		"float image": func() { ImageGridFloat([][]float64{{0}}, 2, 2, 0, 1, nil, GridOptions{}) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if !strings.HasPrefix(r.(string), "plot") {
					t.Errorf("%s: panic %q does not name the package", name, r)
				}
			}()
			f()
		}()
	}
	// No images at all is not an error: just the title.
	if img := ImageGrid(nil, 28, 28, nil, GridOptions{Title: "none"}); img.Bounds().Empty() {
		t.Errorf("empty grid has no size")
	}
}

// TestLongClassNamesFit: diagnose's figure of confused pairs draws
// 28×28 images at scale 4 with captions of three lines (true class with
// the arrow, predicted class, probability). Every FashionMNIST name must
// fit a line whole, never cut with "…".
func TestLongClassNamesFit(t *testing.T) {
	width := 28*4 + gridGap - 2 // drawGrid's caption width
	for _, name := range []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"} {
		for _, line := range []string{name + "→", name, "0.97"} {
			if got := wrapText(line, width, 1, 1); len(got) != 1 || got[0] != line {
				t.Errorf("%q in %d pixels: %q", line, width, got)
			}
		}
	}
}
