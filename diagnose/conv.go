package diagnose

import (
	"fmt"
	"image"

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
