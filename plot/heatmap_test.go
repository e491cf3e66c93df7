package plot

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestConfusionMatrix(t *testing.T) {
	counts := [][]int{
		{50, 0, 0},
		{10, 30, 10},
		{0, 0, 0}, // a class with no examples must not divide by zero
	}
	img := ConfusionMatrix(counts, []string{"cat", "dog", "bird"}, "Confusion")
	b := img.Bounds()
	if b.Dx() < 3*cellSize || b.Dy() < 3*cellSize || b.Dx() > 3*cellSize+300 || b.Dy() > 3*cellSize+300 {
		t.Fatalf("size %v for a 3×3 matrix", b.Size())
	}
	// Cell (0,0) holds its whole row: the darkest shade, with white digits.
	dark, light := shade(1), shade(0)
	if count(img, dark) < cellSize*cellSize/2 {
		t.Errorf("no cell in the darkest shade")
	}
	if count(img, color.RGBA{255, 255, 255, 255}) == 0 {
		t.Errorf("no white digits")
	}
	// Cell (1,1) holds 60% of its row: a middle shade.
	if count(img, shade(0.6)) < cellSize*cellSize/2 {
		t.Errorf("no cell in the 0.6 shade")
	}
	// Empty cells (and the empty row) are the lightest shade.
	if count(img, light) < 4*cellSize*cellSize {
		t.Errorf("too few empty cells in the lightest shade")
	}
	// The scale ramps from light at the bottom to dark at the top.
	if shade(0) != blues[0] || shade(1) != blues[len(blues)-1] || shade(2) != shade(1) || shade(-1) != shade(0) {
		t.Errorf("shade does not span and clamp the ramp")
	}
	if darkPixels(img, image.Rect(0, 0, b.Dx(), chartMargin+TextHeight(2))) == 0 {
		t.Errorf("no title")
	}
}

func TestConfusionMatrixPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"not square": func() { ConfusionMatrix([][]int{{1, 2}, {3}}, nil, "") },
		"names":      func() { ConfusionMatrix([][]int{{1}}, []string{"a", "b"}, "") },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "plot.ConfusionMatrix") {
					t.Errorf("%s: panic %v, want one naming plot.ConfusionMatrix", name, r)
				}
			}()
			f()
		}()
	}
}
