package plot

import (
	"fmt"
	"image"
	"image/color"
)

// Bins is one distribution for a Histogram: Counts[i] values fell in the
// i-th of len(Counts) equal bins between Lo and Hi.
type Bins struct {
	Name   string      // shown in the legend
	Lo, Hi float64     // the range the bins cover
	Counts []int       // one count per bin
	Color  color.Color // nil picks the next colour of Palette
}

// Histogram draws distributions as step outlines on shared axes, so that
// several (a layer's activations at the start, the middle and the end of
// training) can be compared in one picture. Each is drawn as a density, the
// fraction of its values per unit of x, so distributions with different
// bins and sample sizes are on the same scale. The zero value of every
// field is a sensible default.
type Histogram struct {
	Title, XLabel string
	// LogY draws the density on a logarithmic axis, for a spike (ReLU's
	// zeros) beside a tail; empty bins then leave gaps in the outline.
	LogY          bool
	Width, Height int // in pixels; 0 means 900×500
	Bins          []Bins
}

// Render draws the histogram. It panics if a Bins has no counts or an empty
// range.
func (h *Histogram) Render() *image.RGBA {
	c := &LineChart{Title: h.Title, XLabel: h.XLabel, YLabel: "density", LogY: h.LogY, Width: h.Width, Height: h.Height}
	if !h.LogY {
		c.YMin = Fixed(0)
	}
	for _, b := range h.Bins {
		x, y := b.steps()
		c.Series = append(c.Series, Series{Name: b.Name, X: x, Y: y, Color: b.Color})
	}
	return c.Render()
}

// steps returns the outline of b's density: for each bin a horizontal
// segment at its height, joined by vertical ones, starting and ending at 0.
func (b Bins) steps() (x, y []float64) {
	n := len(b.Counts)
	if n == 0 || !(b.Lo < b.Hi) {
		panic(fmt.Sprintf("plot.Histogram: %q has %d bins over [%v, %v]", b.Name, n, b.Lo, b.Hi))
	}
	total := 0
	for _, c := range b.Counts {
		total += c
	}
	w := (b.Hi - b.Lo) / float64(n)
	x = append(x, b.Lo)
	y = append(y, 0)
	for i, c := range b.Counts {
		d := 0.0
		if total > 0 {
			d = float64(c) / float64(total) / w
		}
		x0, x1 := b.Lo+float64(i)*w, b.Lo+float64(i+1)*w
		x = append(x, x0, x1)
		y = append(y, d, d)
	}
	x = append(x, b.Hi)
	y = append(y, 0)
	return x, y
}
