package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor"
)

// numbered is a 4×3 image whose pixels are numbered 1…12, row by row.
var numbered = []float64{
	1, 2, 3, 4,
	5, 6, 7, 8,
	9, 10, 11, 12,
}

// TestAugmentTransform checks shifts and the flip on the numbered 4×3
// image against pictures written out by hand.
func TestAugmentTransform(t *testing.T) {
	src := numbered
	a := &Augment{Width: 4, Height: 3, Fill: -1}
	for _, tc := range []struct {
		dx, dy int
		flip   bool
		want   []float64
	}{
		{0, 0, false, src},
		{1, 0, false, []float64{-1, 1, 2, 3, -1, 5, 6, 7, -1, 9, 10, 11}},     // right
		{-2, 0, false, []float64{3, 4, -1, -1, 7, 8, -1, -1, 11, 12, -1, -1}}, // left
		{0, 1, false, []float64{-1, -1, -1, -1, 1, 2, 3, 4, 5, 6, 7, 8}},      // down
		{1, -1, false, []float64{-1, 5, 6, 7, -1, 9, 10, 11, -1, -1, -1, -1}}, // right and up
		{0, 0, true, []float64{4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9}},        // mirrored
		{1, 0, true, []float64{-1, 4, 3, 2, -1, 8, 7, 6, -1, 12, 11, 10}},     // mirrored, then shifted right
	} {
		dst := make([]float64, 12)
		a.transform(dst, src, tc.dx, tc.dy, tc.flip)
		numtest.SameSlices(t, fmt.Sprintf("dx=%d dy=%d flip=%v", tc.dx, tc.dy, tc.flip), dst, tc.want)
	}
}

// TestAugmentDraws: every shift in −k…k is drawn for both axes, the flip
// about half the time, and without FlipH never; the same seed gives the
// same images.
func TestAugmentDraws(t *testing.T) {
	const k = 2
	w, h := 2*k+1, 2*k+1
	src := make([]float64, w*h)
	src[k*w+k] = 1 // one bright pixel in the centre: its position is the shift
	src[0] = 2     // and one in the top-left corner shows a flip (if it stays inside)
	seen := map[[2]int]int{}
	a := &Augment{Width: w, Height: h, Shift: k, Rng: rand.New(rand.NewPCG(1, 1))}
	dst := make([]float64, w*h)
	const n = 2500
	for range n {
		a.Apply(dst, src)
		for i, v := range dst {
			if v == 1 {
				seen[[2]int{i%w - k, i/w - k}]++
			}
		}
	}
	if len(seen) != (2*k+1)*(2*k+1) {
		t.Errorf("saw %d different shifts, want %d: %v", len(seen), (2*k+1)*(2*k+1), seen)
	}
	for s, c := range seen {
		if c < n/25/2 {
			t.Errorf("shift %v drawn %d times in %d, want about %d", s, c, n, n/25)
		}
	}

	flip := &Augment{Width: 3, Height: 1, FlipH: true, Rng: rand.New(rand.NewPCG(2, 2))}
	dst = make([]float64, 3)
	var flips int
	for range 1000 {
		flip.Apply(dst, []float64{1, 0, 0})
		if dst[2] == 1 {
			flips++
		}
	}
	if flips < 430 || flips > 570 { // Binomial(1000, ½): ±4.4σ
		t.Errorf("%d flips in 1000, want about 500", flips)
	}

	x := tensor.RandUniform(rand.New(rand.NewPCG(3, 3)), 0, 1, 10, 12)
	batch := func(seed uint64) []float64 {
		l := NewLoader(x, make([]int, 10), LoaderOptions{BatchSize: 10, Augment: &Augment{Width: 4, Height: 3, Shift: 1, FlipH: true, Rotate: 10, Elastic: 2, ElasticSigma: 1, Rng: rand.New(rand.NewPCG(seed, seed))}})
		b, _, _ := l.Next()
		return append([]float64(nil), b.Data...)
	}
	a1, a2, b1 := batch(5), batch(5), batch(6)
	if !slices.Equal(a1, a2) {
		t.Error("the same seed gave different augmented batches")
	}
	if slices.Equal(a1, b1) {
		t.Error("different seeds gave the same augmented batch")
	}
}

// TestAugmentRotate checks turns against pictures written out by hand (no
// turn and a half turn of the numbered 4×3 image, quarter turns of a 3×3
// one, mirrored and shifted too), and bilinear interpolation where no
// picture can be written: it reproduces a function linear in x and y, so
// a turned ramp x′(u, v) is the ramp at the point the pixel is read from,
// wherever its four neighbours lie inside the image.
func TestAugmentRotate(t *testing.T) {
	src := numbered
	a := &Augment{Width: 4, Height: 3, Fill: -1}
	tol := numtest.Tol{Abs: 1e-12}
	for _, tc := range []struct {
		deg    float64
		dx, dy int
		flip   bool
		want   []float64
	}{
		{0, 0, 0, false, src},
		{0, 1, -1, true, []float64{-1, 8, 7, 6, -1, 12, 11, 10, -1, -1, -1, -1}},
		{180, 0, 0, false, []float64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
	} {
		dst := make([]float64, 12)
		a.warp(dst, src, tc.dx, tc.dy, tc.flip, tc.deg*math.Pi/180, nil)
		numtest.Slices(t, fmt.Sprintf("%g° dx=%d dy=%d flip=%v", tc.deg, tc.dx, tc.dy, tc.flip), dst, tc.want, tol)
	}
	// A quarter turn clockwise of a 3×3 image about its centre pixel.
	sq := &Augment{Width: 3, Height: 3, Fill: -1}
	for _, tc := range []struct {
		dx   int
		flip bool
		want []float64
	}{
		{0, false, []float64{7, 4, 1, 8, 5, 2, 9, 6, 3}},
		{1, true, []float64{-1, 9, 6, -1, 8, 5, -1, 7, 4}}, // mirrored, turned, shifted right
	} {
		dst := make([]float64, 9)
		sq.warp(dst, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, tc.dx, 0, tc.flip, math.Pi/2, nil)
		numtest.Slices(t, fmt.Sprintf("3×3, 90° dx=%d flip=%v", tc.dx, tc.flip), dst, tc.want, tol)
	}

	const w, h = 9, 7
	ramp := make([]float64, w*h)
	for i := range ramp {
		ramp[i] = 3*float64(i%w) - 2*float64(i/w) // 3x − 2y
	}
	b := &Augment{Width: w, Height: h, Fill: math.NaN()}
	dst := make([]float64, w*h)
	const theta = 0.3
	b.warp(dst, ramp, 0, 0, false, theta, nil)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	sin, cos := math.Sincos(theta)
	inside := 0
	for y := range h {
		for x := range w {
			u, v := float64(x)-cx, float64(y)-cy
			sx, sy := cx+cos*u+sin*v, cy-sin*u+cos*v
			if sx < 0 || sx > w-1 || sy < 0 || sy > h-1 {
				continue
			}
			inside++
			numtest.Close(t, fmt.Sprintf("turned ramp at (%d, %d)", x, y), dst[y*w+x], 3*sx-2*sy, tol)
		}
	}
	if inside < w*h/2 {
		t.Fatalf("only %d of %d pixels read from inside the image", inside, w*h)
	}
}

// TestAugmentRotateDraws: the angles drawn cover −Rotate … Rotate, and
// without Rotate none is drawn, so the shifts and flips of a seed are
// those it gave before the field existed.
func TestAugmentRotateDraws(t *testing.T) {
	const w, h = 9, 9
	src := make([]float64, w*h)
	for i := range src {
		src[i] = float64(i % w) // x′(u, v) = u
	}
	a := &Augment{Width: w, Height: h, Rotate: 20, Rng: rand.New(rand.NewPCG(7, 7))}
	dst := make([]float64, w*h)
	lo, hi := math.Inf(1), math.Inf(-1)
	for range 400 {
		a.Apply(dst, src)
		// One pixel right of the centre reads the ramp at 4 + cos θ, and
		// one below it at 4 + sin θ (TestAugmentRotate: exactly, up to
		// rounding): their differences from 4 give θ.
		c, s := dst[4*w+5]-4, dst[5*w+4]-4
		deg := math.Atan2(s, c) * 180 / math.Pi
		lo, hi = min(lo, deg), max(hi, deg)
	}
	numtest.Within(t, "smallest angle", lo, -20, -19)
	numtest.Within(t, "largest angle", hi, 19, 20)

	r1, r2 := rand.New(rand.NewPCG(8, 8)), rand.New(rand.NewPCG(8, 8))
	plain := &Augment{Width: w, Height: h, Shift: 2, FlipH: true, Rng: r1}
	for range 10 {
		plain.Apply(dst, src)
		r2.IntN(5)
		r2.IntN(5)
		r2.IntN(2)
	}
	if r1.Uint64() != r2.Uint64() {
		t.Error("Apply without Rotate drew more than a shift and a flip")
	}
}

// TestSmooth compares smooth, the separable blur of the elastic fields,
// with the two-dimensional sum it stands for, Σ g(i)·g(j)·f(x+i, y+j) over
// the taps inside the image, on random images of odd sizes, some smaller
// than the kernel, with guard values around the slices that must stay.
func TestSmooth(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []struct{ w, h, r int }{{1, 1, 1}, {5, 3, 2}, {7, 11, 3}, {28, 28, 12}, {4, 9, 6}} {
		kernel := make([]float64, 2*tc.r+1)
		for i := range kernel {
			kernel[i] = rng.Float64()
		}
		n := tc.w * tc.h
		const guard = 12345.0
		buf := make([]float64, 2*n+2)
		buf[0], buf[n+1] = guard, guard
		f, tmp := buf[1:n+1], buf[n+2:]
		for i := range f {
			f[i] = 2*rng.Float64() - 1
		}
		want := make([]float64, n)
		for y := range tc.h {
			for x := range tc.w {
				for j := -tc.r; j <= tc.r; j++ {
					for i := -tc.r; i <= tc.r; i++ {
						if xx, yy := x+i, y+j; xx >= 0 && xx < tc.w && yy >= 0 && yy < tc.h {
							want[y*tc.w+x] += kernel[i+tc.r] * kernel[j+tc.r] * f[yy*tc.w+xx]
						}
					}
				}
			}
		}
		smooth(f, tmp, tc.w, tc.h, kernel)
		what := fmt.Sprintf("%d×%d, r=%d", tc.w, tc.h, tc.r)
		numtest.Slices(t, what, f, want, numtest.Tol{Abs: 1e-13, Rel: 1e-13})
		numtest.SameSlices(t, what+": guards", []float64{buf[0], buf[n+1]}, []float64{guard, guard})
	}
}

// TestAugmentElastic: the elastic fields have the spread of the smoothed
// noise (at a pixel far from the edges, the standard deviation of α·Σ
// g(i)g(j)·U(−1, 1) is α·Σ g(i)² /√3), a field of zero leaves the image as
// the rotation alone would, and without Elastic no field is drawn.
func TestAugmentElastic(t *testing.T) {
	const w, h = 41, 41
	a := &Augment{Width: w, Height: h, Elastic: 10, ElasticSigma: 3, Rng: rand.New(rand.NewPCG(10, 10))}
	var sumSq [2]float64
	const draws = 4000
	for range draws {
		f := a.elasticField()
		c := (h/2)*w + w/2
		sumSq[0] += f[c] * f[c]
		sumSq[1] += f[w*h+c] * f[w*h+c]
	}
	var g2 float64
	for _, k := range a.kernel {
		g2 += k * k
	}
	want := 10 * g2 / math.Sqrt(3)
	for i, axis := range []string{"Δx", "Δy"} {
		numtest.Close(t, "standard deviation of "+axis+" at the centre", math.Sqrt(sumSq[i]/draws), want, numtest.Tol{Rel: 0.05})
	}
	if len(a.kernel) != 2*9+1 {
		t.Errorf("kernel of σ = 3 has %d weights, want 19 (cut at 3σ)", len(a.kernel))
	}

	src := make([]float64, 9)
	for i := range src {
		src[i] = float64(i + 1)
	}
	b := &Augment{Width: 3, Height: 3}
	got, want2 := make([]float64, 9), make([]float64, 9)
	b.warp(got, src, 1, 0, true, 0.4, make([]float64, 18))
	b.warp(want2, src, 1, 0, true, 0.4, nil)
	numtest.SameSlices(t, "a field of zero", got, want2)

	r1, r2 := rand.New(rand.NewPCG(11, 11)), rand.New(rand.NewPCG(11, 11))
	rot := &Augment{Width: 3, Height: 3, Rotate: 5, Rng: r1}
	for range 10 {
		rot.Apply(got, src)
		r2.Float64()
	}
	if r1.Uint64() != r2.Uint64() {
		t.Error("Apply without Elastic drew more than the angle")
	}
}

// TestLoaderAugmentAllocatesNothing: an augmenting Loader still serves
// batches without allocating, also across the end of an epoch.
func TestLoaderAugmentAllocatesNothing(t *testing.T) {
	x := tensor.RandUniform(rand.New(rand.NewPCG(4, 4)), 0, 1, 50, 784)
	rng := rand.New(rand.NewPCG(5, 5))
	l := NewLoader(x, make([]int, 50), LoaderOptions{BatchSize: 16, Shuffle: true, Rng: rng,
		Augment: &Augment{Width: 28, Height: 28, Shift: 2, FlipH: true, Rotate: 10, Elastic: 34, Rng: rng}})
	if n := testing.AllocsPerRun(100, func() { l.Next() }); n != 0 {
		t.Errorf("augmenting Loader.Next allocates %v times, want 0", n)
	}
}

func TestAugmentPanics(t *testing.T) {
	x := tensor.New(4, 12)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		a    Augment
		want string
	}{
		{Augment{Width: 4, Height: 4, Rng: rng}, "Augment image size 4×4 does not match rows of 12 values"},
		{Augment{Width: 4, Height: 3, Shift: 3, Rng: rng}, "Augment.Shift 3 must be in [0, 3) for 4×3 images"},
		{Augment{Width: 4, Height: 3, Shift: -1, Rng: rng}, "Augment.Shift -1 must be in [0, 3)"},
		{Augment{Width: 4, Height: 3, Shift: 1}, "Augment needs an Rng"},
		{Augment{Width: 4, Height: 3, Rotate: -5, Rng: rng}, "Augment.Rotate -5 must be an angle in [0, 180] degrees"},
		{Augment{Width: 4, Height: 3, Rotate: 181, Rng: rng}, "Augment.Rotate 181 must be an angle"},
		{Augment{Width: 4, Height: 3, Rotate: math.NaN(), Rng: rng}, "Augment.Rotate NaN must be an angle"},
		{Augment{Width: 4, Height: 3, Elastic: -1, Rng: rng}, "Augment.Elastic -1 must be a finite size ≥ 0 and Augment.ElasticSigma 0 a width in [0, 4] pixels"},
		{Augment{Width: 4, Height: 3, Elastic: math.Inf(1), Rng: rng}, "Augment.Elastic +Inf must be"},
		{Augment{Width: 4, Height: 3, Elastic: 1, ElasticSigma: 5, Rng: rng}, "Augment.Elastic 1 must be a finite size ≥ 0 and Augment.ElasticSigma 5 a width in [0, 4]"},
		{Augment{Width: 4, Height: 3, Elastic: 1, ElasticSigma: math.NaN(), Rng: rng}, "Augment.Elastic 1 must be a finite size ≥ 0 and Augment.ElasticSigma NaN a width"},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, "NewLoader: "+tc.want) {
					t.Errorf("panic %q, want %q", r, tc.want)
				}
			}()
			NewLoader(x, make([]int, 4), LoaderOptions{Augment: &tc.a})
		}()
	}
}
