// Part i: softmax cross-entropy, forward and backward, and the error rate.
//
// The last Linear layer outputs one logit zⱼ per class. Softmax turns them
// into probabilities pⱼ = exp(zⱼ) / Σₖ exp(zₖ) and cross-entropy scores the
// probability of the true class y: L = −log p_y. Averaged over a batch of B
// samples, with P the B×C probabilities and Y the one-hot labels, the gradient
// with respect to the logits is
//
//	∂L/∂Z = (P − Y) / B
//
// (derived in the documentation of package loss). The error rate is the
// fraction of samples whose largest logit is not the label. This program runs
// loss.SoftmaxCrossEntropy on 3 samples and 4 classes.
//
//	go run ./examples/parti
package main

import (
	"fmt"
	"io"
	"math"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

func main() { homework.Main("parti", run) }

// run takes no flags; it writes its answer to w.
func run(args []string, w, stderr io.Writer) error {
	if err := homework.NoFlags("parti", args, stderr); err != nil {
		return err
	}

	logits := tensor.FromData([]float64{
		2, 1, 0.1, -1, // confident in class 0, and right
		0.5, 2.5, -1, 0, // confident in class 1, but the label is 2
		0, 0, 0, 0, // no idea: uniform probabilities
	}, 3, 4)
	labels := []int{0, 2, 3}

	var ce loss.SoftmaxCrossEntropy
	mean := ce.Forward(logits, labels)
	p := ce.Probs()
	y := tensor.New(p.Shape...) // one-hot labels
	for n, c := range labels {
		y.Set(1, n, c)
	}

	fmt.Fprintln(w, "Part i: softmax cross-entropy, forward and backward")
	homework.PrintMatrix(w, "Z (logits, B×C)", logits)
	fmt.Fprintln(w, "labels y:", labels)
	homework.PrintMatrix(w, "P = softmax(Z) row by row", p)
	homework.PrintMatrix(w, "Y (one-hot labels)", y)
	fmt.Fprint(w, "per-sample loss −log p_y:")
	for _, l := range ce.Losses() {
		fmt.Fprintf(w, " %.4f", l)
	}
	fmt.Fprintf(w, "\nmean loss L = %.4f  (the uniform sample costs log 4 = %.4f)\n", mean, math.Log(4))

	homework.PrintMatrix(w, "∂L/∂Z = (P − Y)/B", ce.Backward())

	pred := loss.Predict(nil, logits)
	fmt.Fprintln(w, "predicted (arg max of each row):", pred)
	fmt.Fprintf(w, "error rate: %.4f (%d of %d wrong; ties go to the first class)\n",
		loss.ErrorRate(logits, labels), wrong(pred, labels), len(labels))
	return nil
}

// wrong counts the predictions that differ from the labels.
func wrong(pred, labels []int) int {
	n := 0
	for i := range pred {
		if pred[i] != labels[i] {
			n++
		}
	}
	return n
}
