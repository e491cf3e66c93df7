package diagnose

import (
	"bytes"
	"encoding/base64"
	"github.com/backprop-go/backprop/plot"
	"html"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// bars returns n 8×8 images, one per row (64 values), of three classes: a
// horizontal bar, a vertical bar or a diagonal, at a random place, with
// noise; and their labels.
func bars(rng *rand.Rand, n int) (*tensor.Tensor, []int) {
	x := tensor.New(n, 64)
	y := make([]int, n)
	for i := range n {
		c, at := i%3, 1+rng.IntN(6)
		y[i] = c
		img := x.Row(i)
		for k := range img {
			img[k] = 0.2 * rng.NormFloat64()
		}
		for k := range 8 {
			switch c {
			case 0:
				img[at*8+k] += 1
			case 1:
				img[k*8+at] += 1
			case 2:
				img[k*8+k] += 1
			}
		}
	}
	return x, y
}

// smallCNN is a two-convolution network for bars: 8×8 images as rows,
// unflattened to 1×8×8.
func smallCNN(seed uint64) *layers.Sequential {
	rng := rand.New(rand.NewPCG(seed, 1))
	return layers.NewSequential(
		layers.NewUnflatten(1, 8, 8),
		layers.NewConv2d(1, 4, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng), // 1
		layers.NewBatchNorm2d(4),  // 2
		layers.NewReLU(),          // 3
		layers.NewMaxPool2d(2, 2), // 4: 4×4×4
		layers.NewConv2d(4, 6, 3, layers.Conv2dOptions{Padding: 1}, rng), // 5
		layers.NewReLU(),                        // 6
		layers.NewFlatten(),                     // 7: 96
		layers.NewLinear(96, 3, layers.He, rng), // 8
	)
}

func TestRecorderCNN(t *testing.T) {
	x, y := bars(rand.New(rand.NewPCG(3, 3)), 192)
	vx, vy := bars(rand.New(rand.NewPCG(4, 4)), 60)
	model := smallCNN(1)
	// Plant two dead channels: channel 2 of the first ReLU (its batch-norm
	// shift β = −100 puts it far below 0 everywhere) and channel 5 of the
	// second (its convolution's bias −100).
	bn := model.Layers()[2].(*layers.BatchNorm2d)
	bn.Bias.Value.Data[2] = -100
	conv := model.Layers()[5].(*layers.Conv2d)
	conv.B.Value.Data[5] = -100

	const lr = 0.05
	rec := NewRecorder(RecorderOptions{Every: 4, HistAt: []int{1, 24}, Probe: &train.Set{X: vx, Y: vy}, Model: model})
	h, err := train.Run(model, data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32}), &train.Set{X: vx, Y: vy},
		train.Config{LR: lr, Epochs: 4, EvalEvery: 12, Hooks: []train.Hook{rec.Hook()}})
	if err != nil {
		t.Fatal(err)
	}
	// Every layer with parameters has a ratio, whatever the rank of its
	// tensors (4-D filters, 1-D batch-norm scales); for plain SGD it is
	// lr·‖g‖/‖θ‖ exactly.
	want := []string{"1 Conv2d(1→4, 3×3, stride 1, padding 1, no bias)", "2 BatchNorm2d(4)", "5 Conv2d(4→6, 3×3, stride 1, padding 1)", "8 Linear(96→3)"}
	if got := rec.Layers(Ratio); !slices.Equal(got, want) {
		t.Fatalf("layers with a ratio: %q, want %q", got, want)
	}
	for _, l := range want {
		_, ratio := rec.Series(l, Ratio)
		_, g := rec.Series(l, GradNorm)
		_, w := rec.Series(l, WeightNorm)
		if len(ratio) != 7 || len(g) != 7 || len(w) != 7 { // updates 1, 4, …, 24
			t.Fatalf("%s: %d ratios, %d gradient norms, %d weight norms, want 7", l, len(ratio), len(g), len(w))
		}
		numtest.Close(t, l+": ratio against lr·‖g‖/‖θ‖", ratio[0], lr*g[0]/w[0], numtest.Tol{Rel: 1e-12})
		for k, r := range ratio {
			if !(r > 1e-6 && r < 0.1) {
				t.Errorf("%s: ratio %g at sample %d, outside (1e-6, 0.1)", l, r, k)
			}
		}
	}

	// The planted channels are dead, and only they: the others see
	// positive inputs somewhere.
	wantDead := []DeadSet{
		{Update: 24, Layer: "3 ReLU", Units: 4, Channels: true, Dead: []int{2}},
		{Update: 24, Layer: "6 ReLU", Units: 6, Channels: true, Dead: []int{5}},
	}
	if len(rec.DeadSets) != len(wantDead) {
		t.Fatalf("dead sets %+v, want %+v", rec.DeadSets, wantDead)
	}
	for i, d := range rec.DeadSets {
		w := wantDead[i]
		if d.Update != w.Update || d.Layer != w.Layer || d.Units != w.Units || d.Channels != w.Channels || !slices.Equal(d.Dead, w.Dead) {
			t.Errorf("dead set %+v, want %+v", d, w)
		}
	}
	numtest.Same(t, "dead fraction of 3 ReLU", rec.Last("3 ReLU", Dead), 0.25)
	numtest.Same(t, "dead fraction of 6 ReLU", rec.Last("6 ReLU", Dead), 1.0/6)

	// Histograms of every layer's N-D output and of its gradient, with
	// finite statistics; a ReLU's output is never negative.
	if len(rec.Hists) != 2*2*9 {
		t.Fatalf("%d histograms, want 36 (9 layers, 2 kinds, 2 updates)", len(rec.Hists))
	}
	for _, hg := range rec.Hists {
		if !(hg.Lo < hg.Hi) || math.IsNaN(hg.Mean) || !(hg.Std > 0) {
			t.Errorf("%s %s at %d: range [%g, %g], mean %g, std %g", hg.Layer, hg.Kind, hg.Update, hg.Lo, hg.Hi, hg.Mean, hg.Std)
		}
		if hg.Kind == "activation" && (hg.Layer == "3 ReLU" || hg.Layer == "6 ReLU") && hg.Lo < 0 {
			t.Errorf("%s output down to %g", hg.Layer, hg.Lo)
		}
	}
	// It learns: bars are easy.
	numtest.AtMost(t, "last validation error", h.Val[len(h.Val)-1].Error, 0.2)
}

func TestDeadUnitsChannels(t *testing.T) {
	// 2 samples, 3 channels, 2×2 maps: channel 0 is positive once (sample
	// 1, last position), channel 1 never, channel 2 everywhere.
	y := tensor.FromData([]float64{
		0, 0, 0, 0 /**/, 0, -1, 0, 0 /**/, 1, 1, 1, 1,
		0, 0, 0, 3 /**/, 0, 0, -2, 0 /**/, 1, 1, 1, 1,
	}, 2, 3, 2, 2)
	dead, units := DeadUnits(y)
	if units != 3 || !slices.Equal(dead, []int{1}) {
		t.Fatalf("DeadUnits = %v of %d, want [1] of 3", dead, units)
	}
	// The same numbers as 2 samples of 12 columns: dead columns are those
	// ≤ 0 in both rows.
	dead, units = DeadUnits(y.Reshape(2, 12))
	if units != 12 || !slices.Equal(dead, []int{0, 1, 2, 4, 5, 6, 7}) {
		t.Fatalf("DeadUnits of the flattened output = %v of %d", dead, units)
	}
	if f := DeadFraction(tensor.New(4)); !math.IsNaN(f) {
		t.Errorf("DeadFraction of a 1-D tensor = %g, want NaN", f)
	}
}

func TestSanityCNN(t *testing.T) {
	x, y := bars(rand.New(rand.NewPCG(5, 5)), 120)
	set := &train.Set{X: x, Y: y}
	model := smallCNN(2)
	s := RunSanity(model, set, SanityOptions{})
	t.Logf("%v", s)
	if err := s.Err(); err != nil || !s.Init.OK() {
		t.Fatalf("a healthy CNN failed:\n%v\n%v", s, err)
	}
	// Images as N×C×H×W work as well as rows.
	x4, y4 := head(&train.Set{X: x.Reshape(120, 1, 8, 8), Y: y}, 5)
	if !slices.Equal(x4.Shape, []int{5, 1, 8, 8}) || !slices.Equal(x4.Data, x.Data[:5*64]) || !slices.Equal(y4, y[:5]) {
		t.Errorf("head of N×C×H×W images: shape %v", x4.Shape)
	}
}

// countColour counts the pixels of img that are exactly c (as 8-bit RGBA)
// and returns their bounding box.
func countColour(img image.Image, c color.Color) (n int, box image.Rectangle) {
	want := color.RGBAModel.Convert(c)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == want {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return n, box
}

func TestFiltersFigure(t *testing.T) {
	for _, tc := range []struct {
		f, c, k, cols, rows int
	}{
		{f: 6, c: 1, k: 3, cols: 6, rows: 1},  // grey images: the kernels in rows of up to 8
		{f: 12, c: 1, k: 5, cols: 8, rows: 2}, //
		{f: 3, c: 2, k: 3, cols: 2, rows: 3},  // one filter per row, its 2 kernels side by side
	} {
		rng := rand.New(rand.NewPCG(uint64(tc.f), uint64(tc.k)))
		w := tensor.RandUniform(rng, -0.5, 0.5, tc.f, tc.c, tc.k, tc.k)
		for i, v := range w.Data { // none so near 0 that it draws mid-grey
			w.Data[i] = math.Copysign(0.1+math.Abs(v), v)
		}
		// Filter 0 at +2 and filter 1 at −2, more than 0.5% of the weights,
		// set the range ±2: filter 1 is drawn black, filter 0 white; filter
		// 2 is 0, mid-grey.
		kk := tc.c * tc.k * tc.k
		for i := range kk {
			w.Data[i], w.Data[kk+i], w.Data[2*kk+i] = 2, -2, 0
		}
		img := FiltersFigure(w, "")
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		dec, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("%v: the figure does not decode: %v", tc, err)
		}
		// The layout FiltersFigure documents: cols × rows tiles of k×k
		// weights drawn FilterTileScale(k) pixels wide each.
		scale := FilterTileScale(tc.k)
		blank := make([][]float64, tc.f*tc.c)
		for i := range blank {
			blank[i] = make([]float64, tc.k*tc.k)
		}
		want := plot.ImageGridFloat(blank, tc.k, tc.k, -1, 1, nil, plot.GridOptions{Cols: tc.cols, Scale: scale}).Bounds()
		if dec.Bounds() != want {
			t.Errorf("%+v: figure %v, want %v", tc, dec.Bounds(), want)
		}
		cell := tc.k * scale
		numtest.AtLeast(t, "figure width", float64(dec.Bounds().Dx()), float64(tc.cols*cell))
		numtest.AtLeast(t, "figure height", float64(dec.Bounds().Dy()), float64(tc.rows*cell))
		// Exactly the c kernels of filter 1 are black, each a cell×cell
		// square; those of filter 2 are mid-grey.
		n, box := countColour(dec, color.Black)
		if n != tc.c*cell*cell {
			t.Errorf("%+v: %d black pixels, want %d", tc, n, tc.c*cell*cell)
		}
		if tc.c == 1 && (box.Dx() != cell || box.Dy() != cell) {
			t.Errorf("%+v: the black kernel covers %v, want a %d-pixel square", tc, box, cell)
		}
		if n, _ := countColour(dec, color.Gray{128}); n != tc.c*cell*cell {
			t.Errorf("%+v: %d mid-grey pixels, want %d", tc, n, tc.c*cell*cell)
		}
	}
	// With a title, the range is in it, and the figure is taller.
	w := tensor.RandNormal(rand.New(rand.NewPCG(1, 2)), 0, 1, 4, 1, 3, 3)
	if a, b := FiltersFigure(w, "").Bounds(), FiltersFigure(w, "filters").Bounds(); !(b.Dy() > a.Dy()) {
		t.Errorf("titled figure %v, untitled %v", b, a)
	}
	if c := FirstConv(smallCNN(1)); c == nil || c.Out() != 4 {
		t.Errorf("FirstConv of the small CNN: %v", c)
	}
	if c := FirstConv(layers.NewMLP([]int{4, 3}, layers.He, rand.New(rand.NewPCG(1, 1)))); c != nil {
		t.Errorf("FirstConv of an MLP: %v", c)
	}
}

// TestReportCNN builds the report of a small CNN's run: the recorder's
// charts, which hold the convolutions as layers, and the convolutional
// section with the filters and the dead channels.
func TestReportCNN(t *testing.T) {
	x, y := bars(rand.New(rand.NewPCG(3, 3)), 192)
	vx, vy := bars(rand.New(rand.NewPCG(4, 4)), 60)
	model := smallCNN(1)
	model.Layers()[2].(*layers.BatchNorm2d).Bias.Value.Data[2] = -100 // channel 2 of 3 ReLU dead
	initW := FirstConv(model).W.Value.Clone()
	rec := NewRecorder(RecorderOptions{Every: 4, HistAt: []int{1, 24}, Probe: &train.Set{X: vx, Y: vy}, Model: model})
	if _, err := train.Run(model, data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32}), &train.Set{X: vx, Y: vy},
		train.Config{LR: 0.05, Epochs: 4, EvalEvery: 12, Hooks: []train.Hook{rec.Hook()}}); err != nil {
		t.Fatal(err)
	}
	rep := &Report{Title: "CNN", Sections: []Section{{Title: "During training"}}}
	for _, f := range []struct {
		img  image.Image
		file string
	}{
		{RatioChart(rec, "ratio"), "ratio.png"},
		{UnitsChart(rec, "units"), "units.png"},
		{HistogramsFigure(rec, "activation", 2), "hist-activations.png"},
		{ClassAccuracyChart(rec, nil, "classes"), "class-accuracy.png"},
	} {
		if err := rep.AddFigure(f.img, f.file, f.file); err != nil {
			t.Fatal(err)
		}
	}
	fig, err := rep.AddConvSection(model, initW, rec)
	if err != nil || fig == nil {
		t.Fatalf("AddConvSection: figure %v, %v", fig, err)
	}
	// Side by side, two figures of 4 tiles each: wider than two rows of
	// 4 tiles.
	numtest.AtLeast(t, "filter figure width", float64(fig.Bounds().Dx()), float64(2*4*3*FilterTileScale(3)))
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<h2>Convolutional layers</h2>",
		"3 ReLU                   1 of 4 channels dead: 2 (update 24)",
		"6 ReLU                   0 of 6 channels dead (update 24)",
		"Filters of Conv2d(1→4, 3×3, stride 1, padding 1, no bias) at initialisation and after training",
		FiltersFile, "ratio.png",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// html/template writes the base64 "+" as "&#43;" in an attribute,
	// which a browser decodes.
	m := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(m) != 5 {
		t.Fatalf("%d embedded images, want 5", len(m))
	}
	for i, s := range m {
		b, err := base64.StdEncoding.DecodeString(html.UnescapeString(s[1]))
		if err != nil {
			t.Fatal(err)
		}
		if img, err := png.Decode(bytes.NewReader(b)); err != nil || img.Bounds().Dx() < 60 {
			t.Errorf("embedded image %d: %v", i, err)
		}
	}
	if f := FiltersFigure(FirstConv(model).W.Value, ""); f.Bounds().Dx() < 4*3*FilterTileScale(3) {
		t.Errorf("filter figure %v", f.Bounds())
	}

	// An MLP has no convolutional section.
	mlp := &Report{}
	if fig, err := mlp.AddConvSection(layers.NewMLP([]int{4, 3}, layers.He, rand.New(rand.NewPCG(1, 1))), nil, nil); fig != nil || err != nil || len(mlp.Sections) != 0 {
		t.Errorf("AddConvSection of an MLP: %v, %v, %d sections", fig, err, len(mlp.Sections))
	}
}
