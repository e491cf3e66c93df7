package plot

import (
	"image"
	"image/color"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

// columns returns the x of every column of img holding colour c.
func columns(img *image.RGBA, c color.RGBA) []int {
	var xs []int
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if img.RGBAAt(x, y) == c {
				xs = append(xs, x)
				break
			}
		}
	}
	return xs
}

// centres returns the mean x of each run of consecutive columns.
func centres(xs []int) []float64 {
	var out []float64
	start := 0
	for i := 1; i <= len(xs); i++ {
		if i == len(xs) || xs[i] != xs[i-1]+1 {
			out = append(out, float64(xs[start]+xs[i-1])/2)
			start = i
		}
	}
	return out
}

func TestLogXSpacesDecadesEvenly(t *testing.T) {
	// Markers at 1e-4, 1e-2 and 1 (no line): on a log axis they sit at equal
	// distances; 1e-3 and 10 fix the range so none is on the frame.
	red := color.RGBA{255, 0, 0, 255}
	c := &LineChart{LogX: true, XMin: Fixed(1e-5), XMax: Fixed(10),
		Series: []Series{{X: []float64{1e-4, 1e-2, 1}, Y: []float64{1, 1, 1}, Markers: true, Width: -1, Color: red}}}
	got := centres(columns(c.Render(), red))
	if len(got) != 3 {
		t.Fatalf("%d marker columns groups, want 3: %v", len(got), got)
	}
	if !numtest.Close(t, "gap between the second and third markers (log axis)", got[2]-got[1], got[1]-got[0], numtest.Tol{Abs: 1}) {
		t.Fatalf("markers at %v", got)
	}
}

func TestMarkerRadius(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	dot := func(r int) int {
		c := &LineChart{XMin: Fixed(0), XMax: Fixed(2), YMin: Fixed(0), YMax: Fixed(2),
			Series: []Series{{X: []float64{1}, Y: []float64{1}, Markers: true, Width: -1, Color: red, Radius: r}}}
		return count(c.Render(), red)
	}
	small, def, big := dot(1), dot(0), dot(6)
	if !(small < def && def < big) || def != dot(3) {
		t.Fatalf("dot areas %d (radius 1), %d (default), %d (radius 6): want growing, default = 3", small, def, big)
	}
}

func TestHistogramDensity(t *testing.T) {
	// Two bins over [0, 2] holding 3 and 1 values: densities 0.75 and 0.25
	// (fraction per unit of x); the outline starts and ends at zero.
	x, y := Bins{Lo: 0, Hi: 2, Counts: []int{3, 1}}.steps()
	wantX := []float64{0, 0, 1, 1, 2, 2}
	wantY := []float64{0, 0.75, 0.75, 0.25, 0.25, 0}
	numtest.SameSlices(t, "outline x", x, wantX)
	numtest.SameSlices(t, "outline y", y, wantY)
	// The area under the outline is 1 whatever the bins.
	x, y = Bins{Lo: -3, Hi: 5, Counts: []int{1, 7, 0, 2, 9}}.steps()
	area := 0.0
	for i := 1; i < len(x); i++ {
		area += (x[i] - x[i-1]) * y[i]
	}
	numtest.Close(t, "area under the outline", area, 1, numtest.Tol{Abs: 1e-12})
	img := (&Histogram{Title: "h", Bins: []Bins{{Name: "a", Lo: 0, Hi: 1, Counts: []int{1, 2, 3}, Color: Palette[3]},
		{Name: "b", Lo: 0.5, Hi: 3, Counts: []int{0, 5}}}}).Render()
	if count(img, Palette[3].(color.RGBA)) < 100 {
		t.Fatal("histogram outline not drawn")
	}
	(&Histogram{LogY: true, Bins: []Bins{{Lo: 0, Hi: 1, Counts: []int{0, 0, 4}}}}).Render() // must not panic
	defer func() {
		if recover() == nil {
			t.Error("Bins with an empty range did not panic")
		}
	}()
	(&Histogram{Bins: []Bins{{Lo: 1, Hi: 1, Counts: []int{1}}}}).Render()
}

func TestDivergingColormap(t *testing.T) {
	if c := Diverging(0.5).(color.RGBA); c != (color.RGBA{247, 247, 247, 255}) {
		t.Errorf("Diverging(0.5) = %v, want near white", c)
	}
	lo, hi := Diverging(0).(color.RGBA), Diverging(1).(color.RGBA)
	if !(lo.B > lo.R && hi.R > hi.B) {
		t.Errorf("Diverging(0) = %v should be blue, Diverging(1) = %v red", lo, hi)
	}
	if Diverging(-5) != Diverging(0) || Diverging(7) != Diverging(1) {
		t.Error("values outside [0, 1] are not clamped")
	}
	// In a grid, −1 is blue, 0 white and +1 red.
	img := ImageGridFloat([][]float64{{-1, 0, 1}}, 1, 3, -1, 1, nil, GridOptions{Scale: 1, Colormap: Diverging})
	var got []color.RGBA
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && got == nil; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := img.RGBAAt(x, y); c == lo {
				got = []color.RGBA{c, img.RGBAAt(x+1, y), img.RGBAAt(x+2, y)}
				break
			}
		}
	}
	if got == nil || got[1] != (color.RGBA{247, 247, 247, 255}) || got[2] != hi {
		t.Fatalf("pixels %v, want blue, white, red", got)
	}
}
