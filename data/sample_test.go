package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

func newRng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

// toyDataset has n images of 2×2 pixels; every pixel of image i is i%256
// and its label is i%k, so a test can check that labels stay in step.
func toyDataset(n, k int) *Dataset {
	d := &Dataset{Name: "toy", N: n, Rows: 2, Cols: 2, Images: make([]uint8, 4*n), Labels: make([]uint8, n)}
	for i := range n {
		for p := range 4 {
			d.Images[4*i+p] = uint8(i)
		}
		d.Labels[i] = uint8(i % k)
	}
	for c := range k {
		d.Classes = append(d.Classes, string(rune('a'+c)))
	}
	return d
}

func TestStratifiedSubsample(t *testing.T) {
	// Uneven classes: class c has 7+3c examples, interleaved.
	var labels []uint8
	for c := range 5 {
		for range 7 + 3*c {
			labels = append(labels, uint8(c))
		}
	}
	newRng(0).Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })

	for _, frac := range []float64{0, 0.25, 0.5, 0.9, 1} {
		keep := StratifiedSubsample(labels, 5, frac, newRng(1))
		if !slices.IsSorted(keep) || len(slices.Compact(slices.Clone(keep))) != len(keep) {
			t.Fatalf("frac %v: indices not sorted and unique: %v", frac, keep)
		}
		counts := make([]int, 5)
		for _, i := range keep {
			counts[labels[i]]++
		}
		for c := range 5 {
			// round(frac*n) with n = 7+3c, written out: half rounds up.
			n := 7 + 3*c
			want := int(frac*float64(n) + 0.5)
			if counts[c] != want {
				t.Errorf("frac %v class %d: kept %d of %d, want %d", frac, c, counts[c], n, want)
			}
		}
	}

	a := StratifiedSubsample(labels, 5, 0.5, newRng(7))
	b := StratifiedSubsample(labels, 5, 0.5, newRng(7))
	c := StratifiedSubsample(labels, 5, 0.5, newRng(8))
	if !slices.Equal(a, b) {
		t.Error("same seed, different subsample")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same subsample")
	}
}

func TestStratifiedSubsampleKeepsLabelsInStep(t *testing.T) {
	d := toyDataset(100, 10)
	keep := StratifiedSubsample(d.Labels, 10, 0.5, newRng(3))
	s := d.Subset(keep)
	if s.N != 50 || len(s.Labels) != 50 || len(s.Images) != 200 {
		t.Fatalf("subset sizes N=%d labels=%d images=%d", s.N, len(s.Labels), len(s.Images))
	}
	for k, i := range keep {
		if s.Image(k)[3] != uint8(i) || s.Labels[k] != uint8(i%10) {
			t.Fatalf("row %d: image of %d, label %d; want image and label of %d", k, s.Image(k)[3], s.Labels[k], i)
		}
	}
	for c, n := range s.ClassCounts() {
		if n != 5 {
			t.Errorf("class %d: %d examples, want 5", c, n)
		}
	}
	// Subset copies: changing it leaves d alone.
	img, lab := d.Images[4*keep[0]], d.Labels[keep[0]]
	s.Images[0], s.Labels[0] = img+1, lab+1
	if d.Images[4*keep[0]] != img || d.Labels[keep[0]] != lab {
		t.Error("Subset shares memory with its parent")
	}
}

func TestRandomSubsample(t *testing.T) {
	keep := RandomSubsample(101, 0.5, newRng(1))
	if len(keep) != 51 || !slices.IsSorted(keep) || len(slices.Compact(slices.Clone(keep))) != 51 || keep[0] < 0 || keep[50] > 100 {
		t.Fatalf("got %v", keep)
	}
	if !slices.Equal(keep, RandomSubsample(101, 0.5, newRng(1))) || slices.Equal(keep, RandomSubsample(101, 0.5, newRng(2))) {
		t.Error("not determined by the seed")
	}
	if len(RandomSubsample(10, 0, newRng(1))) != 0 || len(RandomSubsample(10, 1, newRng(1))) != 10 {
		t.Error("frac 0 or 1")
	}
}

func TestSubsamplePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"frac > 1":       func() { StratifiedSubsample([]uint8{0}, 1, 1.5, newRng(1)) },
		"frac NaN":       func() { RandomSubsample(3, 0/zero, newRng(1)) },
		"label too big":  func() { StratifiedSubsample([]uint8{0, 3}, 3, 0.5, newRng(1)) },
		"image -1":       func() { toyDataset(2, 2).Image(-1) },
		"image past end": func() { toyDataset(2, 2).Image(2) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "data: ") {
					t.Errorf("%s: panic %v, want a data: message", name, r)
				}
			}()
			f()
		}()
	}
}

var zero float64

func TestDatasetHelpers(t *testing.T) {
	d := toyDataset(13, 4)
	if got := d.ClassCounts(); !slices.Equal(got, []int{4, 3, 3, 3}) {
		t.Errorf("ClassCounts %v", got)
	}
	if got := d.IntLabels(); len(got) != 13 || got[6] != 2 || got[12] != 0 {
		t.Errorf("IntLabels %v", got)
	}
	img := d.Image(5)
	if len(img) != 4 || cap(img) != 4 || img[0] != 5 {
		t.Errorf("Image(5) = %v (cap %d)", img, cap(img))
	}
}

func TestNormalize(t *testing.T) {
	d := &Dataset{N: 2, Rows: 16, Cols: 8, Images: make([]uint8, 256)}
	for v := range 256 {
		d.Images[v] = uint8(v)
	}
	d.Images = append(d.Images, d.Images...) // image 1 = image 0
	for _, c := range []struct {
		r      Range
		f      func(v float64) float64
		lo, hi float64
	}{
		{ZeroOne, func(v float64) float64 { return v / 255 }, 0, 1},
		{MinusOneOne, func(v float64) float64 { return 2*v/255 - 1 }, -1, 1},
	} {
		x := Normalize(d, c.r)
		if x.Rows() != 2 || x.Cols() != 128 {
			t.Fatalf("shape %v", x.Shape)
		}
		want := make([]float64, len(x.Data))
		for i := range want {
			want[i] = c.f(float64(i % 256))
		}
		numtest.Slices(t, fmt.Sprintf("range %d: pixels", c.r), x.Data, want, numtest.Tol{Abs: 1e-15})
		numtest.Same(t, fmt.Sprintf("range %d: pixel 0", c.r), x.Data[0], c.lo)
		numtest.Same(t, fmt.Sprintf("range %d: pixel 255", c.r), x.Data[255], c.hi)
	}
}
