package loss_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// TestLabelSmoothingMatchesPyTorch compares with
// torch.nn.CrossEntropyLoss(label_smoothing=0.1) in float64 (PyTorch 1.13)
// on the logits of ExampleSoftmaxCrossEntropy.
func TestLabelSmoothingMatchesPyTorch(t *testing.T) {
	z := tensor.FromData([]float64{2, 1, 0.1, 0.5, 2.5, -1}, 2, 3)
	ce := loss.SoftmaxCrossEntropy{Smoothing: 0.1}
	l := ce.Forward(z, []int{0, 2})
	near := func(what string, got, want []float64) {
		t.Helper()
		numtest.Slices(t, what, got, want, numtest.Tol{Abs: 1e-14})
	}
	near("loss", []float64{l}, []float64{2.0001041117000606})
	near("per-sample losses", ce.Losses(), []float64{0.5136966829445002, 3.4865115404556213})
	near("gradient", ce.Backward().Data, []float64{-0.13716609722368273, 0.10454981868569029, 0.03261627853799243, 0.04139060067040391, 0.41232173863756194, -0.4537123393079659})
}

// TestLabelSmoothingGradcheck checks LS2 against central differences of
// LS1 for several α, including 0 (plain cross-entropy) and 1 (uniform
// target), with the Richardson difference (the loss is smooth).
func TestLabelSmoothingGradcheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	z := tensor.RandNormal(rng, 0, 2, 6, 10)
	y := []int{0, 9, 3, 3, 7, 1}
	for _, a := range []float64{0, 0.1, 0.5, 1} {
		ce := loss.SoftmaxCrossEntropy{Smoothing: a}
		ce.Forward(z, y)
		p := &layers.Param{Name: "z", Value: z, Grad: ce.Backward()}
		rep := gradcheck.Func(func() float64 { return ce.Forward(z, y) }, []*layers.Param{p}, gradcheck.Options{Richardson: true})
		if !rep.OK(1e-7) {
			t.Errorf("α = %v: label smoothing fails the gradient check:\n%v", a, rep)
		}
	}
}

// TestLabelSmoothingProperties: α = 0 gives exactly the plain loss; at the
// optimum p = q the gradient is zero and the loss is the entropy of q;
// extreme logits stay finite; a bad α panics.
func TestLabelSmoothingProperties(t *testing.T) {
	z := tensor.RandNormal(rand.New(rand.NewPCG(4, 4)), 0, 1, 3, 5)
	y := []int{4, 0, 2}
	var plain loss.SoftmaxCrossEntropy
	zero := loss.SoftmaxCrossEntropy{Smoothing: 0}
	if a, b := plain.Forward(z, y), zero.Forward(z, y); a != b {
		t.Errorf("α = 0 gives %v, plain %v", b, a)
	}

	// Logits log qⱼ give p = q: zero gradient, loss = entropy of q.
	const a, c = 0.1, 10
	hi, lo := 1-a+a/c, a/c
	z = tensor.New(1, c)
	z.Fill(math.Log(lo))
	z.Data[3] = math.Log(hi)
	ce := loss.SoftmaxCrossEntropy{Smoothing: a}
	l := ce.Forward(z, []int{3})
	numtest.Close(t, "loss at p = q against the entropy of q", l, -(hi*math.Log(hi) + (c-1)*lo*math.Log(lo)), numtest.Tol{Abs: 1e-14})
	numtest.Slices(t, "gradient at p = q", ce.Backward().Data, make([]float64, c), numtest.Tol{Abs: 1e-15})

	z = tensor.FromData([]float64{1e4, -1e4, 0}, 1, 3)
	if l := ce.Forward(z, []int{1}); math.IsNaN(l) || math.IsInf(l, 0) {
		t.Errorf("loss on logits ±1e4 is %v", l)
	}

	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, "label smoothing must be in [0, 1]") {
					t.Errorf("α = %v: panic %q", bad, r)
				}
			}()
			(&loss.SoftmaxCrossEntropy{Smoothing: bad}).Forward(z, []int{1})
		}()
	}
}
