package layers_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// convCase is one configuration of a convolution: a batch of n images of
// c channels, h×w pixels, f filters of k×k, stride s, padding p.
type convCase struct {
	n, c, h, w, f, k, s, p int
	noBias                 bool
}

func (cc convCase) String() string {
	return fmt.Sprintf("N%d_C%d_%dx%d_F%d_k%d_s%d_p%d_nobias%v", cc.n, cc.c, cc.h, cc.w, cc.f, cc.k, cc.s, cc.p, cc.noBias)
}

// convCases covers strides 1 and 2, paddings 0, 1 and 2, kernels 1, 3 and
// 5, sizes that the stride does not divide, batches of 1 and odd sizes,
// one channel and three, with and without bias.
var convCases = []convCase{
	{n: 1, c: 1, h: 5, w: 5, f: 1, k: 3, s: 1, p: 0},
	{n: 2, c: 3, h: 7, w: 6, f: 4, k: 3, s: 1, p: 1},
	{n: 3, c: 1, h: 8, w: 9, f: 2, k: 3, s: 2, p: 1},
	{n: 1, c: 3, h: 6, w: 7, f: 2, k: 5, s: 1, p: 2},
	{n: 3, c: 2, h: 9, w: 7, f: 3, k: 5, s: 2, p: 2},
	{n: 2, c: 3, h: 4, w: 5, f: 3, k: 1, s: 1, p: 0},
	{n: 1, c: 2, h: 5, w: 6, f: 2, k: 1, s: 2, p: 1},
	{n: 3, c: 3, h: 7, w: 7, f: 2, k: 3, s: 2, p: 0, noBias: true},
	{n: 5, c: 1, h: 3, w: 4, f: 3, k: 5, s: 1, p: 2},
	{n: 1, c: 3, h: 10, w: 11, f: 5, k: 3, s: 2, p: 2, noBias: true},
}

func (cc convCase) layer(seed uint64) (*layers.Conv2d, *tensor.Tensor) {
	rng := rngFor(seed)
	conv := layers.NewConv2d(cc.c, cc.f, cc.k, layers.Conv2dOptions{Stride: cc.s, Padding: cc.p, NoBias: cc.noBias}, rng)
	if conv.B != nil {
		for i := range conv.B.Value.Data {
			conv.B.Value.Data[i] = rng.NormFloat64()
		}
	}
	return conv, tensor.RandNormal(rng, 0, 1, cc.n, cc.c, cc.h, cc.w)
}

// TestConv2dGradcheck checks ∂L/∂X, ∂L/∂W and ∂L/∂b of every configuration
// against central differences. The convolution is linear in each of
// them, so the difference has no truncation error whatever the step, and
// a step of 1 shrinks its rounding error (about u·|L|/ε) to nothing: with
// the default 1e-4, entries of ∂L/∂X near 1e-4 measured up to 7.5e-8.
func TestConv2dGradcheck(t *testing.T) {
	for i, cc := range convCases {
		t.Run(cc.String(), func(t *testing.T) {
			conv, x := cc.layer(uint64(i + 1))
			rep := gradcheck.Layer(conv, x, gradcheck.Options{Seed: uint64(i), Eps: 1})
			if !rep.OK(1e-8) {
				t.Errorf("%v fails the gradient check:\n%v", conv, rep)
			}
			if want := 2 + btoi(!cc.noBias); len(rep.Tensors) != want {
				t.Errorf("checked %d tensors, want %d", len(rep.Tensors), want)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestConv2dShapes: the output size is ⌊(H + 2p − k)/s⌋ + 1, and bad
// shapes panic with a message naming them.
func TestConv2dShapes(t *testing.T) {
	conv := layers.NewConv2d(3, 4, 3, layers.Conv2dOptions{Stride: 2, Padding: 1}, rngFor(1))
	y := conv.Forward(tensor.New(2, 3, 8, 7))
	if want := []int{2, 4, 4, 4}; !y.SameShape(tensor.New(want...)) {
		t.Errorf("output shape %v, want %v", y.Shape, want)
	}
	if s := conv.String(); s != "Conv2d(3→4, 3×3, stride 2, padding 1)" {
		t.Errorf("String() = %q", s)
	}
	mustPanicWith(t, "Conv2d.Forward: input has shape [2 2 8 7], want [batch 3 height width]", func() { conv.Forward(tensor.New(2, 2, 8, 7)) })
	mustPanicWith(t, "want [batch 3 height width]", func() { conv.Forward(tensor.New(2, 3*8*7)) })
	mustPanicWith(t, "smaller than the 5×5 kernel", func() {
		layers.NewConv2d(1, 1, 5, layers.Conv2dOptions{}, rngFor(1)).Forward(tensor.New(1, 1, 4, 9))
	})
	mustPanicWith(t, "gradient has shape [2 4 4 3], output had shape [2 4 4 4]", func() { conv.Backward(tensor.New(2, 4, 4, 3)) })
	mustPanicWith(t, "Backward called before Forward", func() {
		layers.NewConv2d(1, 1, 1, layers.Conv2dOptions{}, rngFor(1)).Backward(tensor.New(1, 1, 1, 1))
	})
	mustPanicWith(t, "NewConv2d: channels and kernel size must be positive", func() { layers.NewConv2d(1, 0, 3, layers.Conv2dOptions{}, rngFor(1)) })
	mustPanicWith(t, "stride and padding not negative", func() { layers.NewConv2d(1, 1, 3, layers.Conv2dOptions{Padding: -1}, rngFor(1)) })
}

// TestConv2dBackwardParams: BackwardParams adds the same parameter
// gradients as Backward.
func TestConv2dBackwardParams(t *testing.T) {
	cc := convCases[4]
	a, x := cc.layer(7)
	b, _ := cc.layer(7)
	g := tensor.RandNormal(rngFor(8), 0, 1, a.Forward(x).Shape...)
	a.Backward(g)
	b.Forward(x)
	b.BackwardParams(g)
	for i, p := range a.Params() {
		near(t, p.Name, b.Params()[i].Grad.Data, p.Grad.Data, 0)
	}
}

// TestPoolGradcheck checks the pooling layers on random inputs (no ties)
// with overlapping, non-overlapping and uneven windows.
func TestPoolGradcheck(t *testing.T) {
	x := tensor.RandNormal(rngFor(3), 0, 1, 3, 2, 7, 6)
	for _, l := range []layers.Layer{
		layers.NewMaxPool2d(2, 0), layers.NewMaxPool2d(3, 2), layers.NewMaxPool2d(3, 1), layers.NewMaxPool2d(1, 2),
		layers.NewAvgPool2d(2, 0), layers.NewAvgPool2d(3, 2), layers.NewAvgPool2d(3, 1),
		layers.NewGlobalAvgPool2d(),
	} {
		if rep := gradcheck.Layer(l, x, gradcheck.Options{Seed: 1}); !rep.OK(1e-8) {
			t.Errorf("%v fails the gradient check:\n%v", l, rep)
		}
	}
}

// TestMaxPoolTies: when entries of a window tie for the maximum, the
// first in row-major order gets the gradient (PyTorch's rule), and
// overlapping windows add up at an entry that is the maximum of both.
func TestMaxPoolTies(t *testing.T) {
	x := tensor.FromData([]float64{
		1, 3, 3, 0,
		3, 2, 3, 1,
		0, 0, 5, 5,
		0, 0, 5, 5,
	}, 1, 1, 4, 4)
	p := layers.NewMaxPool2d(2, 2)
	near(t, "y", p.Forward(x).Data, []float64{3, 3, 0, 5}, 0)
	dx := p.Backward(tensor.FromData([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	near(t, "dx", dx.Data, []float64{
		0, 1, 2, 0, // window (0,0): 3 at (0,1) before (1,0); (0,1): 3 at (0,2) before (1,2)
		0, 0, 0, 0,
		3, 0, 4, 0, // all-zero window: its first entry; all-5 window: its first entry
		0, 0, 0, 0,
	}, 0)
	// Overlapping 2×2 windows with stride 1: the centre 9 is the maximum of
	// all four and collects all four gradients.
	x = tensor.FromData([]float64{1, 1, 1, 1, 9, 1, 1, 1, 1}, 1, 1, 3, 3)
	p = layers.NewMaxPool2d(2, 1)
	p.Forward(x)
	dx = p.Backward(tensor.FromData([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	near(t, "overlapping dx", dx.Data, []float64{0, 0, 0, 0, 10, 0, 0, 0, 0}, 0)
	if s := p.String(); s != "MaxPool2d(2×2, stride 1)" {
		t.Errorf("String() = %q", s)
	}
	mustPanicWith(t, "smaller than the 2×2 window", func() { p.Forward(tensor.New(1, 1, 1, 5)) })
}

// TestBatchNorm2dGradcheck checks BN7 with M = N·H·W in training mode and
// the affine map in evaluation mode, with the Richardson difference (batch
// norm is smooth).
func TestBatchNorm2dGradcheck(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		for _, training := range []bool{true, false} {
			rng := rngFor(seed)
			bn := layers.NewBatchNorm2d(3)
			for i := range 3 {
				bn.Weight.Value.Data[i] = rng.NormFloat64()
				bn.Bias.Value.Data[i] = rng.NormFloat64()
				bn.RunningMean.Data[i] = rng.NormFloat64()
				bn.RunningVar.Data[i] = 0.5 + rng.Float64()
			}
			bn.SetTraining(training)
			x := tensor.RandNormal(rng, 1, 2, 2, 3, 3, 2)
			rep := gradcheck.Layer(bn, x, gradcheck.Options{Seed: seed, Richardson: true})
			if !rep.OK(1e-8) {
				t.Errorf("training=%v: BatchNorm2d fails the gradient check:\n%v", training, rep)
			}
		}
	}
	mustPanicWith(t, "at least 2 values per channel", func() { layers.NewBatchNorm2d(2).Forward(tensor.New(1, 2, 1, 1)) })
}

// TestConv2dWorkedExample runs the example of the package documentation
// ("Convolutional networks"), small enough to check by hand.
func TestConv2dWorkedExample(t *testing.T) {
	conv := layers.NewConv2d(1, 1, 2, layers.Conv2dOptions{}, rngFor(1))
	copy(conv.W.Value.Data, []float64{1, 0, -1, 2})
	conv.B.Value.Data[0] = 1
	x := tensor.FromData([]float64{1, 2, 0, 0, 1, 3, 2, 1, 0}, 1, 1, 3, 3)
	near(t, "Y", conv.Forward(x).Data, []float64{4, 8, 1, 1}, 0)
	dx := conv.Backward(tensor.FromData([]float64{1, 0, 2, -1}, 1, 1, 2, 2))
	near(t, "∂L/∂b", conv.B.Grad.Data, []float64{2}, 0)
	near(t, "∂L/∂W", conv.W.Grad.Data, []float64{0, 1, 3, 3}, 0)
	near(t, "∂L/∂X", dx.Data, []float64{1, 0, 0, 1, 1, 0, -2, 5, -2}, 0)
}

// TestCNNStepAllocs: a training step of a small convolutional network
// with every layer of this file (forward, loss, backward, SGD step)
// allocates nothing once the buffers exist, also after a smaller last
// batch.
func TestCNNStepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	rng := rngFor(5)
	model := layers.NewSequential(
		layers.NewConv2d(1, 4, 3, layers.Conv2dOptions{Padding: 1}, rng), layers.NewBatchNorm2d(4), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
		layers.NewConv2d(4, 8, 3, layers.Conv2dOptions{Padding: 2, Stride: 2, NoBias: true}, rng), layers.NewBatchNorm2d(8), layers.NewReLU(),
		layers.NewAvgPool2d(2, 1), layers.NewGlobalAvgPool2d(), layers.NewFlatten(), layers.NewLinear(8, 10, layers.Xavier, rng))
	x := tensor.RandNormal(rng, 0, 1, 16, 1, 12, 12)
	labels := make([]int, 16)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	xs, ls := tensor.FromData(x.Data[:5*144], 5, 1, 12, 12), labels[:5]
	var ce loss.SoftmaxCrossEntropy
	opt := &layers.SGD{LR: 0.01}
	step := func(x *tensor.Tensor, labels []int) {
		ce.Forward(model.Forward(x), labels)
		model.Backward(ce.Backward())
		opt.Step(model.Params())
	}
	step(x, labels)
	if n := testing.AllocsPerRun(5, func() { step(x, labels) }); n != 0 {
		t.Errorf("training step allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(5, func() { step(xs, ls); step(x, labels) }); n != 0 {
		t.Errorf("partial then full batch allocates %v times, want 0", n)
	}
	model.SetTraining(false)
	model.Forward(x)
	if n := testing.AllocsPerRun(5, func() { model.Forward(xs); model.Forward(x) }); n != 0 {
		t.Errorf("evaluation allocates %v times, want 0", n)
	}
}

// TestCNNGradcheck checks a whole small convolutional network, every
// layer of this file in a Sequential, in training and in evaluation
// mode, with the Richardson difference (batch norm is smooth).
func TestCNNGradcheck(t *testing.T) {
	// A step of 3e-3 rather than Richardson's 1e-3: with 1e-3, rounding
	// (about u·|L|/ε) reached 1.4e-8 on an entry of ∂L/∂X near 3e-5.
	const epsCNN = 3e-3
	for _, training := range []bool{true, false} {
		rng := rngFor(11)
		net := layers.NewSequential(
			// In training mode a bias before batch norm has a gradient of exactly 0
			// (BN1 subtracts it), and the check would compare rounding noise.
			layers.NewConv2d(2, 3, 3, layers.Conv2dOptions{Padding: 1, NoBias: training}, rng), layers.NewBatchNorm2d(3), layers.NewReLU(), layers.NewMaxPool2d(2, 0),
			layers.NewConv2d(3, 4, 3, layers.Conv2dOptions{Stride: 2, Padding: 2, NoBias: true}, rng), layers.NewBatchNorm2d(4), layers.NewReLU(),
			layers.NewAvgPool2d(2, 1), layers.NewGlobalAvgPool2d(), layers.NewFlatten(), layers.NewLinear(4, 3, layers.Xavier, rng))
		for _, l := range net.Layers() {
			if bn, ok := l.(*layers.BatchNorm2d); ok {
				for i := range bn.RunningVar.Data {
					bn.RunningMean.Data[i] = 0.1 * rng.NormFloat64()
					bn.RunningVar.Data[i] = 0.5 + rng.Float64()
				}
			}
		}
		net.SetTraining(training)
		x := tensor.RandNormal(rng, 0, 1, 3, 2, 6, 7)
		rep := gradcheck.Layer(net, x, gradcheck.Options{Seed: 3, Richardson: true, Eps: epsCNN})
		if !rep.OK(1e-8) {
			t.Errorf("training=%v: %v fails the gradient check:\n%v", training, net, rep)
		}
		t.Logf("training=%v: worst relative error %.2g (%s)", training, rep.Worst.RelErr, rep.Worst.Tensor)
	}
}

// TestMaxPoolNaN: a NaN in a window is its maximum, wherever it is, so it
// propagates to the output as in PyTorch, and the window's gradient goes
// to it.
func TestMaxPoolNaN(t *testing.T) {
	nan := math.NaN()
	x := tensor.FromData([]float64{
		1, 2, 5, nan,
		nan, 3, 4, 6,
	}, 1, 1, 2, 4)
	p := layers.NewMaxPool2d(2, 0)
	y := p.Forward(x)
	if !math.IsNaN(y.Data[0]) || !math.IsNaN(y.Data[1]) {
		t.Fatalf("MaxPool2d of windows holding NaN = %v, want NaN", y.Data)
	}
	dx := p.Backward(tensor.FromData([]float64{1, 2}, 1, 1, 1, 2))
	near(t, "dx", dx.Data, []float64{0, 0, 0, 2, 1, 0, 0, 0}, 0)
}
