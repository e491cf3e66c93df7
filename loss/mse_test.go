package loss_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// TestMSEGradcheck checks eq. MSE2 against central differences of MSE1,
// on logits of three scales. (Larger ones give gradients near 1e-7, where
// a central difference keeps only a few digits.)
func TestMSEGradcheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, scale := range []float64{0.5, 1, 2} {
		z := tensor.RandNormal(rng, 0, scale, 7, 10)
		y := []int{0, 9, 3, 3, 7, 1, 5}
		var mse loss.MSE
		mse.Forward(z, y)
		p := &layers.Param{Name: "z", Value: z, Grad: mse.Backward()}
		rep := gradcheck.Func(func() float64 { return mse.Forward(z, y) }, []*layers.Param{p}, gradcheck.Options{Richardson: true})
		if !rep.OK(1e-7) {
			t.Errorf("scale %v: MSE fails the gradient check:\n%v", scale, rep)
		}
	}
}

// TestMSENaive compares MSE1 with the loss computed the plain way, and
// checks its bounds: 0 for a perfect prediction, below 2 always.
func TestMSENaive(t *testing.T) {
	z := tensor.FromData([]float64{1, 2, 3, -1, 0, 4}, 2, 3)
	y := []int{2, 0}
	var want float64
	for i := 0; i < 2; i++ {
		row := z.Row(i)
		var sum float64
		for _, v := range row {
			sum += math.Exp(v)
		}
		for j, v := range row {
			d := math.Exp(v) / sum
			if j == y[i] {
				d--
			}
			want += d * d
		}
	}
	want /= 2
	var mse loss.MSE
	if got := mse.Forward(z, y); !(math.Abs(got-want) <= 1e-15) {
		t.Errorf("MSE %v, want %v", got, want)
	}
	if got := mse.Forward(tensor.FromData([]float64{1e4, 0, 0}, 1, 3), []int{0}); !(got == 0) {
		t.Errorf("a certain, right prediction: MSE %v, want 0", got)
	}
	if got := mse.Forward(tensor.FromData([]float64{-1e4, 1e4, 0}, 1, 3), []int{0}); !(got <= 2 && got > 1.99) {
		t.Errorf("a certain, wrong prediction: MSE %v, want 2", got)
	}
}
