package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// BarChart draws one bar per label, such as the number of training images of
// each class before and after subsampling. The value is written above each
// bar. Labels too wide to sit under their bar are written upwards.
type BarChart struct {
	Title, XLabel, YLabel string
	Labels                []string
	Values                []float64   // one per label; NaN and ±Inf draw no bar
	Color                 color.Color // nil means Palette[0]
	Width, Height         int         // in pixels; 0 means 900×500
}

// Render draws the chart. It panics if Labels and Values differ in length.
func (c *BarChart) Render() *image.RGBA {
	n := len(c.Values)
	if len(c.Labels) != n {
		panic(fmt.Sprintf("plot.BarChart: %d labels for %d values", len(c.Labels), n))
	}
	W, H := c.Width, c.Height
	if W <= 0 {
		W = 900
	}
	if H <= 0 {
		H = 500
	}
	var fill color.Color = c.Color
	if fill == nil {
		fill = Palette[0]
	}
	img := newCanvas(W, H)

	// The y axis always includes 0, so bar lengths compare honestly.
	lo, hi := 0.0, 0.0
	for _, v := range c.Values {
		if isFinite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo == hi {
		hi = 1
	}
	// Room for the numbers beyond the ends of the bars.
	pad := (hi - lo) * 0.08
	if hi > 0 {
		hi += pad
	}
	if lo < 0 {
		lo -= pad
	}

	top := chartMargin + TextHeight(1)/2
	if c.Title != "" {
		top = chartMargin + TextHeight(2) + 2*labelGap
	}
	// Guess the slot width from the whole image to decide whether labels
	// lie flat; the left margin is known only later, but a few pixels
	// do not change the choice.
	slotGuess := (W - 2*chartMargin - 60) / max(n, 1)
	labelH, upright := TextHeight(1), false
	for _, l := range c.Labels {
		if TextWidth(l, 1) > slotGuess-4 {
			upright = true
		}
	}
	if upright {
		labelH = 0
		for _, l := range c.Labels {
			labelH = max(labelH, TextWidth(l, 1))
		}
	}
	bottom := H - chartMargin - tickLen - labelGap - labelH
	if c.XLabel != "" {
		bottom -= TextHeight(1) + 2*labelGap
	}
	y := &axis{lo: lo, hi: hi, p0: bottom - 1, p1: top}
	y.ticks = NiceTicks(lo, hi, max(2, (bottom-top)/40))
	y.tickText = TickLabels(y.ticks)
	labelW := 0
	for _, s := range y.tickText {
		labelW = max(labelW, TextWidth(s, 1))
	}
	left := chartMargin + labelW + labelGap + tickLen
	if c.YLabel != "" {
		left += TextHeight(1) + 2*labelGap
	}
	right := W - chartMargin
	area := image.Rect(left, top, right, bottom)
	x := &axis{lo: 0, hi: 1, p0: left, p1: right - 1} // no x ticks: labels instead
	lc := LineChart{Title: c.Title, XLabel: c.XLabel, YLabel: c.YLabel}
	lc.drawGrid(img, area, x, y)

	slot := float64(area.Dx()) / float64(max(n, 1))
	zero := int(math.Round(y.pixel(0)))
	for i, v := range c.Values {
		x0 := area.Min.X + int(math.Round(float64(i)*slot+0.15*slot))
		x1 := area.Min.X + int(math.Round(float64(i+1)*slot-0.15*slot))
		mid := (area.Min.X*2 + int(math.Round((2*float64(i)+1)*slot))) / 2
		if isFinite(v) {
			py := int(math.Round(y.pixel(v)))
			fillRect(img, image.Rect(x0, min(py, zero), max(x1, x0+1), max(py, zero)+1), fill)
			s := FormatNumber(v)
			if TextWidth(s, 1) <= int(slot) {
				ty := py - labelGap - capRows
				if v < 0 {
					ty = py + labelGap
				}
				DrawText(img, mid-TextWidth(s, 1)/2, ty, s, color.Black, 1)
			}
		}
		l := c.Labels[i]
		if upright {
			DrawTextUp(img, mid-capRows/2, bottom+tickLen+labelGap, l, color.Black, 1)
		} else {
			DrawText(img, mid-TextWidth(l, 1)/2, bottom+tickLen+labelGap, l, color.Black, 1)
		}
	}
	x.ticks = nil
	lc.drawFrame(img, area, x, y)
	return img
}
