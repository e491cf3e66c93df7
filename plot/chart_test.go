package plot

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

// count returns how many pixels of img have exactly colour c.
func count(img *image.RGBA, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}

// trainingChart is the homework's figure: ~10,000 noisy per-update losses
// and ~20 validation losses with markers.
func trainingChart() *LineChart {
	rng := rand.New(rand.NewPCG(1, 2))
	var x, y, vx, vy []float64
	for i := 0; i < 10000; i++ {
		x = append(x, float64(i))
		y = append(y, 0.4+2*math.Exp(-float64(i)/800)+0.2*rng.NormFloat64())
	}
	for i := 0; i <= 10000; i += 500 {
		vx = append(vx, float64(i))
		vy = append(vy, 0.45+2*math.Exp(-float64(i)/800))
	}
	return &LineChart{
		Title: "Loss", XLabel: "updates", YLabel: "loss",
		Series: []Series{
			{Name: "training", X: x, Y: y, Color: color.NRGBA{31, 119, 180, 60}},
			{Name: "training, smoothed", X: x, Y: Smooth(y, 200)},
			{Name: "validation", X: vx, Y: vy, Markers: true, Color: Palette[3]},
		},
	}
}

func TestLineChartTrainingFigure(t *testing.T) {
	img := trainingChart().Render()
	// Round-trip through PNG, as a student's program would.
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Bounds().Size(); got != image.Pt(900, 500) {
		t.Fatalf("size %v, want 900×500", got)
	}
	red := Palette[3].(color.RGBA)
	if n := count(img, red); n < 500 {
		t.Errorf("validation series: only %d pixels of its colour", n)
	}
	if n := count(img, Palette[1].(color.RGBA)); n < 500 {
		t.Errorf("smoothed series: only %d pixels of its colour", n)
	}
	// The title is dark ink in the top band, centred.
	if darkPixels(img, image.Rect(300, 0, 600, 12+TextHeight(2))) < 50 {
		t.Errorf("no title")
	}
}

// TestLineChartMapsData draws a horizontal line at y=5 on fixed 0…10 axes:
// it must be 2 px thick and sit half-way up the frame.
func TestLineChartMapsData(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	c := &LineChart{XMin: Fixed(0.0), XMax: Fixed(10.0), YMin: Fixed(0.0), YMax: Fixed(10.0),
		Series: []Series{{X: []float64{-5, 15}, Y: []float64{5, 5}, Color: red}}}
	img := c.Render()
	rows := map[int]int{}
	for y := 0; y < 500; y++ {
		for x := 0; x < 900; x++ {
			if img.RGBAAt(x, y) == red {
				rows[y]++
			}
		}
	}
	if len(rows) != 2 {
		t.Fatalf("line covers rows %v, want 2 rows", rows)
	}
	// Find the frame: the longest black row segment top and bottom.
	top, bottom := -1, -1
	for y := 0; y < 500; y++ {
		if count(sub(img, image.Rect(0, y, 900, y+1)), color.RGBA{0, 0, 0, 255}) > 600 {
			if top < 0 {
				top = y
			}
			bottom = y
		}
	}
	mid := float64(top+bottom) / 2
	for y, n := range rows {
		if math.Abs(float64(y)-mid) > 2 || n < 600 {
			t.Errorf("row %d has %d red pixels; frame %d…%d", y, n, top, bottom)
		}
	}
}

func sub(img *image.RGBA, r image.Rectangle) *image.RGBA { return img.SubImage(r).(*image.RGBA) }

func TestLineChartAwkwardData(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for name, c := range map[string]*LineChart{
		"empty":        {},
		"no points":    {Series: []Series{{Name: "none"}}},
		"single point": {Series: []Series{{Y: []float64{0.001}, Markers: true}}},
		"constant":     {Series: []Series{{Y: []float64{3, 3, 3}}}},
		"all NaN":      {Series: []Series{{Y: []float64{nan, nan}}}},
		"gaps":         {Series: []Series{{Y: []float64{1, nan, 2, inf, -inf, 3}}}},
		"short X":      {Series: []Series{{X: []float64{1}, Y: []float64{1, 2, 3}}}},
		"log zero":     {LogY: true, Series: []Series{{Y: []float64{0, -1, 1e-3, 10}}}},
		"log all <=0":  {LogY: true, Series: []Series{{Y: []float64{0, -1}}}},
		"logx zero":    {LogX: true, Series: []Series{{X: []float64{0, -1, 1e-3, 10}, Y: []float64{1, 2, 3, 4}}}},
		"logx none":    {LogX: true, LogY: true, Series: []Series{{X: []float64{0, -1}, Y: []float64{1, 2}}}},
		"huge":         {Series: []Series{{Y: []float64{-1e300, 1e300}}}},
		"limits off":   {YMin: Fixed(1e6), YMax: Fixed(2e6), Series: []Series{{Y: []float64{1e300, -1e300, 0}}}},
		"bad limits":   {YMin: Fixed(5.0), YMax: Fixed(1.0), XMin: Fixed(nan), Series: []Series{{Y: []float64{1, 2}}}},
		"tiny":         {Width: 60, Height: 40, Title: "a long title", Series: []Series{{Y: []float64{1, 2}, Name: "s"}}},
	} {
		img := c.Render() // must neither panic nor hang
		if img.Bounds().Empty() {
			t.Errorf("%s: empty image", name)
		}
	}
	// A constant series still gets a visible line.
	img := (&LineChart{Series: []Series{{Y: []float64{3, 3, 3}, Color: Palette[2]}}}).Render()
	if count(img, Palette[2].(color.RGBA)) < 100 {
		t.Errorf("constant series not drawn")
	}
}

func TestLegendAvoidsData(t *testing.T) {
	// A line from bottom-left to top-right fills the top-right corner, so
	// the legend must move to the top left.
	c := &LineChart{Series: []Series{{Name: "rising", Y: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Width: 20}}}
	img := c.Render()
	edge := legendEdge
	left := count(sub(img, image.Rect(0, 0, 450, 250)), color.RGBA{edge.Y, edge.Y, edge.Y, 255})
	right := count(sub(img, image.Rect(450, 0, 900, 250)), color.RGBA{edge.Y, edge.Y, edge.Y, 255})
	if left < 50 || right > 0 {
		t.Errorf("legend frame pixels: %d top-left, %d top-right; want it top-left", left, right)
	}
}

func TestSmooth(t *testing.T) {
	nan := math.NaN()
	got := Smooth([]float64{1, 2, 3, 4, 5}, 3)
	want := []float64{1, 2, 3, 4} // the window shrinks symmetrically at the start: a line stays straight
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= 1e-12) {
			t.Errorf("Smooth window 3: %v, want %v then NaN", got, want)
			break
		}
	}
	if !math.IsNaN(got[4]) {
		t.Errorf("Smooth window 3 ends on %v, want NaN: the window is cut by the end", got[4])
	}
	// A spike in the last value is not what the curve ends on: it ends on
	// the mean of a whole window holding it.
	spike := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 9}
	if got := Smooth(spike, 5); !(got[6] == 1 && math.Abs(got[7]-2.6) <= 1e-12 && math.IsNaN(got[8]) && math.IsNaN(got[9])) {
		t.Errorf("Smooth(%v, 5) = %v, want …, 1, 2.6, NaN, NaN", spike, got)
	}
	// SmoothLogX: the half-width is also at most i/4.
	long := make([]float64, 40)
	for i := range long {
		long[i] = float64(i * i)
	}
	if got := SmoothLogX(long, 11); got[3] != 9 || got[4] != (9+16+25)/3.0 || got[30] != Smooth(long, 11)[30] || !math.IsNaN(got[35]) || math.IsNaN(got[34]) {
		t.Errorf("SmoothLogX: %v", got)
	}
	got = Smooth([]float64{nan, nan, nan, 4, 5}, 3)
	if !math.IsNaN(got[0]) || got[2] != 4 || got[3] != 4.5 || !math.IsNaN(got[4]) {
		t.Errorf("Smooth with NaNs: %v", got)
	}
	// Against a naive average over random data and windows.
	rng := rand.New(rand.NewPCG(5, 5))
	y := make([]float64, 300)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	y[17] = math.Inf(1)
	for _, w := range []int{1, 2, 7, 50, 1000} {
		got := Smooth(y, w)
		for i := range y {
			sum, n := 0.0, 0
			h := min(w/2, i)
			if i+h >= len(y) {
				if !math.IsNaN(got[i]) {
					t.Fatalf("window %d, point %d: %v, want NaN (window cut by the end)", w, i, got[i])
				}
				continue
			}
			for j := i - h; j <= i+h; j++ {
				if j >= 0 && j < len(y) && isFinite(y[j]) {
					sum += y[j]
					n++
				}
			}
			if n == 0 { // only the infinity in the window
				if !math.IsNaN(got[i]) {
					t.Fatalf("window %d, point %d: %v, want NaN", w, i, got[i])
				}
				continue
			}
			if !numtest.Close(t, fmt.Sprintf("window %d, point %d", w, i), got[i], sum/float64(n), numtest.Tol{Abs: 1e-9}) {
				t.FailNow()
			}
		}
	}
}

func BenchmarkTrainingChart(b *testing.B) {
	c := trainingChart()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Render()
	}
}

// A vertical and a horizontal reference line are drawn dashed at their value
// across the plot, each with its label; a line outside the range is left out.
func TestRules(t *testing.T) {
	c := LineChart{
		Series: []Series{{X: []float64{0, 10}, Y: []float64{0, 10}}},
		XMin:   Fixed(0.0), XMax: Fixed(10.0), YMin: Fixed(0.0), YMax: Fixed(10.0),
		VLines: []Rule{{At: 5, Label: "drop"}, {At: 50, Label: "outside"}},
		HLines: []Rule{{At: 2, Label: "tolerance", Color: color.RGBA{200, 0, 0, 255}}},
	}
	img := c.Render()
	grey := color.RGBA{90, 90, 90, 255}
	cols := map[int]int{} // x → dark grey pixels in that column
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			if img.RGBAAt(x, y) == grey {
				cols[x]++
			}
		}
	}
	best, bestX := 0, 0
	for x, n := range cols {
		if n > best {
			best, bestX = n, x
		}
	}
	if best < 100 {
		t.Fatalf("no dashed vertical line: at most %d grey pixels in a column", best)
	}
	if bestX < 400 || bestX > 520 {
		t.Errorf("vertical line at x = %d, want near the middle of the plot", bestX)
	}
	red := 0
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			if img.RGBAAt(x, y) == (color.RGBA{200, 0, 0, 255}) {
				red++
			}
		}
	}
	if red < 200 { // the dashes and the label's ink
		t.Errorf("horizontal line: %d red pixels", red)
	}
}
