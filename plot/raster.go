package plot

import (
	"image"
	"math"
)

// The series of a chart are rasterised into alpha masks (see drawSeries):
// plain pixel stepping, no anti-aliasing, lines 1–2 px thick.

// line sets the pixels of mask along the segment a–b, width pixels thick.
// The segment is first clipped to r, so far-away points cost nothing.
func line(mask *image.Alpha, r image.Rectangle, a, b [2]float64, width int) {
	a, b, ok := clip(a, b, float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X-1), float64(r.Max.Y-1))
	if !ok {
		return
	}
	// Step one pixel at a time along the longer direction.
	n := int(math.Ceil(math.Max(math.Abs(b[0]-a[0]), math.Abs(b[1]-a[1]))))
	for k := 0; k <= n; k++ {
		t := 0.0
		if n > 0 {
			t = float64(k) / float64(n)
		}
		px := int(math.Round(a[0]+t*(b[0]-a[0]))) - (width-1)/2
		py := int(math.Round(a[1]+t*(b[1]-a[1]))) - (width-1)/2
		fillAlpha(mask, image.Rect(px, py, px+width, py+width).Intersect(r))
	}
}

// clip cuts the segment a–b to the rectangle [x0, x1]×[y0, y1]
// (Liang–Barsky); ok is false when nothing of it is inside.
func clip(a, b [2]float64, x0, y0, x1, y1 float64) (ca, cb [2]float64, ok bool) {
	t0, t1 := 0.0, 1.0
	d := [2]float64{b[0] - a[0], b[1] - a[1]}
	for _, e := range [4]struct{ p, q float64 }{
		{-d[0], a[0] - x0}, {d[0], x1 - a[0]}, {-d[1], a[1] - y0}, {d[1], y1 - a[1]},
	} {
		if e.p == 0 {
			if e.q < 0 {
				return a, b, false
			}
			continue
		}
		t := e.q / e.p
		if e.p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
	}
	if t0 > t1 {
		return a, b, false
	}
	ca = [2]float64{a[0] + t0*d[0], a[1] + t0*d[1]}
	cb = [2]float64{a[0] + t1*d[0], a[1] + t1*d[1]}
	return ca, cb, true
}

// disc sets the pixels of mask within radius of the centre c.
func disc(mask *image.Alpha, c [2]float64, radius int) {
	cx, cy := int(math.Round(c[0])), int(math.Round(c[1]))
	for dy := -radius; dy <= radius; dy++ {
		for dx := -radius; dx <= radius; dx++ {
			if dx*dx+dy*dy <= radius*radius+1 {
				fillAlpha(mask, image.Rect(cx+dx, cy+dy, cx+dx+1, cy+dy+1))
			}
		}
	}
}

// fillAlpha makes the pixels of r inside mask opaque.
func fillAlpha(mask *image.Alpha, r image.Rectangle) {
	r = r.Intersect(mask.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			mask.Pix[mask.PixOffset(x, y)] = 255
		}
	}
}
