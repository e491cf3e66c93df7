package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Augment describes random changes to training images that keep their
// label, applied to every batch by a Loader (LoaderOptions.Augment): each
// image of each batch is shifted by a random (dx, dy) and, optionally,
// mirrored left to right, turned by a random angle and distorted
// elastically. The network then never sees exactly the same image twice,
// which regularises it; see the package documentation.
//
// Images are rows of Width·Height values, row-major (28×28 for both
// datasets). All randomness comes from Rng, so a seeded run is
// reproducible.
type Augment struct {
	// Width and Height are the image size in pixels; their product must be
	// the number of columns of the Loader's data.
	Width, Height int
	// Shift is k: each image moves by dx and dy drawn independently and
	// uniformly from −k … k pixels (so (2k+1)² possible positions). Pixels
	// moved in from outside the image get the value Fill. 0: no shifts.
	Shift int
	// Fill is the value of the pixels shifted in: the background, 0 for
	// data.Normalize with ZeroOne, −1 with MinusOneOne.
	Fill float64
	// FlipH mirrors each image left to right with probability ½. It is for
	// FashionMNIST only, where a mirrored shirt or shoe is still a shirt or
	// shoe; it is wrong for digits, where a mirrored 2, 3, 4, 5, 7 or 9 is no
	// digit at all and the network would learn to accept it.
	FlipH bool
	// Rotate is the largest angle, in degrees, by which an image is turned
	// about its centre: each image turns by an angle drawn uniformly from
	// −Rotate … Rotate (positive: clockwise as displayed, rows downwards),
	// after the mirror and before the shift, its pixels read from the
	// original by bilinear interpolation, with Fill outside it. A
	// handwritten digit tilted by a few degrees is the same digit. 0: no
	// rotation, and no draw from Rng for it, so the other changes are drawn
	// as without the field.
	Rotate float64
	// Elastic is α, the size in pixels of an elastic distortion (Simard,
	// Steinkraus and Platt, 2003): every pixel is read from a point moved
	// by α times a random field, uniform noise in (−1, 1) for each pixel
	// and axis smoothed by a Gaussian of ElasticSigma pixels, so that
	// neighbouring pixels move alike and strokes bend rather than break.
	// Simard's α = 34 with σ = 4 moves a pixel by about 1.4 pixels (the
	// standard deviation per axis). Applied after the rotation, in the
	// output image's frame. 0: none, and no draws for it.
	Elastic float64
	// ElasticSigma is σ, the width in pixels of the Gaussian that smooths
	// the elastic field, at most the image's larger side; 0 means 4.
	ElasticSigma float64
	// Rng draws the shifts, flips, angles and fields. Required.
	Rng *rand.Rand

	field, kernel []float64 // the elastic fields (Δx, Δy, scratch) and the Gaussian's weights, reused
	kernelSigma   float64   // the σ of kernel
}

// check panics unless a is usable on rows of cols values.
func (a *Augment) check(op string, cols int) {
	if a.Width <= 0 || a.Height <= 0 || a.Width*a.Height != cols {
		panic(fmt.Sprintf("data: %s: Augment image size %d×%d does not match rows of %d values", op, a.Width, a.Height, cols))
	}
	if a.Shift < 0 || a.Shift >= min(a.Width, a.Height) {
		panic(fmt.Sprintf("data: %s: Augment.Shift %d must be in [0, %d) for %d×%d images", op, a.Shift, min(a.Width, a.Height), a.Width, a.Height))
	}
	if !(a.Rotate >= 0 && a.Rotate <= 180) {
		panic(fmt.Sprintf("data: %s: Augment.Rotate %g must be an angle in [0, 180] degrees", op, a.Rotate))
	}
	if !(a.Elastic >= 0 && a.Elastic <= math.MaxFloat64) || !(a.ElasticSigma >= 0 && a.ElasticSigma <= float64(max(a.Width, a.Height))) {
		panic(fmt.Sprintf("data: %s: Augment.Elastic %g must be a finite size ≥ 0 and Augment.ElasticSigma %g a width in [0, %d] pixels", op, a.Elastic, a.ElasticSigma, max(a.Width, a.Height)))
	}
	if a.Rng == nil {
		panic(fmt.Sprintf("data: %s: Augment needs an Rng", op))
	}
}

// Apply writes a randomly shifted (and, with FlipH, possibly mirrored;
// with Rotate, turned; with Elastic, distorted) copy of the image src into
// dst, drawing the changes from Rng, and returns the shift and the flip it
// drew: the content moved dx pixels right and dy down (negative: left,
// up), mirrored first if flipped. dst and src must each hold Width·Height
// values and must not overlap. It allocates nothing, but for the elastic
// fields' buffers on its first call.
func (a *Augment) Apply(dst, src []float64) (dx, dy int, flipped bool) {
	a.check("Augment.Apply", len(src))
	if len(dst) != len(src) {
		panic(fmt.Sprintf("data: Augment.Apply: dst has %d values, src %d", len(dst), len(src)))
	}
	if a.Shift > 0 {
		dx, dy = a.Rng.IntN(2*a.Shift+1)-a.Shift, a.Rng.IntN(2*a.Shift+1)-a.Shift
	}
	flipped = a.FlipH && a.Rng.IntN(2) == 1
	if a.Rotate == 0 && a.Elastic == 0 {
		a.transform(dst, src, dx, dy, flipped)
		return dx, dy, flipped
	}
	var theta float64
	if a.Rotate > 0 {
		theta = a.Rotate * (2*a.Rng.Float64() - 1) * math.Pi / 180
	}
	var field []float64
	if a.Elastic > 0 {
		field = a.elasticField()
	}
	a.warp(dst, src, dx, dy, flipped, theta, field)
	return dx, dy, flipped
}

// elasticField draws the elastic distortion's fields (see Elastic) and
// returns them, Δx for every pixel and then Δy, in a buffer of a's.
func (a *Augment) elasticField() []float64 {
	w, h := a.Width, a.Height
	n := w * h
	sigma := a.ElasticSigma
	if sigma == 0 {
		sigma = 4
	}
	r := int(math.Ceil(3 * sigma)) // the Gaussian cut at 3σ
	if a.kernelSigma != sigma {
		a.kernelSigma = sigma
		a.kernel = make([]float64, 2*r+1)
		var sum float64
		for i := range a.kernel {
			a.kernel[i] = math.Exp(-float64((i-r)*(i-r)) / (2 * sigma * sigma))
			sum += a.kernel[i]
		}
		for i := range a.kernel {
			a.kernel[i] /= sum
		}
	}
	if len(a.field) != 3*n {
		a.field = make([]float64, 3*n)
	}
	tmp := a.field[2*n:]
	for i := range a.field[:2*n] {
		a.field[i] = 2*a.Rng.Float64() - 1
	}
	for _, f := range [2][]float64{a.field[:n], a.field[n : 2*n]} {
		smooth(f, tmp, w, h, a.kernel)
		for i := range f {
			f[i] *= a.Elastic
		}
	}
	return a.field[:2*n]
}

// smooth convolves the w×h image f with the Gaussian whose weights are
// kernel (2r+1 of them, centred), zero outside the image, in place, using
// tmp (w·h values). The Gaussian is separable, G(x, y) = g(x)·g(y): along
// each row into tmp, then along each column back into f, 2·(2r+1)
// multiply-adds per pixel instead of (2r+1)². Each sum runs over the taps
// that fall inside the image only.
func smooth(f, tmp []float64, w, h int, kernel []float64) {
	r := len(kernel) / 2
	for y := range h {
		row := f[y*w:][:w]
		for x := range w {
			lo, hi := max(0, x-r), min(w-1, x+r) // the pixels of the row under the kernel
			k := kernel[lo-x+r:][:hi-lo+1]
			var s float64
			for i, v := range row[lo : hi+1] {
				s += k[i] * v
			}
			tmp[y*w+x] = s
		}
	}
	for y := range h {
		lo, hi := max(0, y-r), min(h-1, y+r)
		k := kernel[lo-y+r:][:hi-lo+1]
		out := f[y*w:][:w]
		clear(out)
		for i, kv := range k {
			in := tmp[(lo+i)*w:][:w]
			for x, v := range in {
				out[x] += kv * v
			}
		}
	}
}

// warp is transform with the content also turned by theta radians about
// the image's centre c = ((W−1)/2, (H−1)/2) between the mirror and the
// shift, and, with a field (Δx for every pixel, then Δy), distorted: dst(x,
// y) is the mirrored src at c + R(−θ)·((x + Δx − dx, y + Δy − dy) − c),
// read by bilinear interpolation from the four pixels around that point,
// with Fill for those outside the image.
func (a *Augment) warp(dst, src []float64, dx, dy int, flip bool, theta float64, field []float64) {
	w, h := a.Width, a.Height
	cx, cy := float64(w-1)/2, float64(h-1)/2
	sin, cos := math.Sincos(theta)
	at := func(x, y int) float64 { // the mirrored src, Fill outside
		if x < 0 || x >= w || y < 0 || y >= h {
			return a.Fill
		}
		if flip {
			x = w - 1 - x
		}
		return src[y*w+x]
	}
	for y := range h {
		for x := range w {
			u, v := float64(x-dx)-cx, float64(y-dy)-cy
			if field != nil {
				u += field[y*w+x]
				v += field[w*h+y*w+x]
			}
			// R(−θ) turns (u, v) back by θ: with rows downwards, R(θ)
			// turns clockwise as displayed.
			sx, sy := cx+cos*u+sin*v, cy-sin*u+cos*v
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			i, j := int(x0), int(y0)
			top := (1-fx)*at(i, j) + fx*at(i+1, j)
			bottom := (1-fx)*at(i, j+1) + fx*at(i+1, j+1)
			dst[y*w+x] = (1-fy)*top + fy*bottom
		}
	}
}

// transform sets dst(x, y) = src(x − dx, y − dy), mirrored first if flip,
// and Fill where that falls outside the image: a positive dx moves the
// content right, a positive dy down.
func (a *Augment) transform(dst, src []float64, dx, dy int, flip bool) {
	w, h := a.Width, a.Height
	for y := range h {
		row := dst[y*w : (y+1)*w]
		sy := y - dy
		if sy < 0 || sy >= h {
			for x := range row {
				row[x] = a.Fill
			}
			continue
		}
		srow := src[sy*w : (sy+1)*w]
		for x := range row {
			sx := x - dx
			if sx < 0 || sx >= w {
				row[x] = a.Fill
				continue
			}
			if flip {
				sx = w - 1 - sx
			}
			row[x] = srow[sx]
		}
	}
}
