package train

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// BenchmarkEpoch times one epoch of the homework's training: 30,000 samples
// of 784 inputs, batch 64, forward, loss, backward and SGD step, taken as
// Run takes them (fused into the backward pass). Run it with
//
//	go test -run XXX -bench Epoch -benchmem ./train
//
// ns/op is the time of one epoch; allocs/op should be 0.
func BenchmarkEpoch(b *testing.B) {
	for _, sizes := range [][]int{{784, 128, 10}, {784, 256, 128, 10}} {
		b.Run(fmt.Sprint(sizes), func(b *testing.B) {
			const n, batch = 30000, 64
			rng := rand.New(rand.NewPCG(1, 2))
			x := tensor.RandUniform(rng, 0, 1, n, 784)
			y := make([]int, n)
			for i := range y {
				y[i] = rng.IntN(10)
			}
			model := layers.NewMLP(sizes, layers.He, rng)
			var ce loss.SoftmaxCrossEntropy
			sgd := &layers.SGD{LR: 0.01}
			src := &slices{x: x, y: y, batch: batch}
			steps := newStepper(model, sgd) // Run's steps
			epoch := func() {
				for {
					xb, yb, ok := src.Next()
					if !ok {
						return
					}
					steps.step(&ce, xb, yb, sgd.LR)
				}
			}
			epoch() // make the buffers
			// 2 flops per multiply-add; three products per Linear layer
			// (forward, weight gradient, input gradient), less the first
			// layer's input gradient, which Step skips.
			macs := -float64(sizes[0] * sizes[1])
			for i := 0; i+1 < len(sizes); i++ {
				macs += 3 * float64(sizes[i]*sizes[i+1])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				epoch()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(2*macs*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
