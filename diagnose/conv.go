package diagnose

import (
	"fmt"
	"image"
	"strings"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// FirstConv returns the first Conv2d of model, whose filters look at the
// pixels themselves and so can be drawn as images; nil if model has no
// Layers method or no Conv2d.
func FirstConv(model train.Model) *layers.Conv2d {
	seq, ok := model.(layered)
	if !ok {
		return nil
	}
	for _, l := range seq.Layers() {
		if c, ok := l.(*layers.Conv2d); ok {
			return c
		}
	}
	return nil
}

// FilterTileScale is how many screen pixels wide FiltersFigure draws one
// weight of a k×k kernel: max(4, 48/k), so that a 3×3 kernel is a 48-pixel
// tile and a 7×7 one 42 pixels.
func FilterTileScale(k int) int { return max(4, 48/max(k, 1)) }

// FiltersFigure draws the filters of a convolution, w of shape [F, C, k, k]
// (Conv2d.W.Value): each output channel's k×k kernel for each input channel
// as a small grey tile, black for −lim, mid-grey for 0, white for +lim,
// where lim is the 99.5th percentile of |w| (WeightImages), given in the
// title. The tiles are in the row-major order of w: with one input channel
// (grey images) the F kernels fill rows of up to 8; with C > 1 each row
// holds one filter, its C kernels side by side.
//
// A first layer that has learnt shows smooth, structured kernels (edges,
// bars, blobs of one sign); kernels that still look like their random
// initialisation, or are all near 0, have not.
func FiltersFigure(w *tensor.Tensor, title string) *image.RGBA {
	if w.Dims() != 4 || w.Shape[2] != w.Shape[3] {
		panic(fmt.Sprintf("diagnose.FiltersFigure: filters of shape %v, want [F, C, k, k]", w.Shape))
	}
	f, c, k := w.Shape[0], w.Shape[1], w.Shape[2]
	imgs, lim := WeightImages(w.Reshape(f*c, k*k), f*c)
	cols := c
	if c == 1 {
		cols = min(f, 8)
	}
	if title != "" {
		title = fmt.Sprintf("%s (±%.2g)", title, lim)
	}
	return plot.ImageGridFloat(imgs, k, k, -lim, lim, nil, plot.GridOptions{Title: title, Cols: cols, Scale: FilterTileScale(k)})
}

// FiltersFile is the name AddConvSection gives the filter figure, for a
// program that also saves it beside the report.
const FiltersFile = "filters.png"

// AddConvSection appends the section of a report on a convolutional
// network and returns its figure of the first convolution's filters, for
// the caller to save as FiltersFile too; it adds nothing and returns nil
// when model has no Conv2d (an MLP).
//
// The figure shows the filters at initialisation (initW, a clone of
// FirstConv(model).W.Value taken before training; nil leaves them out) and
// now, side by side, each in its own range. The text lists, for every
// ReLU after a convolution, the channels the Recorder rec found dead at
// its last sample (nil leaves the list out). The charts of the Recorder
// (RatioChart, UnitsChart, the histograms) hold the convolutions' update
// ratios and dead channels already, one line per layer, as for an MLP.
func (r *Report) AddConvSection(model train.Model, initW *tensor.Tensor, rec *Recorder) (*image.RGBA, error) {
	conv := FirstConv(model)
	if conv == nil {
		return nil, nil
	}
	s := Section{Title: "Convolutional layers", Text: []string{
		"The first convolution's filters, one grey tile per kernel (black negative, mid-grey 0, white positive). " +
			"Filters that have learnt are smooth and structured (edges, bars, blobs); filters that still look like noise have not.",
	}}
	if rec != nil {
		var b strings.Builder
		for _, d := range rec.DeadSets {
			if !d.Channels {
				continue
			}
			fmt.Fprintf(&b, "%-24s %d of %d channels dead", d.Layer, len(d.Dead), d.Units)
			if len(d.Dead) > 0 {
				fmt.Fprintf(&b, ": %s", strings.Trim(fmt.Sprint(d.Dead), "[]"))
			}
			fmt.Fprintf(&b, " (update %d)\n", d.Update)
		}
		if b.Len() > 0 {
			s.Text = append(s.Text, "Dead channels: a channel is dead when its ReLU output is 0 at every position of every image of the probe batch; "+
				"its filter then gets no gradient and never changes again. A few per cent is common, a large share wastes the layer "+
				"(learning rate too high, or a bias pushed far below 0).")
			s.Pre = b.String()
		}
	}
	trained := FiltersFigure(conv.W.Value, "after training")
	fig := trained
	caption := fmt.Sprintf("Filters of %v, each figure in its own range.", conv)
	if initW != nil {
		fig = Tile([]image.Image{FiltersFigure(initW, "at initialisation"), trained}, 2)
		caption = fmt.Sprintf("Filters of %v at initialisation and after training, each in its own range.", conv)
	}
	r.Sections = append(r.Sections, s)
	if err := r.AddFigure(fig, FiltersFile, caption); err != nil {
		return nil, err
	}
	return fig, nil
}
