package diagnose

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// blobs returns n points in d dimensions from k Gaussian clusters whose
// centres are spread apart, and their cluster labels.
func blobs(rng *rand.Rand, n, d, k int, spread float64) (*tensor.Tensor, []int) {
	centres := tensor.RandNormal(rng, 0, spread, k, d)
	x := tensor.New(n, d)
	y := make([]int, n)
	for i := range n {
		c := i % k
		y[i] = c
		for j := range d {
			x.Data[i*d+j] = centres.At(c, j) + rng.NormFloat64()
		}
	}
	return x, y
}

func TestDeadFractionAllNegativeInputs(t *testing.T) {
	x := tensor.RandUniform(rand.New(rand.NewPCG(1, 1)), -2, -0.1, 16, 8)
	y := layers.NewReLU().Forward(x)
	if got := DeadFraction(y); got != 1 {
		t.Fatalf("ReLU of all-negative inputs: %g dead, want 1", got)
	}
	// Three of four columns never positive: 75% dead.
	z := tensor.FromData([]float64{
		0, 0, 0, 1,
		0, -1, 0, 0,
		0, 0, 0, 2,
	}, 3, 4)
	if got := DeadFraction(z); got != 0.75 {
		t.Fatalf("DeadFraction = %g, want 0.75", got)
	}
}

func TestSaturatedFraction(t *testing.T) {
	y := tensor.FromData([]float64{-0.99, 0.5, 0.98, 0, 0.1, -0.2, 0.999, -0.5}, 2, 4)
	if got := SaturatedFraction(y, "tanh"); got != 3.0/8 {
		t.Errorf("tanh: %g saturated, want 3/8", got)
	}
	s := tensor.FromData([]float64{0.01, 0.5, 0.98, 0.5}, 1, 4)
	if got := SaturatedFraction(s, "sigmoid"); got != 0.5 {
		t.Errorf("sigmoid: %g saturated, want 1/2", got)
	}
}

func TestPCAFindsTheLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	dir := []float64{1, 2, -3, 0.5, 0}
	normalize(dir)
	off := []float64{5, -1, 2, 0, 7}
	x := tensor.New(200, 5)
	for i := range 200 {
		s := 10 * rng.NormFloat64()
		for j := range 5 {
			x.Data[i*5+j] = off[j] + s*dir[j]
		}
	}
	p := NewPCA(x, 2, rng)
	if !numtest.Close(t, "|cos| between the first component and the line", math.Abs(dot(p.Components[0], dir)), 1, numtest.Tol{Abs: 1e-9}) {
		t.Fatalf("first component %v is not the line %v", p.Components[0], dir)
	}
	// Points on a line have no variance off it, and the line holds all of it.
	numtest.AtMost(t, "second variance", p.Variance[1], 1e-9*p.Variance[0])
	numtest.Close(t, "first variance", p.Variance[0], p.Total, numtest.Tol{Rel: 1e-9})
	// Projected, the points lie on the first axis at their distance s.
	pr := p.Project(x)
	for i := range 200 {
		if !numtest.Close(t, fmt.Sprintf("point %d's second coordinate", i), pr.At(i, 1), 0, numtest.Tol{Abs: 1e-6}) {
			t.FailNow()
		}
	}
}

func TestPCAAxisAlignedVariances(t *testing.T) {
	// Independent coordinates with standard deviations 3, 2, 1: the
	// components are the axes, the variances 9, 4 (to sampling error).
	rng := rand.New(rand.NewPCG(3, 3))
	n := 20000
	x := tensor.New(n, 3)
	for i := range n {
		x.Data[3*i] = 1 * rng.NormFloat64()
		x.Data[3*i+1] = 3 * rng.NormFloat64()
		x.Data[3*i+2] = 2 * rng.NormFloat64()
	}
	p := NewPCA(x, 2, rng)
	if !numtest.AtLeast(t, "|first component · y axis|", math.Abs(p.Components[0][1]), 0.999) ||
		!numtest.AtLeast(t, "|second component · z axis|", math.Abs(p.Components[1][2]), 0.999) {
		t.Fatalf("components %v, want the y then the z axis", p.Components)
	}
	numtest.Close(t, "first variance", p.Variance[0], 9, numtest.Tol{Abs: 0.3})
	numtest.Close(t, "second variance", p.Variance[1], 4, numtest.Tol{Abs: 0.15})
}

func TestTSNESeparatesClusters(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x, y := blobs(rng, 150, 10, 3, 8)
	emb := TSNE(x, TSNEOptions{Perplexity: 15, Iters: 300, Seed: 1})
	// Every point's nearest neighbour in the plane is of its own cluster,
	// and clusters sit far apart compared with their size.
	n := x.Rows()
	for i := range n {
		best, bj := math.Inf(1), -1
		for j := range n {
			if j == i {
				continue
			}
			d := sqDist(emb.Row(i), emb.Row(j))
			if d < best {
				best, bj = d, j
			}
		}
		if y[bj] != y[i] {
			t.Fatalf("point %d (cluster %d) has nearest neighbour %d from cluster %d", i, y[i], bj, y[bj])
		}
	}
	within, between := meanDists(emb, y)
	if !(between > 4*within) {
		t.Fatalf("mean distance within clusters %.3g, between %.3g: not separated", within, between)
	}
	for _, v := range emb.Data {
		if math.IsNaN(v) {
			t.Fatal("NaN in the embedding")
		}
	}
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

func meanDists(e *tensor.Tensor, y []int) (within, between float64) {
	var nw, nb float64
	for i := range y {
		for j := i + 1; j < len(y); j++ {
			d := math.Sqrt(sqDist(e.Row(i), e.Row(j)))
			if y[i] == y[j] {
				within += d
				nw++
			} else {
				between += d
				nb++
			}
		}
	}
	return within / nw, between / nb
}

func TestRangeTestOnAQuadratic(t *testing.T) {
	// f(w) = a/2 w²: gradient descent w ← w − lr·a·w multiplies w by
	// (1 − lr·a), which shrinks it only for 0 < lr < 2/a.
	for _, a := range []float64{0.5, 4, 100} {
		w := 1.0
		step := func(lr float64) float64 {
			l := a / 2 * w * w
			w -= lr * a * w
			return l
		}
		r, err := RangeTest(step, LRFindOptions{Min: 1e-6, Max: 100, Steps: 200})
		if err != nil {
			t.Fatal(err)
		}
		stable := 2 / a
		if !(r.Suggested > stable/1000 && r.Suggested < stable) {
			t.Errorf("a=%g: suggested %g, outside the useful stable range (%g, %g)", a, r.Suggested, stable/1000, stable)
		}
		numtest.AtLeast(t, fmt.Sprintf("a=%g: the last rate tried (the loss blows up at %g)", a, stable), r.LR[len(r.LR)-1], stable)
	}
}

func TestRangeTestModelRestores(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x, y := blobs(rng, 512, 8, 4, 3)
	model := layers.NewMLP([]int{8, 32, 4}, layers.He, rng)
	before := snapshot(model.Params())
	loader := data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32, Shuffle: true, Rng: rng})
	r, err := RangeTestModel(model, loader, LRFindOptions{Steps: 80})
	if err != nil {
		t.Fatal(err)
	}
	if !(r.Suggested > 1e-4 && r.Suggested < 2) {
		t.Errorf("suggested %g for a small MLP on blobs", r.Suggested)
	}
	for i, p := range model.Params() {
		if !numtest.SameSlices(t, p.Name+" after the range test", p.Value.Data, before[i]) {
			t.FailNow()
		}
	}
}

func TestMostConfused(t *testing.T) {
	// Six samples, three classes. Class 0 is taken for 1 twice (once with
	// 0.9, once with 0.6), class 2 for 0 once.
	probs := tensor.FromData([]float64{
		0.8, 0.1, 0.1, // 0, right
		0.3, 0.6, 0.1, // 0 → 1
		0.05, 0.9, 0.05, // 0 → 1, more confident
		0.1, 0.8, 0.1, // 1, right
		0.7, 0.1, 0.2, // 2 → 0
		0.1, 0.1, 0.8, // 2, right
	}, 6, 3)
	got := MostConfused(probs, []int{0, 0, 0, 1, 2, 2}, 5, 5)
	if len(got) != 2 {
		t.Fatalf("%d pairs, want 2: %+v", len(got), got)
	}
	if g := got[0]; g.True != 0 || g.Pred != 1 || g.Count != 2 || g.Samples[0] != 2 || g.Samples[1] != 1 || g.Conf[0] != 0.9 {
		t.Errorf("first pair %+v, want 0→1, twice, samples [2 1]", g)
	}
	if g := got[1]; g.True != 2 || g.Pred != 0 || g.Count != 1 || g.Samples[0] != 4 {
		t.Errorf("second pair %+v, want 2→0 once, sample 4", g)
	}
	if one := MostConfused(probs, []int{0, 0, 0, 1, 2, 2}, 1, 1); len(one) != 1 || len(one[0].Samples) != 1 {
		t.Errorf("limits not applied: %+v", one)
	}
}

func TestPerClassAccuracy(t *testing.T) {
	got := PerClassAccuracy([]int{0, 0, 1, 1, 1, 2}, []int{0, 1, 1, 1, 0, 0}, 4)
	want := []float64{0.5, 2.0 / 3, 0}
	numtest.SameSlices(t, "accuracy of classes 0-2", got[:3], want)
	if !math.IsNaN(got[3]) {
		t.Errorf("class 3 has no sample: %g, want NaN", got[3])
	}
}

func TestHistogram(t *testing.T) {
	h := NewHistogram(1, "x", "activation", []float64{0, 0, 1, 2, 3, 4, math.NaN()}, 4)
	if h.Lo != 0 || h.Hi != 4 || h.Counts[0] != 2 || h.Counts[1] != 1 || h.Counts[2] != 1 || h.Counts[3] != 2 {
		t.Fatalf("histogram %+v", h)
	}
	if h.Mean != 10.0/6 {
		t.Fatalf("mean %g", h.Mean)
	}
}

// backwardBug is a Linear layer whose Backward forgets a factor 2 in the
// weight gradient: the bug the whole-network gradient check must catch.
type backwardBug struct{ *layers.Linear }

func (b backwardBug) Backward(d *tensor.Tensor) *tensor.Tensor {
	dx := b.Linear.Backward(d)
	b.W.Grad.Scale(2)
	return dx
}

func TestSanity(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x, y := blobs(rng, 200, 16, 4, 2)
	x.Scale(0.3) // inputs of order 1, as normalised data are
	set := &train.Set{X: x, Y: y}

	model := layers.NewMLP([]int{16, 32, 4}, layers.He, rand.New(rand.NewPCG(1, 1)))
	before := snapshot(model.Params())
	s := RunSanity(model, set, SanityOptions{})
	if err := s.Err(); err != nil || !s.Init.OK() {
		t.Fatalf("a healthy network failed:\n%v\n%v", s, err)
	}
	for i, p := range model.Params() {
		if !numtest.SameSlices(t, p.Name+" after the sanity checks", p.Value.Data, before[i]) {
			t.FailNow()
		}
	}

	// Weights 30 times too large: the untrained network is confidently
	// wrong, and the loss at initialisation says so.
	big := layers.NewMLP([]int{16, 32, 4}, layers.He, rand.New(rand.NewPCG(1, 1)))
	for _, p := range big.Params() {
		p.Value.Scale(30)
	}
	if r := CheckInitLoss(big, set, 4, 0); r.OK() || !strings.Contains(r.String(), "too high") {
		t.Errorf("huge weights passed: %v", r)
	}

	// A planted backward bug: the gradient check fails and names the layer.
	lin := layers.NewLinear(16, 32, layers.He, rand.New(rand.NewPCG(1, 1)))
	buggy := layers.NewSequential(backwardBug{lin}, layers.NewReLU(), layers.NewLinear(32, 4, layers.He, rand.New(rand.NewPCG(1, 1))))
	s = RunSanity(buggy, set, SanityOptions{})
	err := s.Err()
	t.Logf("planted bug: %v", err)
	if !errors.Is(err, ErrSanity) || !strings.Contains(err.Error(), "0.weight") {
		t.Errorf("planted bug in 0.weight not reported: %v", err)
	}

	// A learning rate far too small cannot overfit 20 samples.
	o := OverfitBatch(model, x.Reshape(200, 16), y, 1e-6, 50, 0)
	if o.OK() || !strings.Contains(o.String(), "FAILED") {
		t.Errorf("lr 1e-6 overfitted: %v", o)
	}
}

func TestRecorder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x, y := blobs(rng, 640, 8, 4, 3)
	vx, vy := blobs(rand.New(rand.NewPCG(7, 7)), 200, 8, 4, 3)
	build := func() *layers.Sequential {
		return layers.NewMLP([]int{8, 16, 16, 4}, layers.He, rand.New(rand.NewPCG(2, 2)))
	}
	cfg := train.Config{LR: 0.1, Epochs: 3, EvalEvery: 20}
	plain, err := train.Run(build(), data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32}), &train.Set{X: vx, Y: vy}, cfg)
	if err != nil {
		t.Fatal(err)
	}

	model := build()
	rec := NewRecorder(RecorderOptions{Every: 10, HistAt: []int{1, 30, 60}, Probe: &train.Set{X: vx, Y: vy}, Model: model})
	cfg.Hooks = []train.Hook{rec.Hook()}
	h, err := train.Run(model, data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32}), &train.Set{X: vx, Y: vy}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	plain.WriteCSV(&a)
	h.WriteCSV(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("recording changed the run")
	}

	// 60 updates, sampled at 1, 10, …, 60: 7 samples per layer.
	if got := rec.Layers(Ratio); len(got) != 3 || got[0] != "0 Linear(8→16)" {
		t.Fatalf("layers with a ratio: %v", got)
	}
	ux, ratio := rec.Series("0 Linear(8→16)", Ratio)
	if len(ux) != 7 || ux[0] != 1 || ux[6] != 60 {
		t.Fatalf("ratio sampled at %v", ux)
	}
	// For plain SGD, ‖Δθ‖ = lr·‖g‖ exactly: check the first sample.
	_, g := rec.Series("0 Linear(8→16)", GradNorm)
	_, w := rec.Series("0 Linear(8→16)", WeightNorm)
	if !numtest.Close(t, "ratio against lr·‖g‖/‖θ‖", ratio[0], 0.1*g[0]/w[0], numtest.Tol{Rel: 1e-12}) {
		t.FailNow()
	}
	if d := rec.Layers(Dead); len(d) != 2 || d[0] != "1 ReLU" {
		t.Fatalf("layers with dead units: %v", d)
	}
	if len(rec.HistUpdates()) != 3 || len(rec.Hists) != 3*2*5 {
		t.Fatalf("%d histograms at %v, want 30 (5 layers, 2 kinds) at [1 30 60]", len(rec.Hists), rec.HistUpdates())
	}
	if len(rec.Classes) != len(h.Val) || len(rec.Classes[0].Acc) != 4 {
		t.Fatalf("%d per-class accuracies for %d evaluations", len(rec.Classes), len(h.Val))
	}
	// The per-class accuracies average (classes are equal in size) to the
	// validation accuracy.
	last := rec.Classes[len(rec.Classes)-1]
	mean := (last.Acc[0] + last.Acc[1] + last.Acc[2] + last.Acc[3]) / 4
	if !numtest.Close(t, "per-class mean against the validation accuracy", mean, 1-h.Val[len(h.Val)-1].Error, numtest.Tol{Abs: 1e-12}) {
		t.FailNow()
	}
	var csv bytes.Buffer
	if err := rec.WriteCSV(&csv); err != nil || !strings.HasPrefix(csv.String(), "update,layer,metric,value\n1,0 Linear(8→16),grad norm,") {
		t.Fatalf("CSV starts %q (%v)", csv.String()[:80], err)
	}

	// A ReLU layer fed only negative numbers is 100% dead, and the
	// recorder says so: push the first layer's bias to −100.
	dead := build()
	dead.Params()[1].Value.Fill(-100)
	rec = NewRecorder(RecorderOptions{Every: 1, Probe: &train.Set{X: vx, Y: vy}, Model: dead})
	cfg.Hooks, cfg.Epochs, cfg.Updates = []train.Hook{rec.Hook()}, 0, 5
	if _, err := train.Run(dead, data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32}), nil, cfg); err != nil {
		t.Fatal(err)
	}
	if got := rec.Last("1 ReLU", Dead); got != 1 {
		t.Fatalf("ReLU after a bias of −100: %g dead, want 1", got)
	}
	if _, r := rec.Series("0 Linear(8→16)", Ratio); r[len(r)-1] != 0 {
		t.Fatalf("the weights behind dead units still move: ratio %g", r[len(r)-1])
	}
}

func TestRecorderSaturatedTanh(t *testing.T) {
	// Weights 50 times too large drive a tanh layer to ±1 nearly everywhere;
	// small ones keep it in its linear middle.
	rng := rand.New(rand.NewPCG(8, 8))
	x, y := blobs(rng, 256, 8, 4, 3)
	for _, scale := range []float64{50, 0.01} {
		model := layers.NewSequential(layers.NewLinear(8, 32, layers.Xavier, rand.New(rand.NewPCG(1, 1))), layers.NewTanh(),
			layers.NewLinear(32, 4, layers.Xavier, rand.New(rand.NewPCG(2, 1))))
		model.Params()[0].Value.Scale(scale)
		rec := NewRecorder(RecorderOptions{Every: 1, Probe: &train.Set{X: x, Y: y}, Model: model})
		if _, err := train.Run(model, data.NewLoader(x, y, data.LoaderOptions{BatchSize: 32}), nil,
			train.Config{LR: 1e-4, Updates: 2, Hooks: []train.Hook{rec.Hook()}}); err != nil {
			t.Fatal(err)
		}
		got := rec.Last("1 Tanh", Saturated)
		what := fmt.Sprintf("weights ×%g: fraction of the tanh outputs saturated", scale)
		if scale > 1 {
			numtest.AtLeast(t, what, got, 0.8)
		} else {
			numtest.Same(t, what, got, 0)
		}
	}
}

// TestRangeTestModelBatchNormOneSample: a model with batch norm on a
// loader whose last batch holds one sample (33 = 32 + 1) runs the range
// test past the end of an epoch: the batch of one is left out.
func TestRangeTestModelBatchNormOneSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x, y := blobs(rng, 33, 8, 4, 3)
	model := layers.NewSequential(layers.NewLinear(8, 16, layers.He, rng), layers.NewBatchNorm1d(16), layers.NewReLU(), layers.NewLinear(16, 4, layers.He, rng))
	loader := data.NewLoader(x, y, data.LoaderOptions{BatchSize: 4})
	r, err := RangeTestModel(model, loader, LRFindOptions{Steps: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.LR) < 10 {
		t.Errorf("the range test stopped after %d steps, before the end of the first epoch (8 batches)", len(r.LR))
	}
}

// The loss at initialisation is compared with ln C + σ²/2, which is what
// logits of variance σ² give on average over labels they know nothing of:
// checked against that average computed exactly (every label tried for
// every sample), for logits of variance from about 0.1 to 2. A network whose
// labels leak into its inputs is caught.
func TestInitLossExpected(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x, _ := blobs(rng, 300, 16, 10, 2)
	x.Scale(0.3)
	for _, scale := range []float64{0.3, 1, 1.5} {
		model := layers.NewMLP([]int{16, 64, 10}, layers.He, rand.New(rand.NewPCG(2, 2)))
		last := model.Params()[len(model.Params())-2] // the output layer's weights
		last.Value.Scale(scale)
		exact := 0.0
		for k := range 10 {
			y := make([]int, x.Rows())
			for i := range y {
				y[i] = k
			}
			l, _ := train.Evaluate(model, &train.Set{X: x, Y: y}, 0)
			exact += l / 10
		}
		y := make([]int, x.Rows())
		for i := range y {
			y[i] = rng.IntN(10)
		}
		r := CheckInitLoss(model, &train.Set{X: x, Y: y}, 10, 0)
		if !(math.Abs(r.Expected-exact) <= 0.05*r.Variance+1e-9) {
			t.Errorf("σ² = %.3f: expected %.4f, the exact mean over labels is %.4f", r.Variance, r.Expected, exact)
		}
		if r.Variance < 2 && !r.OK() {
			t.Errorf("σ² = %.3f, random labels: %v", r.Variance, r)
		}
	}

	// Labels that leak: the label is the arg max of the untrained logits.
	model := layers.NewMLP([]int{16, 64, 10}, layers.He, rand.New(rand.NewPCG(2, 2)))
	leak := &train.Set{X: x, Y: train.Predict(model, x, 0)}
	if r := CheckInitLoss(model, leak, 10, 0); r.OK() || !strings.Contains(r.String(), "too low") {
		t.Errorf("leaked labels passed: %v", r)
	}
}
