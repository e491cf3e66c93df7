package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor"
)

// TestAugmentTransform checks shifts and the flip on a 4×3 image whose
// pixels are numbered 1…12, against pictures written out by hand.
func TestAugmentTransform(t *testing.T) {
	src := []float64{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
	}
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
		l := NewLoader(x, make([]int, 10), LoaderOptions{BatchSize: 10, Augment: &Augment{Width: 4, Height: 3, Shift: 1, FlipH: true, Rng: rand.New(rand.NewPCG(seed, seed))}})
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

// TestLoaderAugmentAllocatesNothing: an augmenting Loader still serves
// batches without allocating, also across the end of an epoch.
func TestLoaderAugmentAllocatesNothing(t *testing.T) {
	x := tensor.RandUniform(rand.New(rand.NewPCG(4, 4)), 0, 1, 50, 784)
	rng := rand.New(rand.NewPCG(5, 5))
	l := NewLoader(x, make([]int, 50), LoaderOptions{BatchSize: 16, Shuffle: true, Rng: rng,
		Augment: &Augment{Width: 28, Height: 28, Shift: 2, FlipH: true, Rng: rng}})
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
