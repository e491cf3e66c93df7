package layers_test

import (
	"math"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// TestDropoutStatistics: about a fraction p of the entries is dropped, the
// survivors are scaled by 1/(1 − p), so the mean is kept, and Backward uses
// the same mask.
func TestDropoutStatistics(t *testing.T) {
	const p = 0.3
	d := layers.NewDropout(p, rngFor(1))
	x := tensor.New(200, 100)
	x.Fill(1)
	y := d.Forward(x)
	var dropped int
	var sum float64
	for _, v := range y.Data {
		switch v {
		case 0:
			dropped++
		case 1 / (1 - p):
		default:
			t.Fatalf("output entry %v, want 0 or %v", v, 1/(1-p))
		}
		sum += v
	}
	n := float64(len(y.Data))
	// Binomial(20000, 0.3): standard deviation √(n p (1−p)) ≈ 65; allow 5σ.
	numtest.Close(t, "entries dropped", float64(dropped), p*n, numtest.Tol{Abs: 5 * math.Sqrt(n*p*(1-p))})
	numtest.Close(t, "mean output (inverted dropout keeps the mean)", sum/n, 1, numtest.Tol{Abs: 0.03})
	g := tensor.RandNormal(rngFor(2), 0, 1, 200, 100)
	dx := d.Backward(g)
	for i := range dx.Data {
		if dx.Data[i] != g.Data[i]*y.Data[i] { // x = 1, so y is the mask
			t.Fatalf("dx[%d] = %v, want %v", i, dx.Data[i], g.Data[i]*y.Data[i])
		}
	}
}

func TestDropoutModesAndSeeds(t *testing.T) {
	x := tensor.RandNormal(rngFor(3), 0, 1, 4, 5)
	a := layers.NewDropout(0.5, rngFor(7)).Forward(x).Clone()
	b := layers.NewDropout(0.5, rngFor(7)).Forward(x)
	near(t, "same seed", b.Data, a.Data, 0)

	d := layers.NewDropout(0.5, rngFor(7))
	d.SetTraining(false)
	near(t, "evaluation mode", d.Forward(x).Data, x.Data, 0)
	near(t, "evaluation backward", d.Backward(x).Data, x.Data, 0)
	// Sequential reaches it through Trainable.
	s := layers.NewSequential(layers.NewDropout(0.5, rngFor(7)))
	s.SetTraining(false)
	near(t, "Sequential in evaluation mode", s.Forward(x).Data, x.Data, 0)

	near(t, "p = 0", layers.NewDropout(0, rngFor(1)).Forward(x).Data, x.Data, 0)
	near(t, "p = 1", layers.NewDropout(1, rngFor(1)).Forward(x).Data, make([]float64, 20), 0)

	// Unfrozen, two calls draw two masks; frozen, the mask stays.
	d = layers.NewDropout(0.5, rngFor(7))
	first := d.Forward(x).Clone()
	if slices.Equal(first.Data, d.Forward(x).Data) {
		t.Error("two training-mode Forward calls drew the same mask")
	}
	d.Frozen = true
	first = d.Forward(x).Clone()
	near(t, "frozen mask", d.Forward(x).Data, first.Data, 0)

	mustPanicWith(t, "NewDropout: drop probability must be in [0, 1], have 1.5", func() { layers.NewDropout(1.5, rngFor(1)) })
	mustPanicWith(t, "NewDropout: nil *rand.Rand", func() { layers.NewDropout(0.5, nil) })
	mustPanicWith(t, "Dropout.Backward called before Forward", func() { layers.NewDropout(0.5, rngFor(1)).Backward(x) })
	mustPanicWith(t, "Dropout.Backward: gradient has shape [5 4], output had shape [4 5]", func() { d.Backward(tensor.New(5, 4)) })
}

// TestDropoutGradcheck checks Dropout in training mode with a frozen mask,
// alone and inside a network.
func TestDropoutGradcheck(t *testing.T) {
	rng := rngFor(4)
	x := tensor.RandNormal(rng, 0, 1, 5, 6)
	d := layers.NewDropout(0.4, rng)
	d.Frozen = true
	if rep := gradcheck.Layer(d, x, gradcheck.Options{Seed: 4}); !rep.OK(tol) {
		t.Errorf("Dropout fails the gradient check:\n%v", rep)
	}
	d2 := layers.NewDropout(0.4, rng)
	d2.Frozen = true
	net := layers.NewSequential(layers.NewLinear(6, 8, layers.Xavier, rng), layers.NewTanh(), d2, layers.NewLinear(8, 3, layers.Xavier, rng))
	if rep := gradcheck.Layer(net, x, gradcheck.Options{Seed: 4, Richardson: true}); !rep.OK(tol) {
		t.Errorf("%v fails the gradient check:\n%v", net, rep)
	}
	// Without freezing, every Forward of the check draws a new mask and the
	// numeric derivative is meaningless: the check must fail.
	if rep := gradcheck.Layer(layers.NewDropout(0.4, rng), x, gradcheck.Options{Seed: 4}); rep.OK(tol) {
		t.Error("an unfrozen Dropout passes the gradient check")
	}
}
