package layers_test

import (
	"fmt"
	"testing"

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
