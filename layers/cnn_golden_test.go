package layers

import (
	"math"
	"os"
	"testing"

	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/npy"
	"github.com/backprop-go/backprop/tensor"
)

// TestCNNMatchesPyTorch runs a whole small CNN, Conv-BN-ReLU-MaxPool twice,
// Flatten and Linear, in training mode on the first 16 FashionMNIST
// training images with PyTorch's initial weights for seed 0, and compares
// the mean cross-entropy, the logits, ∂L/∂x, every parameter's gradient and
// the running statistics after the step with PyTorch autograd in float64
// (testdata/conv/make_cnn.py, cnn.npz) to 1e-10 of each tensor's largest
// entry.
func TestCNNMatchesPyTorch(t *testing.T) {
	f, err := os.Open("testdata/conv/cnn.npz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	members, err := npy.ReadNPZ(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	arrays := map[string]*npy.Array{}
	for _, m := range members {
		arrays[m.Name] = m.Array
	}
	get := func(name string) []float64 {
		t.Helper()
		a := arrays[name]
		if a == nil {
			t.Fatalf("cnn.npz has no array %q", name)
		}
		return a.Data
	}

	rng := anyRng()
	net := NewSequential(
		NewConv2d(1, 8, 3, Conv2dOptions{Padding: 1, NoBias: true}, rng), NewBatchNorm2d(8), NewReLU(), NewMaxPool2d(2, 0),
		NewConv2d(8, 16, 3, Conv2dOptions{Padding: 1, NoBias: true}, rng), NewBatchNorm2d(16), NewReLU(), NewMaxPool2d(2, 0),
		NewFlatten(), NewLinear(784, 10, He, rng))
	for _, p := range net.Params() {
		want := get(p.Name)
		if len(want) != len(p.Value.Data) {
			t.Fatalf("%s: %d values in cnn.npz, the network has %d (shape %v)", p.Name, len(want), len(p.Value.Data), p.Value.Shape)
		}
		copy(p.Value.Data, want)
	}
	x := tensor.FromData(append([]float64(nil), get("images")...), 16, 1, 28, 28)
	for i := range x.Data {
		x.Data[i] /= 255
	}
	labels := make([]int, 16)
	for i, v := range get("labels") {
		labels[i] = int(v)
	}

	var ce loss.SoftmaxCrossEntropy
	logits := net.Forward(x)
	l := ce.Forward(logits, labels)
	dx := net.Backward(ce.Backward())

	const tol = 1e-10
	if want := get("loss")[0]; !(math.Abs(l-want) <= tol*math.Abs(want)) {
		t.Errorf("loss = %.17g, want %.17g", l, want)
	}
	closeToMax(t, "logits", logits.Data, get("logits"), tol)
	closeToMax(t, "x.grad", dx.Data, get("x.grad"), tol)
	for _, p := range net.Params() {
		closeToMax(t, p.Name+".grad", p.Grad.Data, get(p.Name+".grad"), tol)
	}
	for _, b := range net.Buffers() {
		closeToMax(t, b.Name, b.Value.Data, get(b.Name), tol)
	}
	if n := len(net.Params()) + len(net.Buffers()); n != 12 {
		t.Errorf("compared %d parameters and buffers, want 12", n)
	}
}
