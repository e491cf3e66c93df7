package data_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
)

// The homework's data pipeline: load the training set, keep a stratified
// half of it, scale pixels to [0, 1] and cut it into batches of 64.
func ExampleFashionMNIST() {
	train, err := data.FashionMNIST(true, data.Options{Download: true, Progress: os.Stderr})
	if err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	half := train.Subset(data.StratifiedSubsample(train.Labels, len(train.Classes), 0.5, rng))
	x := data.Normalize(half, data.ZeroOne) // 30000×784
	batches := data.NewLoader(x, half.IntLabels(), data.LoaderOptions{BatchSize: 64, Shuffle: true, Rng: rng})
	for {
		xb, yb, ok := batches.Next()
		if !ok {
			break // one epoch done; calling Next again starts the next one
		}
		_, _ = xb, yb // forward, backward, update...
	}
	fmt.Println(half.N, half.ClassCounts())
}

func ExampleStratifiedSubsample() {
	// Three classes of 4, 2 and 7 examples.
	labels := []uint8{0, 2, 1, 0, 2, 2, 0, 2, 1, 2, 0, 2, 2}
	keep := data.StratifiedSubsample(labels, 3, 0.5, rand.New(rand.NewPCG(1, 2)))

	counts := make([]int, 3)
	for _, i := range keep {
		counts[labels[i]]++
	}
	fmt.Println("kept", len(keep), "of", len(labels))
	fmt.Println("per class", counts) // round(0.5*n): 2 of 4, 1 of 2, 4 of 7 (3.5 rounds up)
	// Output:
	// kept 7 of 13
	// per class [2 1 4]
}

func ExampleNormalize() {
	d := &data.Dataset{N: 1, Rows: 1, Cols: 4, Images: []uint8{0, 51, 204, 255}}
	fmt.Println(data.Normalize(d, data.ZeroOne))
	fmt.Println(data.Normalize(d, data.MinusOneOne))
	// Output:
	// [[0 0.2 0.8 1]]
	// [[-1 -0.6 0.6 1]]
}

func ExampleNewLoader() {
	// Ten examples of two features: row i is [i, 10*i].
	x := tensor.New(10, 2)
	labels := make([]int, 10)
	for i := range 10 {
		x.Set(float64(i), i, 0)
		x.Set(float64(10*i), i, 1)
		labels[i] = i % 3
	}
	l := data.NewLoader(x, labels, data.LoaderOptions{BatchSize: 4})
	fmt.Println(l.NumBatches(), "batches per epoch")
	for {
		xb, yb, ok := l.Next()
		if !ok {
			break
		}
		fmt.Println(xb.Shape, yb, xb.Row(0))
	}
	fmt.Println("epochs done:", l.Epoch())
	// Output:
	// 3 batches per epoch
	// [4 2] [0 1 2 0] [0 0]
	// [4 2] [1 2 0 1] [4 40]
	// [2 2] [2 0] [8 80]
	// epochs done: 1
}
