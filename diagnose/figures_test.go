package diagnose

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// TestFigures draws every figure from a short recorded run: each must have
// a sensible size, and none may panic on real measurements.
func TestFigures(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x, y := blobs(rng, 320, 16, 4, 3)
	model := layers.NewMLP([]int{16, 12, 8, 4}, layers.He, rng)
	init := model.Params()[0].Value.Clone()
	rec := NewRecorder(RecorderOptions{Every: 5, HistAt: []int{1, 20}, Probe: &train.Set{X: x, Y: y}, Model: model})
	set := &train.Set{X: x, Y: y}
	if _, err := train.Run(model, data.NewLoader(x, y, data.LoaderOptions{BatchSize: 16}), set,
		train.Config{LR: 0.1, Updates: 20, EvalEvery: 10, Hooks: []train.Hook{rec.Hook()}}); err != nil {
		t.Fatal(err)
	}
	lr, err := RangeTestModel(model, data.NewLoader(x, y, data.LoaderOptions{BatchSize: 16}), LRFindOptions{Steps: 30})
	if err != nil {
		t.Fatal(err)
	}
	var sm loss.Softmax
	probs := sm.Forward(model.Forward(x))
	names := []string{"a", "b", "c", "d"}
	figs := map[string]int{
		"ratio":     RatioChart(rec, "r").Bounds().Dx(),
		"grad":      GradNormChart(rec, "g").Bounds().Dx(),
		"units":     UnitsChart(rec, "u").Bounds().Dx(),
		"hist act":  HistogramsFigure(rec, "activation", 2).Bounds().Dx(),
		"hist grad": HistogramsFigure(rec, "gradient", 2).Bounds().Dx(),
		"classes":   ClassAccuracyChart(rec, names, "c").Bounds().Dx(),
		"weights":   WeightsFigure(init, model.Params()[0].Value, 8, 4, 4, 4).Bounds().Dx(),
		"scatter":   ScatterFigure(NewPCA(x, 2, rng).Project(x), y, names, "p", "", "").Bounds().Dx(),
		"lrfind":    LRFindChart(lr, "l").Bounds().Dx(),
		"confused":  ConfusedFigure(MostConfused(probs, y, 3, 3), x, 4, 4, -3, 3, names, "m").Bounds().Dx(),
	}
	for name, w := range figs {
		if w < 60 {
			t.Errorf("%s: figure %d pixels wide", name, w)
		}
	}
}

// A diverged run's weights (NaN, ±Inf) still draw: the range comes from
// the finite ones.
func TestWeightImagesNonFinite(t *testing.T) {
	w := tensorFrom([]float64{math.NaN(), math.Inf(1), -2, 1}, 1, 4)
	imgs, lim := WeightImages(w, 1)
	if len(imgs) != 1 || lim != 1 {
		t.Fatalf("limit %g from %v", lim, imgs)
	}
	WeightsFigure(w, w, 1, 2, 2, 1) // must not panic
	all := tensorFrom([]float64{math.NaN(), math.NaN()}, 1, 2)
	if _, lim := WeightImages(all, 1); lim != 1 {
		t.Fatalf("all-NaN weights: limit %g, want 1", lim)
	}
}

func tensorFrom(v []float64, rows, cols int) *tensor.Tensor { return tensor.FromData(v, rows, cols) }
