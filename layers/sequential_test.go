package layers

import (
	"reflect"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// modeLayer is an identity layer that records SetTraining calls and counts
// Backward calls.
type modeLayer struct {
	training  []bool
	backwards int
}

func (m *modeLayer) Forward(x *tensor.Tensor) *tensor.Tensor { return x }
func (m *modeLayer) Backward(d *tensor.Tensor) *tensor.Tensor {
	m.backwards++
	return d
}
func (m *modeLayer) Params() []*Param   { return nil }
func (m *modeLayer) SetTraining(b bool) { m.training = append(m.training, b) }

func TestNewMLP(t *testing.T) {
	s := NewMLP([]int{784, 128, 10}, He, newRNG(5))
	if got := s.String(); got != "Sequential(Linear(784→128), ReLU, Linear(128→10))" {
		t.Errorf("MLP is %s", got)
	}
	var names []string
	for _, p := range s.Params() {
		names = append(names, p.Name)
	}
	if want := []string{"0.weight", "0.bias", "2.weight", "2.bias"}; !reflect.DeepEqual(names, want) {
		t.Errorf("param names %v, want %v", names, want)
	}
	// The Sequential's Params share tensors with the layers.
	l0 := s.Layers()[0].(*Linear)
	if s.Params()[0].Value != l0.W.Value || s.Params()[1].Grad != l0.B.Grad {
		t.Error("Sequential params do not share the layer's tensors")
	}
	if len(NewMLP([]int{5, 4, 3, 2}, Xavier, newRNG(1)).Layers()) != 5 {
		t.Error("MLP with 3 linear layers should have 5 layers")
	}
	mustPanic(t, "NewMLP", func() { NewMLP([]int{3}, He, newRNG(1)) })
}

// TestSequentialChains checks Forward and Backward against calling the
// layers by hand.
func TestSequentialChains(t *testing.T) {
	rng := newRNG(6)
	s := NewMLP([]int{6, 5, 4}, He, rng)
	ls := s.Layers()
	x := randT(rng, 3, 6)
	y := s.Forward(x).Clone()
	want := ls[2].Forward(ls[1].Forward(ls[0].Forward(x)))
	closeTo(t, "Forward", y.Data, want.Data, 0)
	d := randT(rng, 3, 4)
	dx := s.Backward(d).Clone()
	ZeroGrads(s.Params())
	wantDx := ls[0].Backward(ls[1].Backward(ls[2].Backward(d)))
	closeTo(t, "Backward", dx.Data, wantDx.Data, 0)
}

func TestSetTraining(t *testing.T) {
	a, b := &modeLayer{}, &modeLayer{}
	inner := NewSequential(b, NewReLU())
	s := NewSequential(a, NewLinear(2, 2, He, newRNG(1)), inner)
	s.SetTraining(false)
	s.SetTraining(true)
	want := []bool{false, true}
	if !reflect.DeepEqual(a.training, want) || !reflect.DeepEqual(b.training, want) {
		t.Errorf("SetTraining reached layers as %v and %v (nested), want %v", a.training, b.training, want)
	}
	var _ Trainable = s
}

func TestSGD(t *testing.T) {
	p := &Param{Name: "w", Value: tensor.FromData([]float64{1, 2, 3}, 1, 3), Grad: tensor.FromData([]float64{10, -10, 0.5}, 1, 3)}
	(&SGD{LR: 0.1}).Step([]*Param{p})
	closeTo(t, "value after step", p.Value.Data, []float64{0, 3, 2.95}, 1e-15)
	closeTo(t, "grad after step", p.Grad.Data, []float64{0, 0, 0}, 0)
	p.Grad.Fill(4)
	ZeroGrads([]*Param{p})
	closeTo(t, "grad after ZeroGrads", p.Grad.Data, []float64{0, 0, 0}, 0)
}

func TestTrainingReportsMode(t *testing.T) {
	s := NewSequential(NewReLU())
	if !s.Training() {
		t.Error("a new Sequential is not in training mode")
	}
	s.SetTraining(false)
	if s.Training() {
		t.Error("SetTraining(false) left Training() true")
	}
	s.SetTraining(true)
	if !s.Training() {
		t.Error("SetTraining(true) left Training() false")
	}
}

// TestStringCustomLayer: a layer without a String method is listed by its
// type name, not by fmt's dump of its fields.
func TestStringCustomLayer(t *testing.T) {
	s := NewSequential(NewLinear(2, 3, He, newRNG(1)), &modeLayer{}, NewGELU("tanh"))
	if got, want := s.String(), "Sequential(Linear(2→3), modeLayer, GELU(tanh))"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
