package loss_test

import (
	"fmt"

	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

func printMatrix(name string, t *tensor.Tensor) {
	fmt.Printf("%s =\n", name)
	for i := 0; i < t.Rows(); i++ {
		for _, v := range t.Row(i) {
			fmt.Printf(" %8.4f", v)
		}
		fmt.Println()
	}
}

// Softmax cross-entropy on a batch of two samples with three classes: the
// probabilities, the per-sample and mean loss, and the gradient (P − Y)/B.
func ExampleSoftmaxCrossEntropy() {
	logits := tensor.FromData([]float64{
		2, 1, 0.1, // confident in class 0, and right
		0.5, 2.5, -1, // confident in class 1, but the label is 2
	}, 2, 3)
	labels := []int{0, 2}

	var ce loss.SoftmaxCrossEntropy
	mean := ce.Forward(logits, labels)
	printMatrix("P", ce.Probs())
	fmt.Printf("per-sample losses: %.4f %.4f\n", ce.Losses()[0], ce.Losses()[1])
	fmt.Printf("mean loss: %.4f\n", mean)
	printMatrix("dL/dz = (P - Y)/B", ce.Backward())
	fmt.Printf("error rate: %.2f\n", loss.ErrorRate(logits, labels))
	// Output:
	// P =
	//    0.6590   0.2424   0.0986
	//    0.1161   0.8580   0.0259
	// per-sample losses: 0.4170 3.6532
	// mean loss: 2.0351
	// dL/dz = (P - Y)/B =
	//   -0.1705   0.1212   0.0493
	//    0.0581   0.4290  -0.4870
	// error rate: 0.50
}

// Even absurdly large logits give a finite loss, thanks to log-sum-exp.
func ExampleSoftmaxCrossEntropy_largeLogits() {
	logits := tensor.FromData([]float64{1e4, -1e4, 0}, 1, 3)
	var ce loss.SoftmaxCrossEntropy
	fmt.Printf("label 0: %.4f\n", ce.Forward(logits, []int{0}))
	fmt.Printf("label 1: %.4f\n", ce.Forward(logits, []int{1}))
	// Output:
	// label 0: 0.0000
	// label 1: 20000.0000
}

// Chaining the stand-alone Softmax and CrossEntropy backward passes gives
// the same gradient as the fused loss: p − y, divided by the batch size.
func ExampleSoftmax() {
	z := tensor.FromData([]float64{1, 2, 3}, 1, 3)
	labels := []int{1}

	var sm loss.Softmax
	var ce loss.CrossEntropy
	ce.Forward(sm.Forward(z), labels)
	printMatrix("chained", sm.Backward(ce.Backward()))

	var fused loss.SoftmaxCrossEntropy
	fused.Forward(z, labels)
	printMatrix("fused", fused.Backward())
	// Output:
	// chained =
	//    0.0900  -0.7553   0.6652
	// fused =
	//    0.0900  -0.7553   0.6652
}
