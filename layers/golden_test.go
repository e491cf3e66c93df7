package layers

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// goldenStep is one forward and backward pass of a fixture: the input,
// ∂L/∂output, and PyTorch's output and gradients.
type goldenStep struct {
	X, Dout, Y, Dx []float64
	DWeight        []float64 `json:"dweight"`
	DBias          []float64 `json:"dbias"`
	RunningMean    []float64 `json:"running_mean"`
	RunningVar     []float64 `json:"running_var"`
}

// goldenCase is one layer of testdata/conv/golden.json, made by make.py
// there with PyTorch in float64.
type goldenCase struct {
	Layer            string
	N, C, H, W, F, K int
	Stride, Padding  int
	Bias             bool
	Weight, B        []float64
	goldenStep
	Train []goldenStep
	Eval  goldenStep
}

func readGolden(t *testing.T) []goldenCase {
	t.Helper()
	data, err := os.ReadFile("testdata/conv/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Torch string
		Cases []goldenCase
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 20 {
		t.Fatalf("golden.json has %d cases, want 20", len(g.Cases))
	}
	return g.Cases
}

// TestConvGolden compares every layer's output and gradients on fixed inputs
// with PyTorch's (float64, testdata/conv/make.py) to 1e-12 of the largest
// entry: convolutions of every stride, padding and kernel size, max
// pooling with ties, average and global average pooling, and two training
// steps and an evaluation of BatchNorm2d with its running statistics.
func TestConvGolden(t *testing.T) {
	const tol = 1e-12
	seen := map[string]int{}
	for i, gc := range readGolden(t) {
		name := fmt.Sprintf("%d_%s", i, gc.Layer)
		seen[gc.Layer]++
		t.Run(name, func(t *testing.T) {
			var l Layer
			switch gc.Layer {
			case "Conv2d":
				conv := NewConv2d(gc.C, gc.F, gc.K, Conv2dOptions{Stride: gc.Stride, Padding: gc.Padding, NoBias: !gc.Bias}, anyRng())
				copy(conv.W.Value.Data, gc.Weight)
				if gc.Bias {
					copy(conv.B.Value.Data, gc.B)
				}
				l = conv
			case "MaxPool2d":
				l = NewMaxPool2d(gc.K, gc.Stride)
			case "AvgPool2d":
				l = NewAvgPool2d(gc.K, gc.Stride)
			case "GlobalAvgPool2d":
				l = NewGlobalAvgPool2d()
			case "BatchNorm2d":
				goldenBatchNorm(t, gc, tol)
				return
			default:
				t.Fatalf("unknown layer %q", gc.Layer)
			}
			y := l.Forward(tensor.FromData(gc.X, gc.N, gc.C, gc.H, gc.W))
			closeToMax(t, "y", y.Data, gc.Y, tol)
			dx := l.Backward(tensor.FromData(gc.Dout, y.Shape...))
			closeToMax(t, "dx", dx.Data, gc.Dx, tol)
			if conv, ok := l.(*Conv2d); ok {
				closeToMax(t, "dweight", conv.W.Grad.Data, gc.DWeight, tol)
				if gc.Bias {
					closeToMax(t, "dbias", conv.B.Grad.Data, gc.DBias, tol)
				}
			}
		})
	}
	if seen["Conv2d"] < 8 || seen["MaxPool2d"] < 6 || seen["BatchNorm2d"] < 3 {
		t.Errorf("golden.json covers %v", seen)
	}
}

// nil4rng returns a generator for a layer whose weights are overwritten.
func anyRng() *rand.Rand { return rand.New(rand.NewPCG(0, 0)) }

// goldenBatchNorm runs a BatchNorm2d fixture: two training steps, each
// compared with its running statistics, then evaluation mode.
func goldenBatchNorm(t *testing.T, gc goldenCase, tol float64) {
	bn := NewBatchNorm2d(gc.C)
	copy(bn.Weight.Value.Data, gc.Weight)
	copy(bn.Bias.Value.Data, gc.B)
	steps := append(gc.Train, gc.Eval)
	for i, st := range steps {
		if i == len(gc.Train) {
			bn.SetTraining(false)
		}
		what := fmt.Sprintf("step %d (training %v): ", i, bn.Training())
		clear(bn.Weight.Grad.Data)
		clear(bn.Bias.Grad.Data)
		y := bn.Forward(tensor.FromData(st.X, gc.N, gc.C, gc.H, gc.W))
		closeToMax(t, what+"y", y.Data, st.Y, tol)
		dx := bn.Backward(tensor.FromData(st.Dout, y.Shape...))
		closeToMax(t, what+"dx", dx.Data, st.Dx, tol)
		closeToMax(t, what+"dweight", bn.Weight.Grad.Data, st.DWeight, tol)
		closeToMax(t, what+"dbias", bn.Bias.Grad.Data, st.DBias, tol)
		if st.RunningMean != nil {
			closeToMax(t, what+"running_mean", bn.RunningMean.Data, st.RunningMean, tol)
			closeToMax(t, what+"running_var", bn.RunningVar.Data, st.RunningVar, tol)
		}
	}
	if bn.NumBatchesTracked != int64(len(gc.Train)) {
		t.Errorf("NumBatchesTracked = %d, want %d", bn.NumBatchesTracked, len(gc.Train))
	}
}
