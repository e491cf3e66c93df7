package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"path/filepath"
	"testing"

	"github.com/backprop-go/backprop/plot"
)

var writeFigures = flag.Bool("write-figures", false, "write docs/figures/cnn-im2col.png")

// im2colFigure draws im2col on a 4×4 image with a 3×3 filter, stride 1, no
// padding: the four windows, each in its own colour, and the 9×4 column
// matrix whose column (i, j) is window (i, j) read row by row, so that the
// convolution is the product W_mat (1×9) · X_col (9×4).
func im2colFigure() *image.RGBA {
	const n, k, cell = 4, 3, 30
	o := n - k + 1 // 2 output rows and columns
	x := func(r, q int) int { return r*n + q + 1 }
	tints := []color.RGBA{{253, 208, 162, 255}, {198, 219, 239, 255}, {199, 233, 192, 255}, {218, 218, 235, 255}}
	black := color.RGBA{0, 0, 0, 255}
	title := "im2col: each 3x3 window of X becomes a column of X_col"
	w := 4*(n*cell+20) + 60 + o*o*cell + 20
	h := 60 + k*k*cell + 40
	img := image.NewRGBA(image.Rect(0, 0, max(w, plot.TextWidth(title, 2)+40), h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	plot.DrawText(img, 20, 10, title, black, 2)
	box := func(x0, y0 int, fill color.Color, s string) {
		r := image.Rect(x0, y0, x0+cell, y0+cell)
		draw.Draw(img, r, image.NewUniform(fill), image.Point{}, draw.Src)
		for i := r.Min.X; i < r.Max.X; i++ {
			img.Set(i, r.Min.Y, black)
			img.Set(i, r.Max.Y-1, black)
		}
		for j := r.Min.Y; j < r.Max.Y; j++ {
			img.Set(r.Min.X, j, black)
			img.Set(r.Max.X-1, j, black)
		}
		plot.DrawText(img, x0+(cell-plot.TextWidth(s, 1))/2, y0+(cell-plot.TextHeight(1))/2, s, black, 1)
	}
	top := 60
	// The image four times, window (i, j) shaded in the p-th copy.
	for p := range o * o {
		i, j := p/o, p%o
		x0 := 20 + p*(n*cell+20)
		plot.DrawText(img, x0, top+n*cell+6, fmt.Sprintf("window (%d,%d)", i, j), black, 1)
		for r := range n {
			for q := range n {
				fill := color.Color(color.White)
				if r >= i && r < i+k && q >= j && q < j+k {
					fill = tints[p]
				}
				box(x0+q*cell, top+r*cell, fill, fmt.Sprint(x(r, q)))
			}
		}
	}
	// X_col: row (u, v), column p = (i, j) holds X[i+u, j+v].
	x0 := 20 + o*o*(n*cell+20) + 40
	plot.DrawText(img, x0, top-plot.TextHeight(1)-4, "X_col (9x4)", black, 1)
	for u := range k {
		for v := range k {
			for p := range o * o {
				i, j := p/o, p%o
				box(x0+p*cell, top+(u*k+v)*cell, tints[p], fmt.Sprint(x(i+u, j+v)))
			}
		}
	}
	return img
}

// TestIm2colFigure draws the im2col figure of docs/cnn.md; with
// -write-figures it saves it there:
//
//	go test ./examples/cnn -run TestIm2colFigure -write-figures
func TestIm2colFigure(t *testing.T) {
	img := im2colFigure()
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Errorf("figure is %v, too small to hold the matrix", b)
	}
	if !*writeFigures {
		return
	}
	if err := plot.SavePNG(filepath.Join("..", "..", "docs", "figures", "cnn-im2col.png"), img); err != nil {
		t.Fatal(err)
	}
}
