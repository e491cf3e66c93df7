package data

import (
	"fmt"
	"math/rand/v2"
)

// Augment describes random changes to training images that keep their
// label, applied to every batch by a Loader (LoaderOptions.Augment): each
// image of each batch is shifted by a random (dx, dy) and, optionally,
// mirrored left to right. The network then never sees exactly the same
// image twice, which regularises it; see the package documentation.
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
	// Rng draws the shifts and flips. Required.
	Rng *rand.Rand
}

// check panics unless a is usable on rows of cols values.
func (a *Augment) check(op string, cols int) {
	if a.Width <= 0 || a.Height <= 0 || a.Width*a.Height != cols {
		panic(fmt.Sprintf("data: %s: Augment image size %d×%d does not match rows of %d values", op, a.Width, a.Height, cols))
	}
	if a.Shift < 0 || a.Shift >= min(a.Width, a.Height) {
		panic(fmt.Sprintf("data: %s: Augment.Shift %d must be in [0, %d) for %d×%d images", op, a.Shift, min(a.Width, a.Height), a.Width, a.Height))
	}
	if a.Rng == nil {
		panic(fmt.Sprintf("data: %s: Augment needs an Rng", op))
	}
}

// Apply writes a randomly shifted (and, with FlipH, possibly mirrored) copy
// of the image src into dst, drawing the shift and flip from Rng, and
// returns what it drew: the content moved dx pixels right and dy down
// (negative: left, up), mirrored first if flipped. dst and src must each
// hold Width·Height values and must not overlap. It allocates nothing.
func (a *Augment) Apply(dst, src []float64) (dx, dy int, flipped bool) {
	a.check("Augment.Apply", len(src))
	if len(dst) != len(src) {
		panic(fmt.Sprintf("data: Augment.Apply: dst has %d values, src %d", len(dst), len(src)))
	}
	if a.Shift > 0 {
		dx, dy = a.Rng.IntN(2*a.Shift+1)-a.Shift, a.Rng.IntN(2*a.Shift+1)-a.Shift
	}
	flipped = a.FlipH && a.Rng.IntN(2) == 1
	a.transform(dst, src, dx, dy, flipped)
	return dx, dy, flipped
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
