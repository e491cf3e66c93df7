package plot

import (
	"image"
	"image/color"
	"image/draw"
)

// Legend layout, in pixels.
const (
	legendPad    = 6  // inside the box
	legendInset  = 8  // between the box and the plot frame
	legendSample = 24 // length of the line sample
)

// drawLegend lists the named series in a box in whichever corner of the plot
// area r covers the fewest drawn pixels (coverage), so that it hides as
// little data as possible. The box is slightly translucent, so a curve
// under it still shows through.
func drawLegend(img *image.RGBA, r image.Rectangle, coverage *image.Alpha, series []Series) {
	var named []Series
	nameW := 0
	for _, s := range series {
		if s.Name != "" {
			named = append(named, s)
			nameW = max(nameW, TextWidth(s.Name, 1))
		}
	}
	if len(named) == 0 {
		return
	}
	rowH := TextHeight(1) + 4
	w := 2*legendPad + legendSample + legendPad + nameW
	h := 2*legendPad + len(named)*rowH - 4
	in := r.Inset(legendInset)
	corners := []image.Rectangle{ // in order of preference
		image.Rect(in.Max.X-w, in.Min.Y, in.Max.X, in.Min.Y+h), // top right
		image.Rect(in.Min.X, in.Min.Y, in.Min.X+w, in.Min.Y+h), // top left
		image.Rect(in.Max.X-w, in.Max.Y-h, in.Max.X, in.Max.Y), // bottom right
		image.Rect(in.Min.X, in.Max.Y-h, in.Min.X+w, in.Max.Y), // bottom left
	}
	box, least := corners[0], -1
	for _, c := range corners {
		n := covered(coverage, c)
		if least < 0 || n < least {
			box, least = c, n
		}
	}

	draw.Draw(img, box, image.NewUniform(color.NRGBA{255, 255, 255, 220}), image.Point{}, draw.Over)
	fillRect(img, image.Rect(box.Min.X, box.Min.Y, box.Max.X, box.Min.Y+1), legendEdge)
	fillRect(img, image.Rect(box.Min.X, box.Max.Y-1, box.Max.X, box.Max.Y), legendEdge)
	fillRect(img, image.Rect(box.Min.X, box.Min.Y, box.Min.X+1, box.Max.Y), legendEdge)
	fillRect(img, image.Rect(box.Max.X-1, box.Min.Y, box.Max.X, box.Max.Y), legendEdge)
	for i, s := range named {
		top := box.Min.Y + legendPad + i*rowH
		mid := top + capHeight(1)/2
		sample := image.Rect(box.Min.X+legendPad, mid-legendPad, box.Min.X+legendPad+legendSample, mid+legendPad+1)
		mask := image.NewAlpha(sample)
		a := [2]float64{float64(sample.Min.X), float64(mid)}
		b := [2]float64{float64(sample.Max.X - 1), float64(mid)}
		if s.Width > 0 {
			// At least 2 px so the colour reads; 4 px if it is translucent.
			w := max(s.Width, 2)
			if _, _, _, alpha := s.Color.RGBA(); alpha < 0xffff {
				w = max(w, 4)
			}
			line(mask, sample, a, b, w)
		}
		if s.Markers {
			disc(mask, [2]float64{(a[0] + b[0]) / 2, float64(mid)}, max(s.radius(), 2))
		}
		draw.DrawMask(img, sample, image.NewUniform(s.Color), image.Point{}, mask, sample.Min, draw.Over)
		DrawText(img, sample.Max.X+legendPad, top, s.Name, color.Black, 1)
	}
	// Taken: labels drawn later (LineChart's reference lines) keep off it.
	draw.Draw(coverage, box, image.Opaque, image.Point{}, draw.Src)
}

// covered counts the pixels of c that some series has drawn on.
func covered(coverage *image.Alpha, c image.Rectangle) int {
	c = c.Intersect(coverage.Bounds())
	n := 0
	for y := c.Min.Y; y < c.Max.Y; y++ {
		for x := c.Min.X; x < c.Max.X; x++ {
			if coverage.Pix[coverage.PixOffset(x, y)] != 0 {
				n++
			}
		}
	}
	return n
}
