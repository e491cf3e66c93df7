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

// Label smoothing stops the push towards ever larger logits. The network is
// already sure and right (p₀ ≈ 0.999): plain cross-entropy still asks for a
// larger logit z₀ (negative gradient), while with α = 0.1 the target for
// class 0 is only 0.9333, so the gradient pulls z₀ back down.
func ExampleSoftmaxCrossEntropy_labelSmoothing() {
	logits := tensor.FromData([]float64{8, 0, 0}, 1, 3)
	for _, a := range []float64{0, 0.1} {
		ce := loss.SoftmaxCrossEntropy{Smoothing: a}
		l := ce.Forward(logits, []int{0})
		g := ce.Backward().Data
		fmt.Printf("α = %.1f: loss %.4f, dL/dz = %7.4f %7.4f %7.4f\n", a, l, g[0], g[1], g[2])
	}
	// Output:
	// α = 0.0: loss 0.0007, dL/dz = -0.0007  0.0003  0.0003
	// α = 0.1: loss 0.5340, dL/dz =  0.0660 -0.0330 -0.0330
}

// Cross-entropy and mean squared error on a confidently wrong prediction:
// the label is class 0, the network puts 99% on class 1. Cross-entropy's
// gradient pushes the true class's logit up by almost 1; MSE's, with the
// factor p₀ of eq. MSE2, by 0.026.
func ExampleMSE() {
	logits := tensor.FromData([]float64{0, 5, 0}, 1, 3)
	labels := []int{0}
	var ce loss.SoftmaxCrossEntropy
	var mse loss.MSE
	fmt.Printf("cross-entropy %.4f, gradient %.4f\n", ce.Forward(logits, labels), ce.Backward().Data)
	fmt.Printf("MSE           %.4f, gradient %.4f\n", mse.Forward(logits, labels), mse.Backward().Data)
	// Output:
	// cross-entropy 5.0134, gradient [-0.9934 0.9867 0.0066]
	// MSE           1.9604, gradient [-0.0261 0.0388 -0.0128]
}
