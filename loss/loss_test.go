package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor"
)

// closeTo stops the test unless got and want have the same length and agree
// within tol·(1 + |want|) element by element; NaN never agrees.
func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if !numtest.Slices(t, what, got, want, numtest.Tol{Abs: tol, Rel: tol}) {
		t.FailNow()
	}
}

func randBatch(seed uint64, n, c int, scale float64) (*tensor.Tensor, []int) {
	rng := rand.New(rand.NewPCG(seed, seed))
	z := tensor.RandNormal(rng, 0, scale, n, c)
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(c)
	}
	return z, y
}

// TestSoftmaxCrossEntropyNaive compares with the definition computed the
// naive way, p = exp(z)/Σexp(z), L = −log p_y, on logits small enough for it.
func TestSoftmaxCrossEntropyNaive(t *testing.T) {
	z, y := randBatch(1, 7, 5, 2)
	var ce SoftmaxCrossEntropy
	got := ce.Forward(z, y)
	var want float64
	wantP := make([]float64, 0, 35)
	wantL := make([]float64, 7)
	wantG := make([]float64, 0, 35)
	for i := 0; i < 7; i++ {
		var sum float64
		for _, v := range z.Row(i) {
			sum += math.Exp(v)
		}
		for j, v := range z.Row(i) {
			p := math.Exp(v) / sum
			wantP = append(wantP, p)
			g := p
			if j == y[i] {
				g--
			}
			wantG = append(wantG, g/7)
		}
		wantL[i] = -math.Log(math.Exp(z.At(i, y[i])) / sum)
		want += wantL[i] / 7
	}
	closeTo(t, "loss", []float64{got}, []float64{want}, 1e-13)
	closeTo(t, "Losses", ce.Losses(), wantL, 1e-13)
	closeTo(t, "Probs", ce.Probs().Data, wantP, 1e-13)
	closeTo(t, "Backward", ce.Backward().Data, wantG, 1e-13)
}

func TestSoftmaxCrossEntropyExtremeLogits(t *testing.T) {
	z := tensor.FromData([]float64{
		1e4, -1e4, 0, // confident and right
		1e4, -1e4, 0, // confident and wrong
		-1e4, -1e4, -1e4, // all equal, very negative
		1e4, 1e4, -1e4, // tie between two huge logits
	}, 4, 3)
	y := []int{0, 1, 2, 0}
	var ce SoftmaxCrossEntropy
	l := ce.Forward(z, y)
	wantL := []float64{0, 2e4, math.Log(3), math.Log(2)}
	closeTo(t, "Losses", ce.Losses(), wantL, 1e-12)
	closeTo(t, "loss", []float64{l}, []float64{(2e4 + math.Log(3) + math.Log(2)) / 4}, 1e-12)
	for i, v := range append(append([]float64(nil), ce.Probs().Data...), ce.Backward().Data...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("value %d is %v", i, v)
		}
	}
	closeTo(t, "Probs row 3", ce.Probs().Row(3), []float64{0.5, 0.5, 0}, 0)
}

// TestChainedEqualsFused is the check a student would do by hand: the
// gradient of CrossEntropy∘Softmax, chained through both backward passes,
// equals the fused (P − Y)/B.
func TestChainedEqualsFused(t *testing.T) {
	z, y := randBatch(2, 9, 6, 1.5)
	var sm Softmax
	var ce CrossEntropy
	var fused SoftmaxCrossEntropy
	lc := ce.Forward(sm.Forward(z), y)
	lf := fused.Forward(z, y)
	closeTo(t, "loss", []float64{lc}, []float64{lf}, 1e-13)
	closeTo(t, "chained gradient", sm.Backward(ce.Backward()).Data, fused.Backward().Data, 1e-13)
}

func TestSoftmaxBackwardIsJacobianProduct(t *testing.T) {
	z, _ := randBatch(3, 2, 4, 1)
	rng := rand.New(rand.NewPCG(9, 9))
	dp := tensor.RandNormal(rng, 0, 1, 2, 4)
	var sm Softmax
	p := sm.Forward(z)
	got := sm.Backward(dp)
	for i := 0; i < 2; i++ {
		for k := 0; k < 4; k++ { // dz_k = Σ_j dp_j ∂p_j/∂z_k, ∂p_j/∂z_k = p_j(1[j=k] − p_k)
			var want float64
			for j := 0; j < 4; j++ {
				d := 0.0
				if j == k {
					d = 1
				}
				want += dp.At(i, j) * p.At(i, j) * (d - p.At(i, k))
			}
			closeTo(t, "dz", []float64{got.At(i, k)}, []float64{want}, 1e-13)
		}
	}
}

func TestMetrics(t *testing.T) {
	z := tensor.FromData([]float64{
		0.1, 0.9, 0.0,
		2, 1, 0,
		0, 0, 5,
		1, 1, 0, // tie: first wins
	}, 4, 3)
	y := []int{1, 1, 2, 1}
	if got := ErrorRate(z, y); got != 0.5 {
		t.Errorf("ErrorRate = %v, want 0.5", got)
	}
	if got := Accuracy(z, y); got != 0.5 {
		t.Errorf("Accuracy = %v, want 0.5", got)
	}
	if got := Predict(nil, z); len(got) != 4 || got[0] != 1 || got[1] != 0 || got[2] != 2 || got[3] != 0 {
		t.Errorf("Predict = %v, want [1 0 2 0]", got)
	}
	if !math.IsNaN(ErrorRate(tensor.New(0, 3), nil)) {
		t.Error("ErrorRate of an empty batch is not NaN")
	}
	zz, yy := randBatch(4, 64, 10, 1)
	if n := testing.AllocsPerRun(10, func() { ErrorRate(zz, yy) }); n != 0 {
		t.Errorf("ErrorRate allocates %v times", n)
	}
}

func TestBadLabelsPanic(t *testing.T) {
	z := tensor.New(2, 3)
	var ce SoftmaxCrossEntropy
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"label 3 of sample 1 is out of range [0, 3)", func() { ce.Forward(z, []int{0, 3}) }},
		{"label -1 of sample 0", func() { ce.Forward(z, []int{-1, 0}) }},
		{"1 labels for logits of shape [2 3]", func() { ce.Forward(z, []int{0}) }},
		{"need 2-D logits", func() { ce.Forward(tensor.New(6), []int{0}) }},
		{"empty batch", func() { ce.Forward(tensor.New(0, 3), nil) }},
		{"Backward called before Forward", func() { new(SoftmaxCrossEntropy).Backward() }},
		{"ErrorRate: label 7", func() { ErrorRate(z, []int{7, 0}) }},
		{"CrossEntropy.Forward: label 5", func() { new(CrossEntropy).Forward(z, []int{0, 5}) }},
		{"CrossEntropy.Forward: 3 labels for probabilities of shape [2 3]", func() { new(CrossEntropy).Forward(z, []int{0, 1, 2}) }},
		{"CrossEntropy.Forward: need 2-D probabilities", func() { new(CrossEntropy).Forward(tensor.New(6), []int{0}) }},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want one mentioning %q", msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

func TestBufferReuse(t *testing.T) {
	z, y := randBatch(5, 64, 10, 1)
	zs, ys := tensor.FromData(z.Data[:30], 3, 10), y[:3]
	var ce SoftmaxCrossEntropy
	ce.Forward(z, y)
	ce.Backward()
	n := testing.AllocsPerRun(10, func() {
		ce.Forward(z, y)
		ce.Backward()
		ce.Forward(zs, ys)
		ce.Backward()
	})
	if n != 0 {
		t.Errorf("Forward+Backward allocates %v times per run", n)
	}
	// After a small batch the results have the small shape.
	ce.Forward(zs, ys)
	if g := ce.Backward(); g.Shape[0] != 3 || len(ce.Losses()) != 3 || ce.Probs().Shape[0] != 3 {
		t.Errorf("after a batch of 3: grad %v, %d losses, probs %v", g.Shape, len(ce.Losses()), ce.Probs().Shape)
	}
}

// TestNaNIsNeverMasked: a NaN anywhere in a sample's logits makes the loss,
// its gradient and the error rate NaN, whichever column holds it and
// whatever the label, so a diverged model cannot look like a working one.
func TestNaNIsNeverMasked(t *testing.T) {
	for col := 0; col < 3; col++ {
		for y := 0; y < 3; y++ {
			z := tensor.FromData([]float64{1, 2, 3, 0.5, 0.1, -1}, 2, 3)
			z.Data[3+col] = math.NaN()
			labels := []int{2, y}
			var ce SoftmaxCrossEntropy
			if l := ce.Forward(z, labels); !math.IsNaN(l) {
				t.Errorf("NaN in column %d, label %d: loss %v", col, y, l)
			}
			if l := ce.Losses()[1]; !math.IsNaN(l) {
				t.Errorf("NaN in column %d, label %d: sample loss %v", col, y, l)
			}
			if g := ce.Backward().Row(1); !math.IsNaN(g[y]) {
				t.Errorf("NaN in column %d, label %d: gradient %v", col, y, g)
			}
			if e := ErrorRate(z, labels); !math.IsNaN(e) {
				t.Errorf("NaN in column %d, label %d: error rate %v", col, y, e)
			}
			if a := Accuracy(z, labels); !math.IsNaN(a) {
				t.Errorf("NaN in column %d, label %d: accuracy %v", col, y, a)
			}
			var sm Softmax
			var cr CrossEntropy
			if l := cr.Forward(sm.Forward(z), labels); !math.IsNaN(l) {
				t.Errorf("NaN in column %d, label %d: chained loss %v", col, y, l)
			}
		}
	}
}

// Equal logits give every class probability 1/C, so the loss is log C
// whatever their size. Computed as (m + log Σ) − z_y, m + log 2 rounds to m
// once m ≥ 1e16 and the loss came out 0; log Σ − (z_y − m) is exact
// (issue #9, case 10).
func TestSoftmaxCrossEntropyHugeEqualLogits(t *testing.T) {
	for _, v := range []float64{1e16, -1e16, 1e308, -1e308, math.MaxFloat64, -math.MaxFloat64} {
		var ce SoftmaxCrossEntropy
		logits := tensor.FromData([]float64{v, v, v, v, v, v}, 2, 3)
		got := ce.Forward(logits, []int{0, 2})
		numtest.Close(t, fmt.Sprintf("logits all %g: loss (log 3)", v), got, math.Log(3), numtest.Tol{Abs: 1e-15})
		numtest.Slices(t, fmt.Sprintf("logits all %g: sample losses (log 3)", v), ce.Losses(), []float64{math.Log(3), math.Log(3)}, numtest.Tol{Abs: 1e-15})
	}
	// Two classes 1e16 apart at that scale: the true class far ahead costs
	// nothing, far behind costs the whole gap.
	var ce SoftmaxCrossEntropy
	if got := ce.Forward(tensor.FromData([]float64{3e16, 1e16}, 1, 2), []int{0}); got != 0 {
		t.Errorf("true class 2e16 ahead: loss %v, want 0", got)
	}
	if got := ce.Forward(tensor.FromData([]float64{3e16, 1e16}, 1, 2), []int{1}); got != 2e16 {
		t.Errorf("true class 2e16 behind: loss %v, want 2e16", got)
	}
}
