package diagnose

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"

	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
)

// The figures: each function turns what this package measured into plain
// numbers for package plot and returns the picture, ready for plot.SavePNG
// or a Report.

// ruleGrey draws reference lines (the 1e-3 rule of thumb, a suggested rate).
var ruleGrey = color.RGBA{90, 90, 90, 255}

// RatioChart plots the update-to-weight ratio of every layer against the
// update, on a log scale, with the rule-of-thumb line at 1e-3.
func RatioChart(r *Recorder, title string) *image.RGBA {
	c := &plot.LineChart{Title: title, XLabel: "update", YLabel: "||update|| / ||weights|| (log scale)", LogY: true, Width: 800, Height: 420}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range r.Layers(Ratio) {
		x, y := r.Series(l, Ratio)
		c.Series = append(c.Series, plot.Series{Name: l, X: x, Y: y})
		if len(x) > 0 {
			lo, hi = math.Min(lo, x[0]), math.Max(hi, x[len(x)-1])
		}
	}
	if lo <= hi {
		c.Series = append(c.Series, plot.Series{Name: "1e-3 rule of thumb", X: []float64{lo, hi}, Y: []float64{1e-3, 1e-3}, Color: ruleGrey, Width: 1})
	}
	return c.Render()
}

// GradNormChart plots the gradient norm ‖∂L/∂θ‖ of every layer, log scale.
func GradNormChart(r *Recorder, title string) *image.RGBA {
	c := &plot.LineChart{Title: title, XLabel: "update", YLabel: "gradient norm ||dL/dW|| (log scale)", LogY: true, Width: 800, Height: 420}
	for _, l := range r.Layers(GradNorm) {
		x, y := r.Series(l, GradNorm)
		c.Series = append(c.Series, plot.Series{Name: l, X: x, Y: y})
	}
	return c.Render()
}

// UnitsChart plots, in per cent, the dead units of every ReLU layer (dead
// channels after a convolution) and the saturated outputs of every tanh or
// sigmoid layer.
func UnitsChart(r *Recorder, title string) *image.RGBA {
	c := &plot.LineChart{Title: title, XLabel: "update", YLabel: "% of units (channels after a convolution)", YMin: plot.Fixed(0), YMax: plot.Fixed(100), Width: 800, Height: 420}
	for _, m := range []string{Dead, Saturated} {
		for _, l := range r.Layers(m) {
			x, y := r.Series(l, m)
			p := make([]float64, len(y))
			for i, v := range y {
				p[i] = 100 * v
			}
			c.Series = append(c.Series, plot.Series{Name: l + " " + m, X: x, Y: p})
		}
	}
	return c.Render()
}

// HistogramsFigure draws, for every layer, the histograms of one kind
// ("activation" or "gradient") taken at each of the recorded updates, as
// small charts in a grid of cols columns.
func HistogramsFigure(r *Recorder, kind string, cols int) *image.RGBA {
	byLayer := map[string][]plot.Bins{}
	var order []string
	ups := r.HistUpdates()
	for _, h := range r.Hists {
		if h.Kind != kind || len(h.Counts) == 0 || !(h.Lo < h.Hi) {
			continue
		}
		if byLayer[h.Layer] == nil {
			order = append(order, h.Layer)
		}
		k := sort.SearchInts(ups, h.Update)
		byLayer[h.Layer] = append(byLayer[h.Layer], plot.Bins{
			Name: fmt.Sprintf("update %d (std %.2g)", h.Update, h.Std), Lo: h.Lo, Hi: h.Hi, Counts: h.Counts,
			Color: plot.Palette[k%len(plot.Palette)],
		})
	}
	what := "output"
	if kind == "gradient" {
		what = "dL/d(output)"
	}
	var charts []image.Image
	for _, l := range order {
		c := &plot.Histogram{Title: l, XLabel: what, LogY: true, Width: 440, Height: 280, Bins: byLayer[l]}
		charts = append(charts, c.Render())
	}
	return Tile(charts, cols)
}

// ClassAccuracyChart plots the validation accuracy of each class at every
// evaluation; classNames labels the lines (nil numbers them).
func ClassAccuracyChart(r *Recorder, classNames []string, title string) *image.RGBA {
	c := &plot.LineChart{Title: title, XLabel: "update", YLabel: "validation accuracy (%)", YMax: plot.Fixed(100), Width: 800, Height: 460}
	if len(r.Classes) == 0 {
		return c.Render()
	}
	for k := range r.Classes[0].Acc {
		var x, y []float64
		for _, ca := range r.Classes {
			x = append(x, float64(ca.Update))
			y = append(y, 100*ca.Acc[k])
		}
		name := fmt.Sprint(k)
		if k < len(classNames) {
			name = classNames[k]
		}
		c.Series = append(c.Series, plot.Series{Name: name, X: x, Y: y, Markers: len(x) < 30})
	}
	return c.Render()
}

// WeightImages returns the first n rows of the first layer's weight matrix
// W (one row per hidden unit, 784 weights for a 28×28 image) as images, and
// the symmetric range ±lim to draw them in: the 99.5th percentile of |w|, so
// that a few extreme weights do not wash out the rest.
func WeightImages(w *tensor.Tensor, n int) (images [][]float64, lim float64) {
	n = min(n, w.Rows())
	var abs []float64
	for i := range n {
		row := w.Row(i)
		images = append(images, append([]float64(nil), row...))
		for _, v := range row {
			abs = append(abs, math.Abs(v))
		}
	}
	// Non-finite weights (a diverged run) are left out of the range; the
	// plot draws them red.
	finite := abs[:0]
	for _, v := range abs {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	sort.Float64s(finite)
	lim = 1
	if len(finite) > 0 && finite[int(0.995*float64(len(finite)-1))] > 0 {
		lim = finite[int(0.995*float64(len(finite)-1))]
	}
	return images, lim
}

// WeightsFigure draws the first n hidden units' incoming weights as
// height×width images in a diverging colour map (blue negative, white 0,
// red positive), at initialisation and after training side by side, each
// in its own range (given in its title).
func WeightsFigure(initW, trainedW *tensor.Tensor, n, height, width, cols int) *image.RGBA {
	grid := func(w *tensor.Tensor, what string) image.Image {
		imgs, lim := WeightImages(w, n)
		return plot.ImageGridFloat(imgs, height, width, -lim, lim, nil, plot.GridOptions{
			Title: fmt.Sprintf("%s (±%.2g)", what, lim), Cols: cols, Scale: 2, Colormap: plot.Diverging,
		})
	}
	return Tile([]image.Image{grid(initW, "at initialisation"), grid(trainedW, "after training")}, 2)
}

// ScatterFigure draws 2-D points (an n×2 tensor) coloured by class, e.g. a
// PCA or t-SNE projection of a hidden layer.
func ScatterFigure(points *tensor.Tensor, labels []int, classNames []string, title, xlabel, ylabel string) *image.RGBA {
	c := &plot.LineChart{Title: title, XLabel: xlabel, YLabel: ylabel, Width: 760, Height: 640}
	nc := len(classNames)
	for _, l := range labels {
		nc = max(nc, l+1)
	}
	for k := range nc {
		var x, y []float64
		for i, l := range labels {
			if l == k {
				x = append(x, points.At(i, 0))
				y = append(y, points.At(i, 1))
			}
		}
		name := fmt.Sprint(k)
		if k < len(classNames) {
			name = classNames[k]
		}
		c.Series = append(c.Series, plot.Series{Name: name, X: x, Y: y, Markers: true, Width: -1, Radius: 2})
	}
	return c.Render()
}

// LRFindChart draws the range test: the loss of every step (faint) and its
// smoothed value against the learning rate on a log axis, with the rate of
// the lowest smoothed loss and the suggested rate marked. The y axis ends at
// 1.5 times the starting loss.
func LRFindChart(r *LRFind, title string) *image.RGBA {
	// The y axis stops a little above the starting loss: the blow-up at
	// the end would otherwise flatten everything that matters.
	hi := 0.0
	for _, v := range r.Smoothed[:max(1, len(r.Smoothed)/10)] {
		hi = math.Max(hi, v)
	}
	hi *= 1.5
	c := &plot.LineChart{Title: title, XLabel: "learning rate (log scale)", YLabel: "training loss", LogX: true, Width: 800, Height: 420,
		YMin: plot.Fixed(0), YMax: plot.Fixed(hi * 1.05)}
	c.Series = []plot.Series{
		{Name: "batch loss", X: r.LR, Y: r.Loss, Color: faint(plot.Palette[0])},
		{Name: "smoothed", X: r.LR, Y: r.Smoothed, Color: plot.Palette[0]},
		{Name: fmt.Sprintf("lowest smoothed loss, lr %.2g", r.Best), X: []float64{r.Best, r.Best}, Y: []float64{0, hi}, Color: ruleGrey, Width: 1},
		{Name: fmt.Sprintf("suggested lr %.2g (a tenth)", r.Suggested), X: []float64{r.Suggested, r.Suggested}, Y: []float64{0, hi}, Color: plot.Palette[3]},
	}
	return c.Render()
}

func faint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 70}
}

// ConfusedFigure draws the samples of the most confused pairs (images are
// the rows of x, height×width, drawn in [lo, hi]) with three-line captions
// such as "Shirt→", "T-shirt", "0.97": true class, predicted class, the
// probability given to the prediction. The images are drawn at 4× so that a
// caption line as long as "T-shirt/top→" fits under its image whole.
func ConfusedFigure(pairs []Confusion, x *tensor.Tensor, height, width int, lo, hi float64, classNames []string, title string) *image.RGBA {
	var imgs [][]float64
	var caps []string
	name := func(k int) string {
		if k < len(classNames) {
			return classNames[k]
		}
		return fmt.Sprint(k)
	}
	cols := 0
	for _, p := range pairs {
		cols = max(cols, len(p.Samples))
		for i, s := range p.Samples {
			imgs = append(imgs, x.Row(s))
			caps = append(caps, fmt.Sprintf("%s→\n%s\n%.2f", name(p.True), name(p.Pred), p.Conf[i]))
		}
		for range cols - len(p.Samples) { // keep one pair per row
			imgs = append(imgs, make([]float64, height*width))
			caps = append(caps, "")
		}
	}
	if len(imgs) == 0 {
		return plot.ImageGridFloat(nil, height, width, lo, hi, nil, plot.GridOptions{Title: title + ": none"})
	}
	return plot.ImageGridFloat(imgs, height, width, lo, hi, caps, plot.GridOptions{Title: title, Cols: cols, Scale: 4, CaptionLines: 3})
}

// Tile lays images out in a grid of cols columns on white, each in a cell
// as large as the largest.
func Tile(imgs []image.Image, cols int) *image.RGBA {
	if len(imgs) == 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	cols = max(1, min(cols, len(imgs)))
	cw, ch := 0, 0
	for _, im := range imgs {
		cw, ch = max(cw, im.Bounds().Dx()), max(ch, im.Bounds().Dy())
	}
	rows := (len(imgs) + cols - 1) / cols
	out := image.NewRGBA(image.Rect(0, 0, cols*cw, rows*ch))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for i, im := range imgs {
		at := image.Pt((i%cols)*cw, (i/cols)*ch)
		draw.Draw(out, im.Bounds().Sub(im.Bounds().Min).Add(at), im, im.Bounds().Min, draw.Src)
	}
	return out
}
