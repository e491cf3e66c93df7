package layers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// blockLayers returns a BatchNorm2d(c) with random γ, β, running
// statistics and gradients, a ReLU and a MaxPool2d(k, s): the same
// numbers for the same seed.
func blockLayers(seed uint64, c, k, s int) (*layers.BatchNorm2d, *layers.ReLU, *layers.MaxPool2d) {
	rng := rand.New(rand.NewPCG(seed, 7))
	bn := layers.NewBatchNorm2d(c)
	for _, t := range []*tensor.Tensor{bn.Weight.Value, bn.Bias.Value, bn.Weight.Grad, bn.Bias.Grad, bn.RunningMean} {
		for i := range t.Data {
			t.Data[i] = rng.NormFloat64()
		}
	}
	for i := range bn.RunningVar.Data {
		bn.RunningVar.Data[i] = 0.5 + rng.Float64()
	}
	return bn, layers.NewReLU(), layers.NewMaxPool2d(k, s)
}

// blockInput returns an n×c×h×w batch: normal values, or with ties a
// few values repeated, so that windows share their maximum (before and
// after batch norm) and ReLU clips many to 0.
func blockInput(rng *rand.Rand, ties bool, n, c, h, w int) *tensor.Tensor {
	x := tensor.RandNormal(rng, 0.3, 1, n, c, h, w)
	if ties {
		for i := range x.Data {
			x.Data[i] = float64(rng.IntN(4) - 2)
		}
	}
	return x
}

// TestBlockSameBits checks that fused.NewBlock's passes give the bits of
// BatchNorm2d, ReLU and MaxPool2d run one after the other by their own
// methods: the output, ∂L/∂X, the gradients of γ and β (added to what
// they held), the running statistics and the count of batches, over
// shapes that do not divide (odd planes, 1 to 5 images, overlapping and
// partial windows), with ties, in training and evaluation mode, for
// GOMAXPROCS 1 to 4. Neither x nor ∂L/∂Y may change.
func TestBlockSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	type shape struct{ n, c, h, w, k, s int }
	shapes := []shape{
		{1, 1, 2, 2, 2, 2}, {2, 3, 5, 7, 2, 2}, {3, 4, 6, 6, 3, 2}, {5, 2, 7, 5, 2, 1},
		{4, 5, 9, 8, 3, 3}, {2, 1, 4, 4, 1, 1}, {3, 33, 14, 14, 2, 2}, {8, 8, 28, 28, 2, 2},
	}
	for si, sh := range shapes {
		for _, ties := range []bool{false, true} {
			for _, training := range []bool{true, false} {
				for procs := 1; procs <= 4; procs++ {
					runtime.GOMAXPROCS(procs)
					what := fmt.Sprintf("%+v, ties %v, training %v, GOMAXPROCS %d", sh, ties, training, procs)
					rng := rand.New(rand.NewPCG(uint64(si), 1))
					x := blockInput(rng, ties, sh.n, sh.c, sh.h, sh.w)
					xCopy := x.Clone()
					bn, relu, pool := blockLayers(uint64(si), sh.c, sh.k, sh.s)
					bn2, relu2, pool2 := blockLayers(uint64(si), sh.c, sh.k, sh.s)
					bn.SetTraining(training)
					bn2.SetTraining(training)
					want := pool.Forward(relu.Forward(bn.Forward(x)))
					blk := fused.NewBlock(bn2, relu2, pool2)
					// Twice: the second pass reuses the buffers of the first.
					for pass := range 2 {
						got := blk.Forward(x).(*tensor.Tensor)
						if pass == 1 {
							want = pool.Forward(relu.Forward(bn.Forward(x)))
						}
						if !slices.Equal(got.Shape, want.Shape) || !numtest.SameSlices(t, what+": output", got.Data, want.Data) {
							t.Fatalf("%s: output of shape %v, want %v", what, got.Shape, want.Shape)
						}
						dy := tensor.RandNormal(rng, 0, 1, want.Shape...)
						dyCopy := dy.Clone()
						wantDX := bn.Backward(relu.Backward(pool.Backward(dy)))
						gotDX := blk.Backward(dy).(*tensor.Tensor)
						ok := slices.Equal(gotDX.Shape, x.Shape) &&
							numtest.SameSlices(t, what+": ∂L/∂X", gotDX.Data, wantDX.Data) &&
							numtest.SameSlices(t, what+": ∂L/∂γ", bn2.Weight.Grad.Data, bn.Weight.Grad.Data) &&
							numtest.SameSlices(t, what+": ∂L/∂β", bn2.Bias.Grad.Data, bn.Bias.Grad.Data) &&
							numtest.SameSlices(t, what+": running mean", bn2.RunningMean.Data, bn.RunningMean.Data) &&
							numtest.SameSlices(t, what+": running variance", bn2.RunningVar.Data, bn.RunningVar.Data) &&
							numtest.SameSlices(t, what+": x after the passes", x.Data, xCopy.Data) &&
							numtest.SameSlices(t, what+": ∂L/∂Y after the passes", dy.Data, dyCopy.Data)
						if !ok {
							t.FailNow()
						}
						if bn2.NumBatchesTracked != bn.NumBatchesTracked {
							t.Fatalf("%s: %d batches tracked, want %d", what, bn2.NumBatchesTracked, bn.NumBatchesTracked)
						}
					}
				}
			}
		}
	}
}

// TestBlockNaN: a NaN in x or in ∂L/∂Y goes where the three layers send
// it: into the whole channel in training mode (its statistics), into the
// window that holds it in evaluation mode (a NaN is the maximum of its
// window), and a NaN gradient through its window's maximum unless ReLU
// blocks it.
func TestBlockNaN(t *testing.T) {
	for _, training := range []bool{true, false} {
		for _, at := range []string{"x", "dy"} {
			what := fmt.Sprintf("NaN in %s, training %v", at, training)
			rng := rand.New(rand.NewPCG(11, 1))
			x := blockInput(rng, false, 3, 4, 6, 6)
			bn, relu, pool := blockLayers(3, 4, 2, 2)
			bn2, relu2, pool2 := blockLayers(3, 4, 2, 2)
			bn.SetTraining(training)
			bn2.SetTraining(training)
			if at == "x" {
				x.Data[1*4*36+2*36+7] = math.NaN()
			}
			want := pool.Forward(relu.Forward(bn.Forward(x)))
			blk := fused.NewBlock(bn2, relu2, pool2)
			got := blk.Forward(x).(*tensor.Tensor)
			dy := tensor.RandNormal(rng, 0, 1, want.Shape...)
			if at == "dy" {
				for i := range dy.Data {
					if i%7 == 3 {
						dy.Data[i] = math.NaN()
					}
				}
			}
			wantDX := bn.Backward(relu.Backward(pool.Backward(dy)))
			gotDX := blk.Backward(dy).(*tensor.Tensor)
			if at == "x" && !hasNaN(want.Data) || at == "dy" && !hasNaN(wantDX.Data) {
				t.Fatalf("%s: the three layers pass no NaN on; the test tests nothing", what)
			}
			if !numtest.SameSlices(t, what+": output", got.Data, want.Data) ||
				!numtest.SameSlices(t, what+": ∂L/∂X", gotDX.Data, wantDX.Data) ||
				!numtest.SameSlices(t, what+": ∂L/∂γ", bn2.Weight.Grad.Data, bn.Weight.Grad.Data) ||
				!numtest.SameSlices(t, what+": ∂L/∂β", bn2.Bias.Grad.Data, bn.Bias.Grad.Data) {
				t.FailNow()
			}
		}
	}
}

// TestNewBlockOnlyForTheThree: any other three layers are no block.
func TestNewBlockOnlyForTheThree(t *testing.T) {
	bn, relu, pool := layers.NewBatchNorm2d(2), layers.NewReLU(), layers.NewMaxPool2d(2, 0)
	for _, l := range [][3]layers.Layer{
		{relu, bn, pool}, {bn, layers.NewLeakyReLU(0.1), pool}, {bn, relu, layers.NewAvgPool2d(2, 0)}, {layers.NewBatchNorm1d(2), relu, pool},
	} {
		if b := fused.NewBlock(l[0], l[1], l[2]); b != nil {
			t.Errorf("%v, %v, %v: a block, want nil", l[0], l[1], l[2])
		}
	}
	if fused.NewBlock(bn, relu, pool) == nil {
		t.Error("BatchNorm2d, ReLU, MaxPool2d: no block")
	}
}

func hasNaN(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) {
			return true
		}
	}
	return false
}
