package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
)

// Confusion matrix layout, in pixels.
const (
	cellSize = 48
	barWidth = 14 // the colour scale
)

// blues is a white-to-dark-blue ramp (matplotlib's "Blues"): light cells
// are rare, dark cells common.
var blues = []color.RGBA{
	{247, 251, 255, 255}, {198, 219, 239, 255}, {107, 174, 214, 255}, {33, 113, 181, 255}, {8, 48, 107, 255},
}

// shade returns the colour of t in [0, 1] on the blues ramp.
func shade(t float64) color.RGBA {
	t = math.Min(1, math.Max(0, t)) * float64(len(blues)-1)
	i := min(int(t), len(blues)-2)
	f := t - float64(i)
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + f*(float64(b)-float64(a)))) }
	a, b := blues[i], blues[i+1]
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// ConfusionMatrix draws counts[true][predicted] as a table of shaded cells,
// one row per true class and one column per predicted class, each showing
// its count. A cell's shade is its share of its row, that is of all examples
// of that true class, so the diagonal reads as per-class recall whatever the
// class sizes; the scale on the right runs from 0 to 1 and says so. classNames labels
// rows and columns; nil numbers them from 0.
//
// It panics if counts is not square or classNames does not match its size.
func ConfusionMatrix(counts [][]int, classNames []string, title string) *image.RGBA {
	n := len(counts)
	for i, row := range counts {
		if len(row) != n {
			panic(fmt.Sprintf("plot.ConfusionMatrix: row %d has %d counts, want %d (the matrix must be square)", i, len(row), n))
		}
	}
	if classNames == nil {
		for i := range n {
			classNames = append(classNames, strconv.Itoa(i))
		}
	}
	if len(classNames) != n {
		panic(fmt.Sprintf("plot.ConfusionMatrix: %d class names for a %d×%d matrix", len(classNames), n, n))
	}

	nameW := 0
	for _, s := range classNames {
		nameW = max(nameW, TextWidth(s, 1))
	}
	text := TextHeight(1)
	titleH := 0
	if title != "" {
		titleH = TextHeight(2) + 2*labelGap
	}
	// Rows of the figure: title, table, column names, "predicted".
	tableX := chartMargin + text + 2*labelGap + nameW + labelGap
	tableY := chartMargin + titleH
	table := image.Rect(tableX, tableY, tableX+n*cellSize, tableY+n*cellSize)
	bar := image.Rect(table.Max.X+2*gridGap, table.Min.Y, table.Max.X+2*gridGap+barWidth, table.Max.Y)
	barLabel := fitText(barCaption, table.Dy(), 1)
	barLabelX := bar.Max.X + tickLen + labelGap + TextWidth("0.75", 1) + 2*labelGap
	W := barLabelX + text + chartMargin
	H := table.Max.Y + labelGap + nameW + 2*labelGap + text + chartMargin
	W = max(W, TextWidth(title, 2)+2*chartMargin)
	img := newCanvas(W, H)

	black, white := color.Black, color.White
	for i, row := range counts {
		total := 0
		for _, c := range row {
			total += c
		}
		for j, c := range row {
			t := 0.0
			if total > 0 {
				t = float64(c) / float64(total)
			}
			cell := image.Rect(table.Min.X+j*cellSize, table.Min.Y+i*cellSize, table.Min.X+(j+1)*cellSize, table.Min.Y+(i+1)*cellSize)
			fillRect(img, cell, shade(t))
			var ink color.Color = black
			if t > 0.5 {
				ink = white
			}
			s := fitText(strconv.Itoa(c), cellSize-4, 1)
			DrawText(img, cell.Min.X+(cellSize-TextWidth(s, 1))/2, cell.Min.Y+(cellSize-capHeight(1))/2, s, ink, 1)
		}
	}
	for i, name := range classNames {
		// Row names to the left, right-aligned; column names below, upright.
		mid := table.Min.Y + i*cellSize + (cellSize-capHeight(1))/2
		DrawText(img, table.Min.X-labelGap-TextWidth(name, 1), mid, name, black, 1)
		x := table.Min.X + i*cellSize + (cellSize-text)/2
		DrawTextUp(img, x, table.Max.Y+labelGap, name, black, 1)
	}
	DrawTextUp(img, chartMargin, (table.Min.Y+table.Max.Y-TextWidth("true class", 1))/2, "true class", black, 1)
	DrawText(img, (table.Min.X+table.Max.X-TextWidth("predicted class", 1))/2, H-chartMargin-text, "predicted class", black, 1)
	if title != "" {
		t := fitText(title, W-2*chartMargin, 2)
		DrawText(img, (W-TextWidth(t, 2))/2, chartMargin, t, black, 2)
	}

	// The colour scale: fraction of the row, 0 at the bottom.
	for y := bar.Min.Y; y < bar.Max.Y; y++ {
		t := float64(bar.Max.Y-1-y) / float64(bar.Dy()-1)
		fillRect(img, image.Rect(bar.Min.X, y, bar.Max.X, y+1), shade(t))
	}
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		y := bar.Max.Y - 1 - int(math.Round(t*float64(bar.Dy()-1)))
		fillRect(img, image.Rect(bar.Max.X, y, bar.Max.X+tickLen, y+1), black)
		DrawText(img, bar.Max.X+tickLen+labelGap, y-capHeight(1)/2, FormatNumber(t), black, 1)
	}
	DrawTextUp(img, barLabelX, (bar.Min.Y+bar.Max.Y-TextWidth(barLabel, 1))/2, barLabel, black, 1)
	return img
}

// barCaption labels the colour scale of ConfusionMatrix: a cell's shade is
// its count divided by its row's total, which on the diagonal is the class's
// recall.
const barCaption = "share of the true class (diagonal: recall)"
