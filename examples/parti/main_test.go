package main

import (
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

func TestRun(t *testing.T) {
	exampletest.Contains(t, exampletest.Run(t, run),
		"   0.2500   0.2500   0.2500   0.2500\n", // softmax of equal logits
		"per-sample loss −log p_y: 0.4493 3.7212 1.3863\n",
		"mean loss L = 1.8523",
		// (P − Y)/3 for the uniform sample: 0.25/3 and (0.25 − 1)/3.
		"   0.0833   0.0833   0.0833  -0.2500\n",
		"predicted (arg max of each row): [0 1 0]\n",
		"error rate: 0.6667 (2 of 3 wrong",
	)
}
