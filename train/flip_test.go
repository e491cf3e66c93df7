package train_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// TestFlipAveraged compares the wrapper with the average of the softmax
// probabilities of each image and its mirror, computed the plain way.
func TestFlipAveraged(t *testing.T) {
	const w, h = 4, 3
	rng := rand.New(rand.NewPCG(1, 1))
	model := layers.NewMLP([]int{w * h, 8, 5}, layers.He, rng)
	x := tensor.RandNormal(rng, 0, 1, 6, w*h)
	mirror := x.Clone()
	for i := 0; i < 6*h; i++ {
		for u := 0; u < w; u++ {
			mirror.Data[i*w+u] = x.Data[i*w+w-1-u]
		}
	}
	softmax := func(z *tensor.Tensor) []float64 {
		p := make([]float64, len(z.Data))
		for i := 0; i < z.Rows(); i++ {
			var sum float64
			for j := 0; j < z.Cols(); j++ {
				sum += math.Exp(z.At(i, j))
			}
			for j := 0; j < z.Cols(); j++ {
				p[i*z.Cols()+j] = math.Exp(z.At(i, j)) / sum
			}
		}
		return p
	}
	p, q := softmax(model.Forward(x)), softmax(model.Forward(mirror))
	fa := train.FlipAveraged(model, w, h)
	got := fa.Forward(x)
	logMean := make([]float64, len(p))
	for i := range p {
		logMean[i] = math.Log((p[i] + q[i]) / 2)
	}
	if !numtest.Slices(t, "log p̄", got.Data, logMean, numtest.Tol{Abs: 1e-12}) {
		t.FailNow()
	}
	// Evaluate and Predict accept it and see the averaged prediction.
	labels := []int{0, 1, 2, 3, 4, 0}
	l, _ := train.Evaluate(fa, &train.Set{X: x, Y: labels}, 4)
	var want float64
	for i, y := range labels {
		want -= math.Log((p[i*5+y]+q[i*5+y])/2) / 6
	}
	numtest.Close(t, "Evaluate loss", l, want, numtest.Tol{Abs: 1e-12})
	if pred := train.Predict(fa, x, 4); len(pred) != 6 {
		t.Errorf("Predict gave %d classes", len(pred))
	}
	if !model.Training() {
		t.Error("Evaluate left the wrapped model in evaluation mode")
	}
	func() {
		defer func() {
			if r, _ := recover().(string); !strings.Contains(r, "FlipAveraged.Forward: input has shape [6 5]") {
				t.Errorf("panic %q", r)
			}
		}()
		fa.Forward(tensor.New(6, 5))
	}()
}
