package layers_test

import (
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// Inverted dropout with p = 0.5: in training mode about half of the
// entries are zeroed and the others doubled, so the expected value is
// unchanged; in evaluation mode the layer passes its input through.
func ExampleDropout() {
	d := layers.NewDropout(0.5, rand.New(rand.NewPCG(1, 1)))
	x := tensor.New(2, 6)
	x.Fill(1)
	printMatrix("training", d.Forward(x))
	d.SetTraining(false)
	printMatrix("evaluation", d.Forward(x))
	// Output:
	// training =
	//    0.0000   2.0000   2.0000   2.0000   0.0000   2.0000
	//    2.0000   2.0000   2.0000   0.0000   0.0000   0.0000
	// evaluation =
	//    1.0000   1.0000   1.0000   1.0000   1.0000   1.0000
	//    1.0000   1.0000   1.0000   1.0000   1.0000   1.0000
}

// Batch normalisation of two features on a batch of four samples. In
// training mode each column comes out with mean 0 and variance 1 (then
// γ = 1, β = 0 leave it so), and the running statistics move a tenth of the
// way from (0, 1) towards the batch's mean and unbiased variance. In
// evaluation mode the running statistics are used, so the same batch is
// only partly normalised.
func ExampleBatchNorm1d() {
	bn := layers.NewBatchNorm1d(2)
	x := tensor.FromData([]float64{
		1, 10,
		2, 20,
		3, 30,
		4, 40,
	}, 4, 2)
	printMatrix("training", bn.Forward(x))
	printMatrix("running mean", bn.RunningMean)
	printMatrix("running var", bn.RunningVar)
	bn.SetTraining(false)
	printMatrix("evaluation", bn.Forward(x))
	// Output:
	// training =
	//   -1.3416  -1.3416
	//   -0.4472  -0.4472
	//    0.4472   0.4472
	//    1.3416   1.3416
	// running mean =
	//    0.2500   2.5000
	// running var =
	//    1.0667  17.5667
	// evaluation =
	//    0.7262   1.7894
	//    1.6944   4.1754
	//    2.6627   6.5613
	//    3.6309   8.9472
}
