package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/backprop-go/backprop/layers"
)

// Epochs × batches that overflows int must be refused, not wrapped into a
// small positive count that trains a few updates and reports success
// (issue #9, case 9).
func TestEpochsTimesBatchesOverflow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x, y := blobs(rng, 600, 4, 2)
	model := layers.NewMLP([]int{4, 2}, layers.He, rng)
	for _, epochs := range []int{9164373921480438223, math.MaxInt, math.MaxInt/19 + 1} {
		h, err := Run(model, &slices{x: x, y: y, batch: 32}, nil, Config{LR: 0.1, Epochs: epochs}) // 19 batches
		if err == nil || !strings.Contains(err.Error(), "epochs") || !strings.Contains(err.Error(), "too many") {
			t.Errorf("%d epochs of 19 batches: history %v, error %v; want an error saying it is too many", epochs, h, err)
		}
	}
}

// NaN or ±Inf in a training batch is a data problem, not divergence: the
// error says so and where, instead of "try a smaller learning rate"; in the
// validation set it is refused before training instead of being recorded
// as a NaN loss (issue #9, case 12).
func TestNonFiniteDataIsADataError(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		rng := rand.New(rand.NewPCG(1, 1))
		x, y := blobs(rng, 200, 4, 2)
		x.Data[2*32*4+5] = bad // sample 1, feature 1 of the third batch
		model := layers.NewMLP([]int{4, 8, 2}, layers.He, rng)
		_, err := Run(model, &slices{x: x, y: y, batch: 32}, nil, Config{LR: 0.25, Epochs: 1})
		var de *DataError
		if !errors.As(err, &de) || de.Update != 3 || de.Row != 1 || de.Col != 1 {
			t.Fatalf("%v in the third batch: err = %v, want a *DataError at update 3, row 1, column 1", bad, err)
		}
		var div *DivergedError
		if errors.As(err, &div) || strings.Contains(err.Error(), "learning rate") {
			t.Errorf("%v in the data is reported as divergence: %v", bad, err)
		}

		vx, vy := blobs(rng, 50, 4, 2)
		vx.Data[7*4+2] = bad
		x, y = blobs(rng, 200, 4, 2)
		_, err = Run(model, &slices{x: x, y: y, batch: 32}, &Set{X: vx, Y: vy}, Config{LR: 0.25, Epochs: 1})
		if !errors.As(err, &de) || de.Update != 0 || de.Row != 7 || de.Col != 2 || !strings.Contains(err.Error(), "validation set") {
			t.Fatalf("%v in the validation set: err = %v, want a *DataError naming the validation set, row 7, column 2", bad, err)
		}
	}
}

// Predict and Evaluate may be called from several goroutines on one
// trained model (issue #9, case 11). Run it with -race.
func TestPredictConcurrently(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x, y := blobs(rng, 300, 8, 4)
	model := layers.NewMLP([]int{8, 16, 4}, layers.He, rng)
	want := Predict(model, x, 50)
	wantLoss, wantErr := Evaluate(model, &Set{X: x, Y: y}, 50)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if g%2 == 0 {
					if got := Predict(model, x, 50); !equal(got, want) {
						errs <- "Predict gave other predictions"
						return
					}
				} else if l, e := Evaluate(model, &Set{X: x, Y: y}, 50); l != wantLoss || e != wantErr {
					errs <- "Evaluate gave other figures"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// equal reports whether a and b hold the same values, element by element
// (for floats: the test data has no NaNs).
func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
