package train_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
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

// TestFlipAveragedConcurrent checks that Evaluate and Predict may run at
// once through two FlipAveraged wrappers of one model and on the model
// itself: every call gets the numbers it gets alone. The wrappers run the
// model's Forward, which writes into the model's buffers, so they must
// take the model's turn, not one of their own (under -race, sharing the
// buffers is also reported as a race).
func TestFlipAveragedConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	model := layers.NewMLP([]int{12, 16, 3}, layers.He, rng)
	set := &train.Set{X: tensor.RandUniform(rng, 0, 1, 200, 12), Y: make([]int, 200)}
	for i := range set.Y {
		set.Y[i] = rng.IntN(3)
	}
	w1, w2 := train.FlipAveraged(model, 4, 3), train.FlipAveraged(model, 4, 3)
	wantFlipLoss, wantFlipErr := train.Evaluate(w1, set, 7)
	wantLoss, wantErr := train.Evaluate(model, set, 7)
	wantPred := train.Predict(w2, set.X, 7)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				switch g % 3 {
				case 0:
					if l, e := train.Evaluate(w1, set, 7); l != wantFlipLoss || e != wantFlipErr {
						errs <- fmt.Sprintf("wrapper 1: loss %v, error %v; alone %v, %v", l, e, wantFlipLoss, wantFlipErr)
						return
					}
				case 1:
					if p := train.Predict(w2, set.X, 7); !slices.Equal(p, wantPred) {
						errs <- "wrapper 2: predictions differ from those made alone"
						return
					}
				case 2:
					if l, e := train.Evaluate(model, set, 7); l != wantLoss || e != wantErr {
						errs <- fmt.Sprintf("the model: loss %v, error %v; alone %v, %v", l, e, wantLoss, wantErr)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}
