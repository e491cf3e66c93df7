package train

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// TestRunAnyLoss trains with loss.MSE through Config.Loss: the training
// loss falls and the network does better than chance (MSE learns slowly:
// see package loss); label smoothing with a loss
// of one's own is refused.
func TestRunAnyLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x, y := blobs(rng, 600, 10, 3)
	model := layers.NewMLP([]int{10, 16, 3}, layers.He, rng)
	h, err := Run(model, &slices{x: x, y: y, batch: 32}, &Set{X: x, Y: y}, Config{LR: 0.5, Epochs: 5, Loss: &loss.MSE{}})
	if err != nil {
		t.Fatal(err)
	}
	first, last := h.Train[0].Loss, h.Train[len(h.Train)-1].Loss
	if !(last < first/2) {
		t.Errorf("MSE: training loss %v at the start, %v at the end", first, last)
	}
	if e := h.Val[len(h.Val)-1].Error; !(e < 0.5) { // chance is 2/3
		t.Errorf("MSE: validation error %v after 5 epochs of blobs", e)
	}
	_, err = Run(model, &slices{x: x, y: y, batch: 32}, nil, Config{LR: 0.1, Epochs: 1, Loss: &loss.MSE{}, LabelSmoothing: 0.1})
	if err == nil || !strings.Contains(err.Error(), "label smoothing 0.1 is for the default loss") {
		t.Errorf("label smoothing with Config.Loss: error %v", err)
	}
}

// TestHistoryString checks that a History prints as one line.
func TestHistoryString(t *testing.T) {
	h := &History{Train: make([]Point, 5000), Val: []Point{{Update: 5000, Loss: 0.25, Error: 0.125}}}
	want := "5000 updates, validation loss 0.2500, error 12.50% (accuracy 87.50%)"
	if got := h.String(); got != want {
		t.Errorf("History prints as %q, want %q", got, want)
	}
}

// TestRunBatchNormOneSample checks that a model with batch norm trains on
// batches whose last one holds one sample (it is left out), and that
// batches of one sample each give a clear error, not a panic.
func TestRunBatchNormOneSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x, y := blobs(rng, 65, 6, 2) // 64 + 1: the last batch of 8 holds one
	model := func() *layers.Sequential {
		return layers.NewSequential(layers.NewLinear(6, 8, layers.He, rng), layers.NewBatchNorm1d(8), layers.NewReLU(), layers.NewLinear(8, 2, layers.He, rng))
	}
	h, err := Run(model(), &slices{x: x, y: y, batch: 8}, nil, Config{LR: 0.1, Epochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	// 3 × 9 updates; the batch of one is left out in each epoch, so the
	// run takes 3 updates of a fourth.
	if n, last := len(h.Train), h.Train[len(h.Train)-1]; n != 27 || last.Epoch != 4 {
		t.Fatalf("%d updates, the last in epoch %d; want 27, in epoch 4", n, last.Epoch)
	}
	_, err = Run(model(), &slices{x: x, y: y, batch: 1}, nil, Config{LR: 0.1, Epochs: 1})
	if err == nil || !strings.Contains(err.Error(), "batch norm (layers.BatchNorm1d), which needs at least 2 samples per training batch") {
		t.Errorf("batches of one sample: error %v", err)
	}
	// Without batch norm, a batch of one trains as any other.
	if _, err := Run(layers.NewMLP([]int{6, 4, 2}, layers.He, rng), &slices{x: x, y: y, batch: 1}, nil, Config{LR: 0.1, Updates: 10}); err != nil {
		t.Errorf("an MLP on batches of one: %v", err)
	}
}

// narrowGrad is a layer of a student's own whose Backward returns a
// gradient one column too narrow.
type narrowGrad struct{ d *tensor.Tensor }

func (n *narrowGrad) Forward(x *tensor.Tensor) *tensor.Tensor { return x }
func (n *narrowGrad) Backward(d *tensor.Tensor) *tensor.Tensor {
	n.d = tensor.Resize(n.d, d.Rows(), d.Cols()-1)
	return n.d
}
func (n *narrowGrad) Params() []*layers.Param { return nil }

// TestRunNamesCustomLayer: Run trains a network holding a layer of the
// student's own through Sequential's Forward and Backward, which name that
// layer when its gradient has the wrong shape.
func TestRunNamesCustomLayer(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x, y := blobs(rng, 64, 6, 2)
	model := layers.NewSequential(layers.NewLinear(6, 8, layers.He, rng), &narrowGrad{}, layers.NewLinear(8, 2, layers.He, rng))
	defer func() {
		if msg := fmt.Sprint(recover()); !strings.Contains(msg, "layer 1 (*train.narrowGrad) returned a gradient of shape [16 7] with respect to its input, want [16 8]") {
			t.Errorf("panic %q", msg)
		}
	}()
	Run(model, &slices{x: x, y: y, batch: 16}, nil, Config{LR: 0.1, Epochs: 1})
}
