package plot

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
)

// Text sizes. The font is drawn from a smoothed double-resolution copy of
// the 5×9 bitmap (see bigGlyph), with anti-aliased edges, magnified so that
// one pixel of the 5×9 design becomes magnification(scale) pixels of the
// image: scale 1, for body text (tick numbers, labels, captions), is 1.5,
// giving capitals 10.5 pixels tall and a line of 14 — the size of
// matplotlib's default 10-point text at 100 dpi; scale 2, for titles, is 2
// (capitals 14 pixels tall); larger scales magnify by the scale.
func magnification(scale int) float64 {
	if scale <= 1 {
		return 1.5
	}
	return float64(scale)
}

// TextHeight returns the height in pixels of one line of text at the given
// scale, descenders included. Capitals take 7/9 of it.
func TextHeight(scale int) int {
	return int(math.Ceil(glyphRows * magnification(scale)))
}

// capHeight returns the height in pixels of a capital at the given scale.
func capHeight(scale int) int {
	return int(math.Round(capRows * magnification(scale)))
}

// TextWidth returns the width in pixels of s drawn by DrawText at the given
// scale (1 for normal text, 2 for titles). Scales below 1 count as 1.
func TextWidth(s string, scale int) int {
	return int(math.Ceil(float64(designWidth(s)) * magnification(scale)))
}

// designWidth returns the width of s in pixels of the 5×9 design: the glyphs
// trimmed to their ink, one blank column between them.
func designWidth(s string) int {
	w := 0
	for i, r := range []rune(s) {
		if i > 0 {
			w++ // the gap between glyphs
		}
		lo, hi := inkColumns(glyphFor(r))
		w += hi - lo
	}
	return w
}

// DrawText draws s onto dst with its top-left corner at (x, y) in colour c
// (scale 1 for normal text, 2 for titles). The line is TextHeight(scale)
// tall and TextWidth(s, scale) wide; pixels outside dst are skipped.
func DrawText(dst draw.Image, x, y int, s string, c color.Color, scale int) {
	drawText(dst, x, y, s, c, scale, false)
}

// DrawTextUp draws s rotated 90° counter-clockwise, reading from bottom to
// top, as for a y-axis label. (x, y) is the top-left corner of the rotated
// box, which is TextHeight(scale) wide and TextWidth(s, scale) tall.
func DrawTextUp(dst draw.Image, x, y int, s string, c color.Color, scale int) {
	drawText(dst, x, y, s, c, scale, true)
}

// drawText rasterises s by area coverage: every set pixel of the glyphs'
// double-resolution bitmaps is a square of side magnification/2 image
// pixels, and each image pixel is painted with the fraction of its area that
// squares cover (a box filter, the simplest anti-aliasing). At integer
// magnifications the squares fall on whole pixels and the text is crisp.
func drawText(dst draw.Image, x, y int, s string, c color.Color, scale int, up bool) {
	m := magnification(scale) / 2 // image pixels per pixel of the big bitmap
	long, across := TextWidth(s, scale), TextHeight(scale)
	cov := make([]float32, (long+1)*(across+1)) // coverage along × across the line
	pen := 0                                    // position along the line, in design pixels
	for i, r := range []rune(s) {
		if i > 0 {
			pen++
		}
		g := glyphFor(r)
		lo, hi := inkColumns(g)
		big := bigGlyphFor(r)
		for row := 0; row < 2*glyphRows; row++ {
			for col := 2 * lo; col < 2*hi; col++ {
				if big[row]&(1<<(2*glyphCols-1-col)) == 0 {
					continue
				}
				u0 := float64(2*pen+col-2*lo) * m
				v0 := float64(row) * m
				addSquare(cov, long+1, across+1, u0, v0, m)
			}
		}
		pen += hi - lo
	}
	for v := 0; v <= across; v++ {
		for u := 0; u <= long; u++ {
			a := cov[v*(long+1)+u]
			if a <= 0 {
				continue
			}
			px, py := x+u, y+v
			if up {
				px, py = x+v, y+long-1-u
			}
			blend(dst, px, py, c, min(float64(a), 1))
		}
	}
}

// addSquare adds to the coverage grid cov (w columns, h rows) the area of the
// square [u0, u0+side) × [v0, v0+side) that falls in each cell.
func addSquare(cov []float32, w, h int, u0, v0, side float64) {
	u1, v1 := u0+side, v0+side
	for v := int(v0); v < h && float64(v) < v1; v++ {
		dv := math.Min(v1, float64(v+1)) - math.Max(v0, float64(v))
		if dv <= 0 {
			continue
		}
		for u := int(u0); u < w && float64(u) < u1; u++ {
			du := math.Min(u1, float64(u+1)) - math.Max(u0, float64(u))
			if du > 0 {
				cov[v*w+u] += float32(du * dv)
			}
		}
	}
}

// blend paints c over the pixel (x, y) of dst with opacity a in [0, 1];
// pixels outside dst are skipped.
func blend(dst draw.Image, x, y int, c color.Color, a float64) {
	if !image.Pt(x, y).In(dst.Bounds()) {
		return
	}
	if a >= 1 {
		dst.Set(x, y, c)
		return
	}
	sr, sg, sb, sa := c.RGBA()
	dr, dg, db, da := dst.At(x, y).RGBA()
	mix := func(s, d uint32) uint16 {
		return uint16(a*float64(s) + (1-a*float64(sa)/0xffff)*float64(d) + 0.5)
	}
	dst.Set(x, y, color.RGBA64{mix(sr, dr), mix(sg, dg), mix(sb, db), mix(sa, da)})
}

// fillRect sets every pixel of r that lies inside dst to c.
func fillRect(dst draw.Image, r image.Rectangle, c color.Color) {
	r = r.Intersect(dst.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dst.Set(x, y, c)
		}
	}
}

// fitText returns s, or s cut short and ended with "…", so that it is at
// most width pixels wide at the given scale.
func fitText(s string, width, scale int) string {
	if TextWidth(s, scale) <= width {
		return s
	}
	rs := []rune(s)
	for n := len(rs) - 1; n > 0; n-- {
		t := strings.TrimRight(string(rs[:n]), " ") + "…"
		if TextWidth(t, scale) <= width {
			return t
		}
	}
	return "…"
}

// wrapText breaks s at spaces into at most maxLines lines that each fit in
// width pixels. A word too long for a line is cut with "…", and so is the
// last line when the text does not fit in maxLines. A caption such as
// "Shirt → Ankle boot" breaks after the arrow when that is enough, so that
// each class name stays whole.
func wrapText(s string, width, scale, maxLines int) []string {
	if TextWidth(s, scale) <= width {
		return []string{s}
	}
	if parts := strings.SplitAfter(s, "→"); len(parts) > 1 && len(parts) <= maxLines {
		fits := true
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
			fits = fits && TextWidth(parts[i], scale) <= width
		}
		if fits {
			return parts
		}
	}
	words := strings.Fields(s)
	var lines []string
	line := ""
	for i, w := range words {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if TextWidth(try, scale) <= width || line == "" {
			line = try
			continue
		}
		if len(lines) == maxLines-1 {
			// No room for another line: put the rest on this one and cut it.
			line = strings.Join(append([]string{line}, words[i:]...), " ")
			break
		}
		lines = append(lines, fitText(line, width, scale))
		line = w
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, fitText(line, width, scale))
	}
	return lines
}
