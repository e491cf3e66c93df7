package plot

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
)

// TextHeight returns the height in pixels of one line of text at the given
// scale, descenders included. Capitals are 7/9 of it.
func TextHeight(scale int) int {
	return glyphRows * max(scale, 1)
}

// TextWidth returns the width in pixels of s drawn by DrawText at the given
// scale (1 for normal text, 2 for titles). Scales below 1 count as 1.
func TextWidth(s string, scale int) int {
	scale = max(scale, 1)
	w := 0
	for i, r := range []rune(s) {
		if i > 0 {
			w++ // the gap between glyphs
		}
		lo, hi := inkColumns(glyphFor(r))
		w += hi - lo
	}
	return w * scale
}

// DrawText draws s onto dst with its top-left corner at (x, y), each font
// pixel magnified to scale×scale. The line is TextHeight(scale) tall and
// TextWidth(s, scale) wide; pixels outside dst are skipped.
func DrawText(dst draw.Image, x, y int, s string, c color.Color, scale int) {
	drawText(dst, x, y, s, c, scale, false)
}

// DrawTextUp draws s rotated 90° counter-clockwise, reading from bottom to
// top, as for a y-axis label. (x, y) is the top-left corner of the rotated
// box, which is TextHeight(scale) wide and TextWidth(s, scale) tall.
func DrawTextUp(dst draw.Image, x, y int, s string, c color.Color, scale int) {
	drawText(dst, x, y, s, c, scale, true)
}

func drawText(dst draw.Image, x, y int, s string, c color.Color, scale int, up bool) {
	scale = max(scale, 1)
	height := TextWidth(s, scale) // only used when rotated
	pen := 0                      // distance along the baseline, in font pixels
	for i, r := range []rune(s) {
		if i > 0 {
			pen++
		}
		g := glyphFor(r)
		lo, hi := inkColumns(g)
		for row := 0; row < glyphRows; row++ {
			for col := lo; col < hi; col++ {
				if g[row]&(1<<(glyphCols-1-col)) == 0 {
					continue
				}
				// (u, v): position along and across the text line.
				u, v := (pen+col-lo)*scale, row*scale
				px, py := x+u, y+v
				if up {
					px, py = x+v, y+height-scale-u
				}
				fillRect(dst, image.Rect(px, py, px+scale, py+scale), c)
			}
		}
		pen += hi - lo
	}
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
