package layers_test

import (
	"fmt"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// BenchmarkConv2d times Forward plus Backward of a convolution with 3×3
// filters and padding 1 on a batch of 64: the first layer of a small CNN
// on 28×28 images (1→32 channels) and a second one on the pooled 14×14
// maps (32→64), with and without ∂L/∂X (BackwardParams, for a first
// layer). GFLOPS counts the three products, 2·F·K·N·H′·W′ flops each
// (two without ∂L/∂X), not the copies:
//
//	go test ./layers -run '^$' -bench Conv2d -count 5
func BenchmarkConv2d(b *testing.B) {
	for _, bc := range []struct {
		name    string
		c, f, h int
		input   bool
	}{
		{"1→32_28x28", 1, 32, 28, true},
		{"1→32_28x28_params", 1, 32, 28, false},
		{"32→64_14x14", 32, 64, 14, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const n = 64
			rng := rngFor(1)
			conv := layers.NewConv2d(bc.c, bc.f, 3, layers.Conv2dOptions{Padding: 1}, rng)
			x := tensor.RandNormal(rng, 0, 1, n, bc.c, bc.h, bc.h)
			g := tensor.RandNormal(rng, 0, 1, n, bc.f, bc.h, bc.h)
			products := 2
			if bc.input {
				products = 3
			}
			flops := float64(products) * 2 * float64(bc.f*bc.c*9*n*bc.h*bc.h)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				conv.Forward(x)
				if bc.input {
					conv.Backward(g)
				} else {
					conv.BackwardParams(g)
				}
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// BenchmarkConvLayers times Forward plus Backward of the other layers of a
// convolutional network on the output of the first convolution above, a
// batch of 64 maps of 32 channels, 28×28:
//
//	go test ./layers -run '^$' -bench ConvLayers -count 5
func BenchmarkConvLayers(b *testing.B) {
	rng := rngFor(1)
	x := tensor.RandNormal(rng, 0, 1, 64, 32, 28, 28)
	for _, l := range []layers.Layer{
		layers.NewBatchNorm2d(32), layers.NewReLU(), layers.NewMaxPool2d(2, 0), layers.NewAvgPool2d(2, 0), layers.NewGlobalAvgPool2d(),
	} {
		g := tensor.RandNormal(rng, 0, 1, l.Forward(x).Shape...)
		b.Run(fmt.Sprint(l), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				l.Forward(x)
				l.Backward(g)
			}
		})
	}
}
