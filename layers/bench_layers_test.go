package layers_test

import (
	"fmt"
	"testing"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// BenchmarkLayers times Forward plus Backward of each layer on a batch of
// 128 samples of 1024 features, the first hidden layer of the recipe in
// docs/beyond.md, next to the Linear(784→1024) layer that feeds it, to see
// what an activation or normalisation adds to a training step:
//
//	go test ./layers -run '^$' -bench Layers -count 5
func BenchmarkLayers(b *testing.B) {
	rng := rngFor(1)
	const batch, width = 128, 1024
	x := tensor.RandNormal(rng, 0, 1, batch, width)
	g := tensor.RandNormal(rng, 0, 1, batch, width)
	for _, l := range []layers.Layer{
		layers.NewReLU(), layers.NewLeakyReLU(0.01), layers.NewSigmoid(), layers.NewTanh(),
		layers.NewGELU("none"), layers.NewGELU("tanh"), layers.NewDropout(0.3, rng), layers.NewBatchNorm1d(width),
	} {
		b.Run(fmt.Sprint(l), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				l.Forward(x)
				l.Backward(g)
			}
		})
	}
	lin := layers.NewLinear(784, width, layers.He, rng)
	a := tensor.RandNormal(rng, 0, 1, batch, 784)
	b.Run("Linear(784→1024)", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			lin.Forward(a)
			lin.Backward(g)
		}
	})
}

// BenchmarkBlock times Forward plus Backward of BatchNorm2d, ReLU and
// MaxPool2d(2) on the two blocks of the CNN of docs/cnn.md (a batch of
// 64, 32 channels of 28×28 and 64 of 14×14), as package train runs them
// without a block (each layer's pass shared between the cores on its
// own) and as one fused.Block:
//
//	go test ./layers -run '^$' -bench Block -count 5 -cpu 1,2
func BenchmarkBlock(b *testing.B) {
	for _, sh := range [][3]int{{32, 28, 28}, {64, 14, 14}} {
		rng := rngFor(uint64(sh[0]))
		x := tensor.RandNormal(rng, 0, 1, 64, sh[0], sh[1], sh[2])
		g := tensor.RandNormal(rng, 0, 1, 64, sh[0], sh[1]/2, sh[2]/2)
		bn, relu, pool := layers.NewBatchNorm2d(sh[0]), layers.NewReLU(), layers.NewMaxPool2d(2, 0)
		b.Run(fmt.Sprintf("%dx%dx%d/layers", sh[0], sh[1], sh[2]), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				h := bn.Forward(x)
				h, _ = fusedForward(relu, h)
				fusedForward(pool, h)
				d, _ := fusedBackward(pool, g)
				d, _ = fusedBackward(relu, d)
				bn.Backward(d)
			}
		})
		blk := fused.NewBlock(bn, relu, pool)
		b.Run(fmt.Sprintf("%dx%dx%d/block", sh[0], sh[1], sh[2]), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				blk.Forward(x)
				blk.Backward(g)
			}
		})
	}
}

func fusedForward(l layers.Layer, x *tensor.Tensor) (*tensor.Tensor, bool) {
	y, ok := fused.Forward(l, x)
	return y.(*tensor.Tensor), ok
}

func fusedBackward(l layers.Layer, d *tensor.Tensor) (*tensor.Tensor, bool) {
	y, ok := fused.Backward(l, d)
	return y.(*tensor.Tensor), ok
}
