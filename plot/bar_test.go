package plot

import (
	"image/color"
	"math"
	"testing"
)

func TestBarChartHeights(t *testing.T) {
	blue := Palette[0].(color.RGBA)
	c := &BarChart{Title: "counts", Labels: []string{"a", "b", "c", "d"}, Values: []float64{100, 200, 0, math.NaN()}}
	img := c.Render()
	if img.Bounds().Dx() != 900 || img.Bounds().Dy() != 500 {
		t.Fatalf("size %v", img.Bounds())
	}
	// Measure each bar's height at its slot's centre.
	var heights []int
	for x := 0; x < 900; x++ {
		h := 0
		for y := 0; y < 500; y++ {
			if img.RGBAAt(x, y) == blue {
				h++
			}
		}
		if h > 0 && (len(heights) == 0 || heights[len(heights)-1] != h) {
			heights = append(heights, h)
		}
	}
	// Two bars (the 0 bar is a 1-px line); the second twice as tall as the first.
	if len(heights) != 3 || math.Abs(float64(heights[1])-2*float64(heights[0])) > 2 || heights[2] != 1 {
		t.Errorf("bar heights %v, want h, 2h, 1", heights)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("mismatched labels did not panic")
		}
	}()
	(&BarChart{Labels: []string{"a"}}).Render()
}
