package train

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

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
			x, y, model := epochData(sizes, n)
			var ce loss.SoftmaxCrossEntropy
			sgd := &layers.SGD{LR: 0.01}
			src := &slices{x: x, y: y, batch: batch}
			steps := newStepper(model, &ce, sgd) // Run's steps
			epoch := func() {
				for {
					xb, yb, ok := src.Next()
					if !ok {
						return
					}
					steps.step(xb, yb, sgd.LR, nil, nil)
				}
			}
			warmUp(epoch)
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

// epochData returns BenchmarkEpoch's synthetic data (n samples of 784
// values in [0, 1), random labels) and a He-initialised MLP of the sizes.
func epochData(sizes []int, n int) (*tensor.Tensor, []int, *layers.Sequential) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.RandUniform(rng, 0, 1, n, 784)
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(10)
	}
	return x, y, layers.NewMLP(sizes, layers.He, rng)
}

// BenchmarkLayerTimes is BenchmarkEpoch with a clock around each layer:
// it reports the milliseconds per epoch spent in each layer's forward pass
// ("0-fwd-ms" for layer 0), its backward pass with the fused SGD step
// ("0-bwd-ms") and the loss ("loss-ms"). Run on 1 and 2 threads, it shows
// which layers gain from the second core:
//
//	go test -run XXX -bench LayerTimes -cpu 1,2 -benchtime 3x ./train
//
// The clock adds about a microsecond per layer and step; ns/op is the
// whole epoch, clocks included. Each layer runs on the whole batch, so on
// 2 threads this is the step without the row cut of split.go, which
// BenchmarkEpoch measures.
func BenchmarkLayerTimes(b *testing.B) {
	for _, sizes := range [][]int{{784, 128, 10}, {784, 256, 128, 10}} {
		b.Run(fmt.Sprint(sizes), func(b *testing.B) {
			x, y, model := epochData(sizes, 30000)
			ls := model.Layers()
			fwd := make([]time.Duration, len(ls))
			bwd := make([]time.Duration, len(ls))
			var lossTime time.Duration
			var ce loss.SoftmaxCrossEntropy
			ins := make([]*tensor.Tensor, len(ls)) // each layer's input
			da := make([]*tensor.Tensor, len(ls))  // each Linear layer's ∂L/∂A
			src := &slices{x: x, y: y, batch: 64}
			epoch := func() {
				for {
					h, yb, ok := src.Next()
					if !ok {
						return
					}
					for i, l := range ls {
						t0 := time.Now()
						ins[i] = h
						h = l.Forward(h)
						fwd[i] += time.Since(t0)
					}
					t0 := time.Now()
					ce.Forward(h, yb)
					d := ce.Backward()
					lossTime += time.Since(t0)
					for i := len(ls) - 1; i >= 0; i-- {
						t0 := time.Now()
						if lin, ok := ls[i].(*layers.Linear); ok {
							// The fused step's work for a Linear layer.
							in := d
							if i > 0 {
								da[i] = layers.Resize(da[i], d.Rows(), lin.In())
								tensor.Gemm(false, false, 1, d, lin.W.Value, 0, da[i])
								d = da[i]
							}
							stepLinear(lin, in, ins[i], 0.01)
						} else {
							d = ls[i].Backward(d)
						}
						bwd[i] += time.Since(t0)
					}
				}
			}
			warmUp(epoch)
			clear(fwd)
			clear(bwd)
			lossTime = 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				epoch()
			}
			ms := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(b.N) }
			for i := range ls {
				b.ReportMetric(ms(fwd[i]), fmt.Sprintf("%d-fwd-ms", i))
				b.ReportMetric(ms(bwd[i]), fmt.Sprintf("%d-bwd-ms", i))
			}
			b.ReportMetric(ms(lossTime), "loss-ms")
		})
	}
}

// warmUp runs the epochs a benchmark needs before its clock starts: one
// makes the buffers; on more than one thread, three more let the pacing
// rule of package tensor finish its first probe (after 2048 shared
// products, about two epochs of 784-128-10), which runs a third of its
// products in each of its modes, the slower ones too. A long run pays that
// once; the benchmarks time the steady state.
func warmUp(epoch func()) {
	warm := 1
	if runtime.GOMAXPROCS(0) > 1 {
		warm = 4
	}
	for range warm {
		epoch()
	}
}

// BenchmarkEvaluateCNN times Evaluate on 5,000 images through the CNN of
// docs/cnn.md (random weights), as Evaluate runs it (the passes shared
// between the cores, inference) and through model.Forward layer by layer,
// as with a hook:
//
//	go test -run XXX -bench EvaluateCNN -cpu 2 -count 5 ./train
//
// ms/image is the time per image.
func BenchmarkEvaluateCNN(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	opts := layers.Conv2dOptions{Padding: 1, NoBias: true}
	model := layers.NewSequential(
		layers.NewUnflatten(1, 28, 28),
		layers.NewConv2d(1, 32, 3, opts, rng), layers.NewBatchNorm2d(32), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewConv2d(32, 64, 3, opts, rng), layers.NewBatchNorm2d(64), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewFlatten(), layers.NewLinear(3136, 128, layers.He, rng), layers.NewReLU(), layers.NewLinear(128, 10, layers.Xavier, rng),
	)
	const n = 5000
	set := &Set{X: tensor.RandUniform(rng, 0, 1, n, 784), Y: make([]int, n)}
	for _, plain := range []bool{false, true} {
		name := "shared"
		if plain {
			name = "model.Forward"
		}
		b.Run(name, func(b *testing.B) {
			inf := newInference(model, plain) // one per set, as Run keeps it
			evaluate(model, set, 0, nil, inf) // the buffers
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				evaluate(model, set, 0, nil, inf)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(n*b.N), "ms/image")
		})
	}
}
