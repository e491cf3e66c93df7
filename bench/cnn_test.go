package bench

import (
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// cnn-s is the benchmark CNN of cnn.sh, the same in every contender
// (cnn_ref.py builds it in PyTorch and in numpy):
//
//	Conv2d(1→32, 3×3, padding 1) – BatchNorm2d(32) – ReLU – MaxPool2d(2)   28×28 → 14×14
//	Conv2d(32→64, 3×3, padding 1) – BatchNorm2d(64) – ReLU – MaxPool2d(2)  14×14 → 7×7
//	Flatten – Linear(3136→128) – ReLU – Linear(128→10)
//
// trained with the softmax cross-entropy and plain SGD (learning rate
// 0.01) on batches of 64, in float64.
func cnnS(rng *rand.Rand) *layers.Sequential {
	return layers.NewSequential(
		layers.NewConv2d(1, 32, 3, layers.Conv2dOptions{Padding: 1}, rng),
		layers.NewBatchNorm2d(32), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewConv2d(32, 64, 3, layers.Conv2dOptions{Padding: 1}, rng),
		layers.NewBatchNorm2d(64), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewFlatten(),
		layers.NewLinear(64*7*7, 128, layers.He, rng), layers.NewReLU(),
		layers.NewLinear(128, 10, layers.He, rng),
	)
}

// cnnSFlops is the number of floating-point operations of one training
// epoch of cnn-s on n images, counting the products only (2 per
// multiply-add): each Conv2d and Linear layer does three products of its
// forward size (forward, weight gradient, input gradient), less the first
// convolution's input gradient, which no contender computes (the data
// needs none). BatchNorm, ReLU, pooling, the loss and the SGD step are a
// few percent and are not counted. cnn_ref.py has the same formula.
func cnnSFlops(n int) float64 {
	conv1 := 32 * 1 * 9 * 28 * 28 // multiply-adds per image
	conv2 := 64 * 32 * 9 * 14 * 14
	lin := 3136*128 + 128*10
	return 2 * float64(n) * float64(3*(conv1+conv2+lin)-conv1)
}

// batchList serves fixed batches in order, one epoch per pass.
type batchList struct {
	x    []*tensor.Tensor
	y    [][]int
	next int
}

func (b *batchList) NumBatches() int { return len(b.x) }

func (b *batchList) Next() (*tensor.Tensor, []int, bool) {
	if b.next == len(b.x) {
		b.next = 0
		return nil, nil, false
	}
	b.next++
	return b.x[b.next-1], b.y[b.next-1], true
}

// cnnData returns n synthetic images (uniform in [0, 1), random labels) in
// batches of 64, the last one smaller: the timing does not depend on the
// values.
func cnnData(n int) *batchList {
	const batch = 64
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.RandUniform(rng, 0, 1, n, 1, 28, 28)
	b := &batchList{}
	for i := 0; i < n; i += batch {
		m := min(batch, n-i)
		b.x = append(b.x, &tensor.Tensor{Data: x.Data[i*784 : (i+m)*784], Shape: []int{m, 1, 28, 28}})
		y := make([]int, m)
		for j := range y {
			y[j] = rng.IntN(10)
		}
		b.y = append(b.y, y)
	}
	return b
}

// cnnImages is the number of images BenchmarkCNNEpoch trains on; its
// "s/epoch" metric scales the time to 30,000.
var cnnImages = flag.Int("cnnimages", 30000, "images per timed pass of BenchmarkCNNEpoch")

// BenchmarkCNNEpoch times one training epoch of cnn-s (see cnnS) on 30,000
// synthetic 28×28 images, batch 64, plain SGD, through train.Run as a
// program would train it:
//
//	go test -run XXX -bench CNNEpoch -benchtime 2x -cpu 2 [-cnnimages 30000]
//
// ns/op is the time of one pass over the -cnnimages images, s/epoch that
// time scaled to 30,000 images; GFLOPS counts the products (cnnSFlops).
func BenchmarkCNNEpoch(b *testing.B) {
	n := *cnnImages
	data := cnnData(n)
	model := cnnS(rand.New(rand.NewPCG(3, 4)))
	epoch := func() {
		if _, err := train.Run(model, data, nil, train.Config{LR: 0.01, Epochs: 1}); err != nil {
			b.Fatal(err)
		}
	}
	warm := &batchList{x: data.x[:4], y: data.y[:4]} // buffers and first (unfused) step
	if _, err := train.Run(model, warm, nil, train.Config{LR: 0.01, Epochs: 1}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		epoch()
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec*30000/float64(n), "s/epoch")
	b.ReportMetric(cnnSFlops(n)/sec/1e9, "GFLOPS")
}

// BenchmarkCNNConv2 times Forward plus Backward of cnn-s's second
// convolution alone (32→64 channels, 3×3, padding 1, on a batch of 64
// 14×14 maps), the layer that does 85% of the network's products:
//
//	go test -run XXX -bench CNNConv2 -cpu 2
//
// GFLOPS counts its three products.
func BenchmarkCNNConv2(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	conv := layers.NewConv2d(32, 64, 3, layers.Conv2dOptions{Padding: 1}, rng)
	x := tensor.RandNormal(rng, 0, 1, 64, 32, 14, 14)
	g := tensor.RandNormal(rng, 0, 1, 64, 64, 14, 14)
	conv.Forward(x)
	conv.Backward(g)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		conv.Forward(x)
		conv.Backward(g)
	}
	flops := 3 * 2 * float64(64*32*9*64*14*14)
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}
