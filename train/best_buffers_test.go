package train

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/optim"
)

// TestRestoreBestWithBatchNorm: restore-best also restores batch norm's
// running statistics (layers.Buffered), so the restored model evaluates
// exactly as it did at its best validation. Restoring only the Params would
// pair the best weights with the last statistics.
func TestRestoreBestWithBatchNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	x, y := blobs(rng, 200, 8, 4)
	vx, vy := blobs(rand.New(rand.NewPCG(5, 0)), 200, 8, 4)
	for i := range y { // noisy labels: a large model overfits them
		if rng.IntN(3) == 0 {
			y[i] = rng.IntN(4)
		}
	}
	model := layers.NewSequential(
		layers.NewLinear(8, 64, layers.He, rng), layers.NewBatchNorm1d(64), layers.NewReLU(),
		layers.NewLinear(64, 64, layers.He, rng), layers.NewBatchNorm1d(64), layers.NewReLU(),
		layers.NewLinear(64, 4, layers.Xavier, rng))
	val := &Set{X: vx, Y: vy}
	h, err := Run(model, &slices{x: x, y: y, batch: 20}, val,
		Config{LR: 0.05, Optimizer: &optim.SGD{Momentum: 0.9}, Epochs: 400, EvalEvery: 10, Patience: 5, RestoreBest: true})
	if err != nil {
		t.Fatal(err)
	}
	if !h.Restored {
		t.Fatal("the last validation was the best: the test shows nothing")
	}
	if l, e := Evaluate(model, val, 0); l != h.Best.Loss || e != h.Best.Error {
		t.Errorf("after restore-best the model gives loss %v, error %v; the best had %v, %v", l, e, h.Best.Loss, h.Best.Error)
	}
}
