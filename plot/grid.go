package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
)

// GridOptions sets the look of ImageGrid and ImageGridFloat. The zero value
// gives sensible defaults.
type GridOptions struct {
	Title        string        // drawn large above the grid; "" for none
	Cols         int           // images per row; 0 means up to 10
	Scale        int           // each image pixel becomes Scale×Scale; 0 means 3
	CaptionLines int           // captions wrap onto at most this many lines; 0 means 2
	Invert       bool          // draw 0 (or lo) as white and 255 (or hi) as black
	CaptionColor []color.Color // optional colour per caption, e.g. red for a wrong prediction
	// Colormap, if not nil, colours the pixels of ImageGridFloat instead of
	// grey: it gets t in [0, 1] (lo maps to 0, hi to 1). Diverging suits
	// signed values such as weights, with lo = −hi so that 0 is white.
	Colormap func(t float64) color.Color
}

// Grid layout, in pixels.
const (
	gridMargin = 12 // around the whole figure
	gridGap    = 12 // between images, left to right
	captionGap = 4  // between an image and its caption
	lineGap    = 2  // between caption lines
)

// ImageGrid draws grey images (each height×width pixels, row-major, 0 black
// to 255 white) in a grid, magnified, with a caption under each and a title
// on top. captions may be nil; otherwise it needs one entry per image. A
// caption too wide for its image is wrapped at spaces and, if still too long,
// cut short with "…", so neighbours never overlap; "\n" in a caption starts a
// new line.
//
// It panics if an image does not have height*width pixels.
func ImageGrid(images [][]uint8, height, width int, captions []string, opts GridOptions) *image.RGBA {
	for i, im := range images {
		if len(im) != height*width {
			panic(fmt.Sprintf("plot.ImageGrid: image %d has %d pixels, want %d×%d = %d", i, len(im), height, width, height*width))
		}
	}
	return drawGrid(len(images), height, width, captions, opts, func(i, p int) color.Color {
		return grey(float64(images[i][p])/255, opts.Invert)
	})
}

// ImageGridFloat is ImageGrid for float images, such as rows of a
// normalised input tensor: lo is drawn black and hi white, values outside
// [lo, hi] are clamped, and NaN pixels are drawn red so they cannot hide.
// Typical ranges are [0, 1] after scaling and [-1, 1] after centring.
//
// It panics if an image does not have height*width pixels or if lo >= hi.
func ImageGridFloat(images [][]float64, height, width int, lo, hi float64, captions []string, opts GridOptions) *image.RGBA {
	if !(lo < hi) {
		panic(fmt.Sprintf("plot.ImageGridFloat: range [%v, %v] is empty", lo, hi))
	}
	for i, im := range images {
		if len(im) != height*width {
			panic(fmt.Sprintf("plot.ImageGridFloat: image %d has %d pixels, want %d×%d = %d", i, len(im), height, width, height*width))
		}
	}
	return drawGrid(len(images), height, width, captions, opts, func(i, p int) color.Color {
		v := images[i][p]
		if math.IsNaN(v) {
			return color.RGBA{255, 0, 0, 255}
		}
		t := math.Min(1, math.Max(0, (v-lo)/(hi-lo)))
		if opts.Colormap != nil {
			return opts.Colormap(t)
		}
		return grey(t, opts.Invert)
	})
}

// rdBu holds the stops of a diverging blue-white-red ramp (ColorBrewer's
// RdBu, reversed so that negative is blue): light in the middle, so that
// values near zero fade out and large ones of either sign stand out.
var rdBu = []color.RGBA{
	{5, 48, 97, 255}, {33, 102, 172, 255}, {67, 147, 195, 255}, {146, 197, 222, 255}, {209, 229, 240, 255},
	{247, 247, 247, 255},
	{253, 219, 199, 255}, {244, 165, 130, 255}, {214, 96, 77, 255}, {178, 24, 43, 255}, {103, 0, 31, 255},
}

// Diverging maps t in [0, 1] to a blue-white-red colour: 0 dark blue, 0.5
// white, 1 dark red (values outside are clamped). Use it as
// GridOptions.Colormap for signed data centred on zero, such as the first
// layer's weights drawn as images with lo = −hi.
func Diverging(t float64) color.Color {
	t = math.Min(1, math.Max(0, t)) * float64(len(rdBu)-1)
	i := min(int(t), len(rdBu)-2)
	f := t - float64(i)
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + f*(float64(b)-float64(a)))) }
	a, b := rdBu[i], rdBu[i+1]
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// grey maps t in [0, 1] to black…white (or white…black when inverted).
func grey(t float64, invert bool) color.Gray {
	if invert {
		t = 1 - t
	}
	return color.Gray{uint8(math.Round(255 * t))}
}

// drawGrid lays out n images of h×w pixels; pixel(i, p) is the colour of
// pixel p of image i.
func drawGrid(n, h, w int, captions []string, opts GridOptions, pixel func(i, p int) color.Color) *image.RGBA {
	if captions != nil && len(captions) != n {
		panic(fmt.Sprintf("plot: %d captions for %d images", len(captions), n))
	}
	scale := opts.Scale
	if scale <= 0 {
		scale = 3
	}
	cols := opts.Cols
	if cols <= 0 {
		cols = min(n, 10)
	}
	cols = max(cols, 1)
	rows := (n + cols - 1) / cols
	lines := opts.CaptionLines
	if lines <= 0 {
		lines = 2
	}
	if captions == nil {
		lines = 0
	}

	cellW, cellH := w*scale, h*scale
	captionW := cellW + gridGap - 2 // a caption may use most of the gap
	lineH := TextHeight(1) + lineGap
	rowH := cellH + gridGap
	if lines > 0 {
		rowH += captionGap + lines*lineH
	}
	titleH := 0
	if opts.Title != "" {
		titleH = TextHeight(2) + gridGap
	}
	gridW := cols*cellW + (cols-1)*gridGap
	width := 2*gridMargin + max(gridW, TextWidth(opts.Title, 2))
	height := 2*gridMargin + titleH + rows*rowH - gridGap
	img := newCanvas(width, height)

	if opts.Title != "" {
		title := fitText(opts.Title, width-2*gridMargin, 2)
		DrawText(img, (width-TextWidth(title, 2))/2, gridMargin, title, color.Black, 2)
	}
	left := (width - gridW) / 2
	for i := 0; i < n; i++ {
		x0 := left + (i%cols)*(cellW+gridGap)
		y0 := gridMargin + titleH + (i/cols)*rowH
		// A faint frame keeps white-background (inverted) images apart.
		fillRect(img, image.Rect(x0-1, y0-1, x0+cellW+1, y0+cellH+1), frameGrey)
		for p := 0; p < h*w; p++ {
			x, y := x0+(p%w)*scale, y0+(p/w)*scale
			fillRect(img, image.Rect(x, y, x+scale, y+scale), pixel(i, p))
		}
		if captions == nil {
			continue
		}
		var c color.Color = color.Black
		if i < len(opts.CaptionColor) && opts.CaptionColor[i] != nil {
			c = opts.CaptionColor[i]
		}
		var wrapped []string
		for _, part := range strings.Split(captions[i], "\n") { // "\n" forces a line break
			if room := lines - len(wrapped); room > 0 {
				wrapped = append(wrapped, wrapText(part, captionW, 1, room)...)
			}
		}
		for k, line := range wrapped {
			x := x0 + (cellW-TextWidth(line, 1))/2
			DrawText(img, x, y0+cellH+captionGap+k*lineH, line, c, 1)
		}
	}
	return img
}

var frameGrey = color.Gray{200}

// newCanvas returns a white width×height image.
func newCanvas(width, height int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return img
}
