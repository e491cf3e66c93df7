package plot

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// Series is one line on a LineChart.
type Series struct {
	Name    string      // shown in the legend; "" leaves the series out of it
	X, Y    []float64   // the points; a nil X means 0, 1, 2, …
	Color   color.Color // nil picks the next colour of Palette; a translucent colour draws a faint line
	Markers bool        // draw a dot at every point, e.g. for a few validation scores
	// Radius is the radius of the dots in pixels; 0 means 3. A scatter plot
	// of thousands of points reads better with 1 or 2 and Width −1.
	Radius int
	// Width is the line width in pixels. 0 means 2, or 1 when the series has
	// more points than the plot is wide (a noisy per-update loss); a negative
	// width draws no line, only markers.
	Width int
}

// LineChart plots series against shared axes. The zero value of every field
// is a sensible default: set what you need and call Render.
//
// Points whose X or Y is NaN or ±Inf are skipped and break the line, as are
// points with Y <= 0 on a logarithmic axis. Axis limits are taken from the
// data unless fixed, e.g. YMin: Fixed(0).
type LineChart struct {
	Title, XLabel, YLabel string
	LogY                  bool // logarithmic y axis with ticks at powers of ten
	LogX                  bool // logarithmic x axis, e.g. for a learning rate or the first updates
	Width, Height         int  // in pixels; 0 means 900×500
	XMin, XMax            *float64
	YMin, YMax            *float64
	// XTicks, if not empty, replaces the automatic x ticks: one labelled
	// tick at each value inside the x range, such as the learning rates a
	// sweep tried.
	XTicks []float64
	// VLines and HLines are labelled reference lines across the plot: a
	// vertical line at x = At (the update where the learning rate drops) or
	// a horizontal one at y = At (a tolerance).
	VLines, HLines []Rule
	Series         []Series
}

// Rule is a dashed reference line of a LineChart, with a label beside it.
type Rule struct {
	At    float64
	Label string
	Color color.Color // nil means dark grey
}

// Palette holds the default series colours, used in order: distinct hues
// that stay apart for most colour-blind readers (matplotlib's "tab10").
var Palette = []color.Color{
	color.RGBA{31, 119, 180, 255},  // blue
	color.RGBA{255, 127, 14, 255},  // orange
	color.RGBA{44, 160, 44, 255},   // green
	color.RGBA{214, 39, 40, 255},   // red
	color.RGBA{148, 103, 189, 255}, // purple
	color.RGBA{140, 86, 75, 255},   // brown
	color.RGBA{227, 119, 194, 255}, // pink
	color.RGBA{127, 127, 127, 255}, // grey
	color.RGBA{188, 189, 34, 255},  // olive
	color.RGBA{23, 190, 207, 255},  // cyan
}

// Chart layout, in pixels.
const (
	chartMargin = 12
	tickLen     = 5
	labelGap    = 4
	markerR     = 3
)

var (
	gridGrey   = color.Gray{230}
	legendEdge = color.Gray{160}
)

// axis maps data values to pixels along one direction.
type axis struct {
	lo, hi   float64 // data range (log10 of it for a log axis)
	log      bool
	p0, p1   int // pixels for lo and hi
	ticks    []float64
	tickText []string
}

func (a *axis) pixel(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	return float64(a.p0) + (v-a.lo)/(a.hi-a.lo)*float64(a.p1-a.p0)
}

// Render draws the chart.
func (c *LineChart) Render() *image.RGBA {
	W, H := c.Width, c.Height
	if W <= 0 {
		W = 900
	}
	if H <= 0 {
		H = 500
	}
	img := newCanvas(W, H)
	series := c.withDefaults(W)

	// Vertical layout first: it fixes the plot height, which fixes the y
	// ticks, whose labels fix the left margin and so the plot width.
	top := chartMargin
	if c.Title != "" {
		top += TextHeight(2) + 2*labelGap
	} else {
		top += TextHeight(1) / 2 // room for the top tick label
	}
	bottom := H - chartMargin - tickLen - labelGap - TextHeight(1)
	if c.XLabel != "" {
		bottom -= TextHeight(1) + labelGap
	}
	xlo, xhi, ylo, yhi := c.limits(series)
	y := &axis{lo: ylo, hi: yhi, log: c.LogY, p0: bottom - 1, p1: top}
	if c.LogY {
		y.ticks = LogTicks(ylo, yhi, max(2, (bottom-top)/40))
		y.lo, y.hi = math.Log10(ylo), math.Log10(yhi)
	} else {
		y.ticks = NiceTicks(ylo, yhi, max(2, (bottom-top)/40))
	}
	if c.LogY {
		for _, t := range y.ticks {
			y.tickText = append(y.tickText, FormatNumber(t))
		}
	} else {
		y.tickText = TickLabels(y.ticks)
	}
	labelW := 0
	for _, s := range y.tickText {
		labelW = max(labelW, TextWidth(s, 1))
	}
	left := chartMargin + labelW + labelGap + tickLen
	if c.YLabel != "" {
		left += TextHeight(1) + 2*labelGap
	}
	right := W - chartMargin - TextWidth(FormatNumber(xhi), 1)/2 - 2
	x := &axis{lo: xlo, hi: xhi, log: c.LogX, p0: left, p1: right - 1}
	if c.LogX {
		x.lo, x.hi = math.Log10(xlo), math.Log10(xhi)
	}
	if len(c.XTicks) > 0 {
		for _, t := range c.XTicks {
			if t >= xlo*(1-1e-9) && t <= xhi*(1+1e-9) && (!c.LogX || t > 0) {
				x.ticks = append(x.ticks, t)
				x.tickText = append(x.tickText, FormatNumber(t))
			}
		}
	}
	// As many x ticks as fit with their labels well apart.
	for n := max(2, (right-left)/60); len(c.XTicks) == 0; n-- {
		if c.LogX {
			x.ticks = LogTicks(xlo, xhi, n)
			x.tickText = x.tickText[:0]
			for _, t := range x.ticks {
				x.tickText = append(x.tickText, FormatNumber(t))
			}
		} else {
			x.ticks = NiceTicks(xlo, xhi, n)
			x.tickText = TickLabels(x.ticks)
		}
		total := 0
		for _, s := range x.tickText {
			total += TextWidth(s, 1) + 20
		}
		if total <= right-left || n <= 2 {
			break
		}
	}
	plotArea := image.Rect(left, top, right, bottom)

	c.drawGrid(img, plotArea, x, y)
	// The frame goes under the data so that a marker on the edge shows whole.
	c.drawFrame(img, plotArea, x, y)
	coverage := image.NewAlpha(plotArea)              // every series' pixels, for placing the legend
	c.drawRules(img, plotArea, coverage, x, y, false) // the lines, under the data
	for _, s := range series {
		drawSeries(img, plotArea, coverage, s, x, y)
	}
	drawLegend(img, plotArea, coverage, series)
	c.drawRules(img, plotArea, coverage, x, y, true) // their labels, where there is room
	return img
}

// withDefaults returns the series with colours and widths filled in. The
// image width W stands in for the plot width: close enough to tell a dense
// series from a sparse one.
func (c *LineChart) withDefaults(W int) []Series {
	out := make([]Series, len(c.Series))
	for i, s := range c.Series {
		if s.Color == nil {
			s.Color = Palette[i%len(Palette)]
		}
		if s.Width == 0 {
			s.Width = 2
			if len(s.Y) > W {
				s.Width = 1
			}
		}
		out[i] = s
	}
	return out
}

// limits returns the axis ranges: fixed where the chart says so, otherwise
// from the data, the y range padded by 5% so that no point sits on the
// frame. An empty or single-valued range is widened so it is never zero.
func (c *LineChart) limits(series []Series) (xlo, xhi, ylo, yhi float64) {
	xlo, ylo = math.Inf(1), math.Inf(1)
	xhi, yhi = math.Inf(-1), math.Inf(-1)
	for _, s := range series {
		for i := range s.Y {
			px, py, ok := point(s, i, c.LogX, c.LogY)
			if !ok {
				continue
			}
			xlo, xhi = math.Min(xlo, px), math.Max(xhi, px)
			ylo, yhi = math.Min(ylo, py), math.Max(yhi, py)
		}
	}
	if c.LogY && ylo <= yhi {
		ylo, yhi = math.Log10(ylo), math.Log10(yhi)
	}
	if c.LogX && xlo <= xhi {
		xlo, xhi = math.Log10(xlo), math.Log10(xhi)
	}
	xlo, xhi = widen(xlo, xhi, c.XMin, c.XMax, 0, c.LogX)
	if c.LogX {
		xlo, xhi = math.Pow(10, xlo), math.Pow(10, xhi)
	}
	ylo, yhi = widen(ylo, yhi, c.YMin, c.YMax, 0.05, c.LogY)
	if c.LogY {
		ylo, yhi = math.Pow(10, ylo), math.Pow(10, yhi)
	}
	return xlo, xhi, ylo, yhi
}

// widen pads [lo, hi] by the fraction pad of its length, makes it non-empty
// and applies the fixed limits fixLo and fixHi (given in data units, so in
// log space they are converted first).
func widen(lo, hi float64, fixLo, fixHi *float64, pad float64, log bool) (float64, float64) {
	if lo > hi { // no data
		lo, hi = 0, 1
	}
	if lo == hi {
		d := math.Abs(lo) * 0.1
		if d == 0 || log {
			d = 0.5 // or half a decade
		}
		lo, hi = lo-d, hi+d
	} else {
		d := (hi - lo) * pad
		lo, hi = lo-d, hi+d
	}
	fix := func(v *float64, def float64) float64 {
		if v == nil || !isFinite(*v) || (log && *v <= 0) {
			return def
		}
		if log {
			return math.Log10(*v)
		}
		return *v
	}
	lo, hi = fix(fixLo, lo), fix(fixHi, hi)
	if !(lo < hi) { // fixed limits that contradict the data or each other
		hi = lo + 1
	}
	return lo, hi
}

// point returns point i of s and whether it can be drawn.
func point(s Series, i int, logX, logY bool) (x, y float64, ok bool) {
	x, y = float64(i), s.Y[i]
	if s.X != nil {
		if i >= len(s.X) {
			return 0, 0, false
		}
		x = s.X[i]
	}
	ok = isFinite(x) && isFinite(y) && (!logY || y > 0) && (!logX || x > 0)
	return x, y, ok
}

// drawGrid draws the faint lines behind the data at every tick.
func (c *LineChart) drawGrid(img *image.RGBA, r image.Rectangle, x, y *axis) {
	for _, t := range x.ticks {
		px := int(math.Round(x.pixel(t)))
		fillRect(img, image.Rect(px, r.Min.Y, px+1, r.Max.Y), gridGrey)
	}
	for _, t := range y.ticks {
		py := int(math.Round(y.pixel(t)))
		fillRect(img, image.Rect(r.Min.X, py, r.Max.X, py+1), gridGrey)
	}
}

// drawFrame draws the box, the ticks with their numbers, the axis labels and
// the title.
func (c *LineChart) drawFrame(img *image.RGBA, r image.Rectangle, x, y *axis) {
	black := color.Black
	fillRect(img, image.Rect(r.Min.X-1, r.Min.Y-1, r.Max.X+1, r.Min.Y), black)
	fillRect(img, image.Rect(r.Min.X-1, r.Max.Y, r.Max.X+1, r.Max.Y+1), black)
	fillRect(img, image.Rect(r.Min.X-1, r.Min.Y-1, r.Min.X, r.Max.Y+1), black)
	fillRect(img, image.Rect(r.Max.X, r.Min.Y-1, r.Max.X+1, r.Max.Y+1), black)

	for i, t := range x.ticks {
		px := int(math.Round(x.pixel(t)))
		fillRect(img, image.Rect(px, r.Max.Y+1, px+1, r.Max.Y+1+tickLen), black)
		s := x.tickText[i]
		DrawText(img, px-TextWidth(s, 1)/2, r.Max.Y+1+tickLen+labelGap, s, black, 1)
	}
	for i, t := range y.ticks {
		py := int(math.Round(y.pixel(t)))
		fillRect(img, image.Rect(r.Min.X-1-tickLen, py, r.Min.X-1, py+1), black)
		s := y.tickText[i]
		DrawText(img, r.Min.X-1-tickLen-labelGap-TextWidth(s, 1), py-capHeight(1)/2, s, black, 1)
	}
	if y.log {
		// Short unlabelled ticks at 2×…9× each power of ten.
		for k := math.Floor(y.lo); k <= y.hi; k++ {
			for m := 2.0; m <= 9; m++ {
				v := math.Log10(m) + k
				if v > y.lo && v < y.hi {
					py := int(math.Round(y.pixel(math.Pow(10, v))))
					fillRect(img, image.Rect(r.Min.X-1-tickLen/2, py, r.Min.X-1, py+1), black)
				}
			}
		}
	}
	if x.log && len(c.XTicks) == 0 {
		// Short unlabelled ticks at 2×…9× each power of ten.
		for k := math.Floor(x.lo); k <= x.hi; k++ {
			for m := 2.0; m <= 9; m++ {
				v := math.Log10(m) + k
				if v > x.lo && v < x.hi {
					px := int(math.Round(x.pixel(math.Pow(10, v))))
					fillRect(img, image.Rect(px, r.Max.Y+1, px+1, r.Max.Y+1+tickLen/2), black)
				}
			}
		}
	}

	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	if c.Title != "" {
		t := fitText(c.Title, W-2*chartMargin, 2)
		// Centred over the plot area, but moved left when that would push it
		// past the right edge of the image.
		tx := min((r.Min.X+r.Max.X-TextWidth(t, 2))/2, W-chartMargin-TextWidth(t, 2))
		DrawText(img, max(tx, chartMargin), chartMargin, t, black, 2)
	}
	if c.XLabel != "" {
		t := fitText(c.XLabel, W-2*chartMargin, 1)
		DrawText(img, (r.Min.X+r.Max.X-TextWidth(t, 1))/2, H-chartMargin-TextHeight(1), t, black, 1)
	}
	if c.YLabel != "" {
		t := fitText(c.YLabel, r.Dy(), 1)
		DrawTextUp(img, chartMargin, (r.Min.Y+r.Max.Y-TextWidth(t, 1))/2, t, black, 1)
	}
}

// drawSeries draws s clipped to the plot area r; only markers of points on
// the edge may stick out. Its pixels are collected in a mask first and then
// painted in one go, so that a translucent colour stays evenly translucent
// where the line crosses itself.
func drawSeries(img *image.RGBA, r image.Rectangle, coverage *image.Alpha, s Series, x, y *axis) {
	mask := image.NewAlpha(r.Inset(-markerR))
	var prev [2]float64
	havePrev := false
	for i := range s.Y {
		dx, dy, ok := point(s, i, x.log, y.log)
		if !ok {
			havePrev = false // a gap in the data breaks the line
			continue
		}
		p := [2]float64{x.pixel(dx), y.pixel(dy)}
		if s.Width > 0 && havePrev {
			line(mask, r, prev, p, s.Width)
		}
		if s.Markers && image.Pt(int(math.Round(p[0])), int(math.Round(p[1]))).In(r) {
			disc(mask, p, s.radius())
		}
		prev, havePrev = p, true
	}
	draw.DrawMask(img, mask.Rect, image.NewUniform(s.Color), image.Point{}, mask, mask.Rect.Min, draw.Over)
	draw.DrawMask(coverage, r, image.Opaque, image.Point{}, mask, r.Min, draw.Over)
}

// radius returns the marker radius of s.
func (s Series) radius() int {
	if s.Radius > 0 {
		return s.Radius
	}
	return markerR
}

// drawRules draws the reference lines, dashed (labels false), or their
// labels (labels true). The labels come after the series and the legend, so
// that each goes where they leave room: beside a vertical line at the top or
// the bottom of the plot, on either side; above or below a horizontal line,
// at its left or right end. A label gets a white box so that it stays
// readable over the grid.
func (c *LineChart) drawRules(img *image.RGBA, r image.Rectangle, coverage *image.Alpha, x, y *axis, labels bool) {
	ruleColor := func(rl Rule) color.Color {
		if rl.Color == nil {
			return color.Gray{90}
		}
		return rl.Color
	}
	label := func(rl Rule, candidates []image.Point) {
		if rl.Label == "" || !labels {
			return
		}
		w, h := TextWidth(rl.Label, 1), TextHeight(1)
		best, bestN := image.Rectangle{}, -1
		for _, p := range candidates {
			box := image.Rect(p.X-2, p.Y-1, p.X+w+2, p.Y+h+1)
			if !box.In(r) {
				continue
			}
			if n := covered(coverage, box); bestN < 0 || n < bestN {
				best, bestN = box, n
			}
		}
		if bestN < 0 {
			return // no room inside the plot
		}
		fillRect(img, best, color.White)
		DrawText(img, best.Min.X+2, best.Min.Y+1, rl.Label, ruleColor(rl), 1)
		draw.Draw(coverage, best, image.Opaque, image.Point{}, draw.Src)
	}
	for _, rl := range c.VLines {
		if !isFinite(rl.At) || (x.log && rl.At <= 0) {
			continue
		}
		px := int(math.Round(x.pixel(rl.At)))
		if px < r.Min.X || px >= r.Max.X {
			continue
		}
		for py := r.Min.Y; py < r.Max.Y && !labels; py += 8 {
			fillRect(img, image.Rect(px, py, px+1, min(py+5, r.Max.Y)), ruleColor(rl))
		}
		w, h := TextWidth(rl.Label, 1), TextHeight(1)
		label(rl, []image.Point{
			{px - 6 - w, r.Min.Y + 4}, {px + 6, r.Min.Y + 4},
			{px - 6 - w, r.Max.Y - 4 - h}, {px + 6, r.Max.Y - 4 - h},
		})
	}
	for _, rl := range c.HLines {
		if !isFinite(rl.At) || (y.log && rl.At <= 0) {
			continue
		}
		py := int(math.Round(y.pixel(rl.At)))
		if py < r.Min.Y || py >= r.Max.Y {
			continue
		}
		for px := r.Min.X; px < r.Max.X && !labels; px += 8 {
			fillRect(img, image.Rect(px, py, min(px+5, r.Max.X), py+1), ruleColor(rl))
		}
		w, h := TextWidth(rl.Label, 1), TextHeight(1)
		label(rl, []image.Point{
			{r.Min.X + 6, py - 3 - h}, {r.Max.X - 6 - w, py - 3 - h},
			{r.Min.X + 6, py + 4}, {r.Max.X - 6 - w, py + 4},
		})
	}
}

// Fixed returns a pointer to v, for the optional axis limits of LineChart:
// YMin: plot.Fixed(0) pins the y axis at zero.
func Fixed(v float64) *float64 { return &v }
