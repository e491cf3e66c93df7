package layers_test

import (
	"math"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// newTestBatchNorm returns a BatchNorm1d(3) with γ = (1.5, −0.5, 2),
// β = (0.1, 0.2, −0.3) and the 4×3 batch and upstream gradient used by the
// PyTorch reference below.
func newTestBatchNorm() (bn *layers.BatchNorm1d, x, g *tensor.Tensor) {
	bn = layers.NewBatchNorm1d(3)
	copy(bn.Weight.Value.Data, []float64{1.5, -0.5, 2})
	copy(bn.Bias.Value.Data, []float64{0.1, 0.2, -0.3})
	x = tensor.FromData([]float64{1, 2, -1, 3, -2, 0.5, 0, 4, 2, -1, 1, 7}, 4, 3)
	g = tensor.FromData([]float64{1, 0, -1, 0.5, 2, 1, -1, 1, 0, 2, -1, 3}, 4, 3)
	return bn, x, g
}

// TestBatchNormMatchesPyTorch compares one training step and one evaluation
// with torch.nn.BatchNorm1d(3) in float64 (PyTorch 1.13): bn(x) with the
// same weight and bias, y.backward(g), then bn.eval() and bn(x) again.
func TestBatchNormMatchesPyTorch(t *testing.T) {
	bn, x, g := newTestBatchNorm()
	y := bn.Forward(x)
	dx := bn.Backward(g)
	const tol = 1e-13
	near(t, "y", y.Data, []float64{0.35354569688619586, 0.026795103994902814, -2.3779279388857337, 2.3819112719757625, 0.9505545493554213, -1.3805225282205815, -0.6606370906585874, -0.4350846186853564, -0.3831171175554293, -1.6748198782033707, 0.25773496533503243, 2.9415675846617444}, tol)
	near(t, "dx", dx.Data, []float64{0.4201612584161504, 0.08313841905633809, -0.23772459284529324, 0.2318115693386119, -0.2063065750173787, 0.6477100626348318, -1.7675751690208426, -0.2340188065870627, -0.46166610321534735, 1.1156023412660803, 0.35718696254810334, 0.051680633425808704}, tol)
	near(t, "dγ", bn.Weight.Grad.Data, []float64{-0.9296675552493846, -1.6165790293809073, 5.361054082325193}, tol)
	near(t, "dβ", bn.Bias.Grad.Data, []float64{2.5, 2.0, 3.0}, tol)
	near(t, "running_mean", bn.RunningMean.Data, []float64{0.07500000000000001, 0.125, 0.21250000000000002}, tol)
	near(t, "running_var", bn.RunningVar.Data, []float64{1.1916666666666667, 1.525, 2.10625}, tol)
	if bn.NumBatchesTracked != 1 {
		t.Errorf("num_batches_tracked = %d, want 1", bn.NumBatchesTracked)
	}
	bn.SetTraining(false)
	near(t, "eval y", bn.Forward(x).Data, []float64{1.3710240664928828, -0.5591628204883863, -1.9709203676108373, 4.119184210261278, 1.0603845298868377, 0.09619761293865214, -0.0030560053913148352, -1.3689364956759982, 2.1633155934881416, -1.3771360772755126, -0.15427598289458022, 9.05370886198644}, tol)
	if bn.NumBatchesTracked != 1 || bn.RunningMean.Data[0] != 0.07500000000000001 {
		t.Error("evaluation mode changed the running statistics")
	}
}

// TestBatchNormGradcheck checks BN7 in training mode and the affine map in
// evaluation mode, alone and between Linear layers, with the Richardson
// difference (batch norm is smooth, see package gradcheck). In training
// mode a backward pass that treats μ and σ² as constants fails.
func TestBatchNormGradcheck(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		for _, training := range []bool{true, false} {
			rng := rngFor(seed)
			bn := layers.NewBatchNorm1d(4)
			for i := range 4 {
				bn.Weight.Value.Data[i] = rng.NormFloat64()
				bn.Bias.Value.Data[i] = rng.NormFloat64()
				bn.RunningMean.Data[i] = rng.NormFloat64()
				bn.RunningVar.Data[i] = 0.5 + rng.Float64()
			}
			x := tensor.RandNormal(rng, 1, 2, 5, 4)
			// Not Linear right before bn: in training mode its bias has a gradient of
			// exactly 0 (bn subtracts the mean), and the check compares rounding noise.
			net := layers.NewSequential(layers.NewLinear(4, 4, layers.Xavier, rng), layers.NewTanh(), bn, layers.NewLinear(4, 3, layers.Xavier, rng))
			net.SetTraining(training)
			opts := gradcheck.Options{Seed: seed, Richardson: true}
			if rep := gradcheck.Layer(bn, x, opts); !rep.OK(tol) {
				t.Errorf("training=%v: BatchNorm1d fails the gradient check:\n%v", training, rep)
			}
			if rep := gradcheck.Layer(net, x, opts); !rep.OK(tol) {
				t.Errorf("training=%v: %v fails the gradient check:\n%v", training, net, rep)
			}
		}
	}
	// The students' mistake: the evaluation-mode gradient γ s g used after
	// a training-mode Forward.
	bn := layers.NewBatchNorm1d(4)
	x := tensor.RandNormal(rngFor(9), 0, 1, 5, 4)
	rep := gradcheck.Layer(&constStats{BatchNorm1d: bn}, x, gradcheck.Options{Richardson: true})
	if !(rep.Tensors[0].Worst.RelErr >= 1e-2) {
		t.Errorf("gradient with constant μ, σ² passes the check:\n%v", rep)
	}
}

// constStats is a batch norm whose Backward forgets that μ and σ² depend on
// the input: it returns γ s g, BN9's gradient, after a training-mode Forward.
type constStats struct {
	*layers.BatchNorm1d
	x *tensor.Tensor
}

func (c *constStats) Forward(x *tensor.Tensor) *tensor.Tensor {
	c.x = x
	return c.BatchNorm1d.Forward(x)
}

func (c *constStats) Backward(g *tensor.Tensor) *tensor.Tensor {
	c.BatchNorm1d.Backward(g) // the parameter gradients are right
	n, m := c.x.Rows(), c.x.Cols()
	dx := tensor.New(n, m)
	for j := range m {
		var mean, v float64
		for i := range n {
			mean += c.x.At(i, j) / float64(n)
		}
		for i := range n {
			v += (c.x.At(i, j) - mean) * (c.x.At(i, j) - mean) / float64(n)
		}
		for i := range n {
			dx.Set(c.Weight.Value.Data[j]*g.At(i, j)/math.Sqrt(v+c.Eps), i, j)
		}
	}
	return dx
}

// TestBatchNormLargeMean: features with a mean of 1e8 and a spread of 1
// normalise as well as centred ones. The one-pass variance E[x²] − μ² would
// lose all digits here (x² ≈ 1e16, its rounding error about 2).
func TestBatchNormLargeMean(t *testing.T) {
	x := tensor.RandNormal(rngFor(4), 0, 1, 8, 3)
	shifted := x.Clone()
	for i := range shifted.Data {
		shifted.Data[i] += 1e8
	}
	want := layers.NewBatchNorm1d(3).Forward(x).Clone()
	got := layers.NewBatchNorm1d(3).Forward(shifted)
	near(t, "x̂ of x + 1e8", got.Data, want.Data, 1e-7)
}

func TestBatchNormPanicsAndModes(t *testing.T) {
	bn := layers.NewBatchNorm1d(3)
	mustPanicWith(t, "BatchNorm1d.Forward: input has shape [2 4], want [batch 3]", func() { bn.Forward(tensor.New(2, 4)) })
	mustPanicWith(t, "BatchNorm1d.Forward: training needs at least 2 samples per batch", func() { bn.Forward(tensor.New(1, 3)) })
	mustPanicWith(t, "BatchNorm1d.Backward called before Forward", func() { bn.Backward(tensor.New(2, 3)) })
	mustPanicWith(t, "NewBatchNorm1d: number of features must be positive, have 0", func() { layers.NewBatchNorm1d(0) })
	bn.Forward(tensor.New(2, 3))
	mustPanicWith(t, "BatchNorm1d.Backward: gradient has shape [2 4], output had shape [2 3]", func() { bn.Backward(tensor.New(2, 4)) })
	// Evaluation mode accepts a single sample.
	bn.SetTraining(false)
	if bn.Training() {
		t.Error("Training() after SetTraining(false)")
	}
	bn.Forward(tensor.New(1, 3))
	if got := bn.String(); got != "BatchNorm1d(3)" {
		t.Errorf("String() = %q", got)
	}
	if ps := bn.Params(); len(ps) != 2 || ps[0].Name != "weight" || ps[1].Name != "bias" {
		t.Errorf("Params() = %v, want weight and bias", ps)
	}
}

// TestBuffers: Sequential lists batch norm's running statistics, named like
// PyTorch's state_dict, sharing the layer's tensors.
func TestBuffers(t *testing.T) {
	bn := layers.NewBatchNorm1d(3)
	s := layers.NewSequential(layers.NewLinear(2, 3, layers.He, rngFor(1)), bn, layers.NewSequential(layers.NewReLU(), layers.NewBatchNorm1d(3)))
	var names []string
	for _, b := range s.Buffers() {
		names = append(names, b.Name)
	}
	if want := "1.running_mean 1.running_var 2.1.running_mean 2.1.running_var"; strings.Join(names, " ") != want {
		t.Errorf("buffers %v, want %s", names, want)
	}
	if s.Buffers()[1].Value != bn.RunningVar {
		t.Error("a Buffer does not share the layer's tensor")
	}
}
