package modelfile_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// TestCheckpointResume: training 3 steps, saving the model with AdamW's
// state in one safetensors file, loading both and training 2 more steps
// gives the same weights, to the bit, as training 5 steps without a break.
func TestCheckpointResume(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := tensor.RandNormal(rng, 0, 1, 16, 6)
	y := make([]int, 16)
	for i := range y {
		y[i] = rng.IntN(3)
	}
	var ce loss.SoftmaxCrossEntropy
	steps := func(m *layers.Sequential, o optim.Optimizer, n int) {
		for range n {
			ce.Forward(m.Forward(x), y)
			m.Backward(ce.Backward())
			o.Step(m.Params())
		}
	}
	newModel := func() *layers.Sequential {
		return layers.NewMLP([]int{6, 5, 3}, layers.He, rand.New(rand.NewPCG(1, 2)))
	}

	whole, wo := newModel(), optim.NewAdamW(0.01, 0.1)
	steps(whole, wo, 5)

	m, o := newModel(), optim.NewAdamW(0.01, 0.1)
	steps(m, o, 3)
	var buf bytes.Buffer
	extra := modelfile.OptimizerTensors(o, m.Params())
	if err := modelfile.SaveCheckpoint(&buf, &modelfile.Checkpoint{Model: m, Extra: extra}); err != nil {
		t.Fatal(err)
	}
	if extra[0].Name != "optim.0.weight.exp_avg" || extra[2].Name != "optim.0.weight.step" || len(extra[3].Shape) != 1 {
		t.Errorf("checkpoint tensors start %s %v, %s, then %s %v", extra[0].Name, extra[0].Shape, extra[2].Name, extra[3].Name, extra[3].Shape)
	}
	c, err := modelfile.LoadCheckpoint(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	o2 := optim.NewAdamW(0.01, 0.1)
	if err := modelfile.LoadOptimizerTensors(o2, c.Model.Params(), c.Extra); err != nil {
		t.Fatal(err)
	}
	steps(c.Model, o2, 2)
	for i, p := range whole.Params() {
		for j, v := range p.Value.Data {
			if got := c.Model.Params()[i].Value.Data[j]; got != v {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", p.Name, j, got, v)
			}
		}
	}

	// The same file loads as a plain model too (modelfile.Load ignores the
	// optimiser's tensors).
	if _, err := modelfile.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Errorf("modelfile.Load of a file with optimiser state: %v", err)
	}
}

// TestLoadOptimizerTensorsRefuses: optimiser state that would not resume
// the training that was saved is refused, and the optimiser is unchanged:
// a buffer transposed or flattened (same element count, other shape), a
// parameter without state, a file without any, NaN or ±Inf in a buffer.
func TestLoadOptimizerTensorsRefuses(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	m := layers.NewMLP([]int{4, 3, 2}, layers.He, rng)
	o := optim.NewAdam(0.01)
	for _, p := range m.Params() {
		for i := range p.Grad.Data {
			p.Grad.Data[i] = rng.NormFloat64()
		}
	}
	o.Step(m.Params())
	good := modelfile.OptimizerTensors(o, m.Params())
	edit := func(f func([]modelfile.StateTensor) []modelfile.StateTensor) []modelfile.StateTensor {
		c := make([]modelfile.StateTensor, len(good))
		for i, t := range good {
			c[i] = t
			c[i].Shape = append([]int(nil), t.Shape...)
			c[i].Data = append([]float64(nil), t.Data...)
		}
		return f(c)
	}
	find := func(ts []modelfile.StateTensor, name string) int {
		for i, t := range ts {
			if t.Name == name {
				return i
			}
		}
		t.Fatalf("no tensor %s", name)
		return -1
	}
	for _, c := range []struct {
		name  string
		extra []modelfile.StateTensor
		want  string
	}{
		{"transposed", edit(func(ts []modelfile.StateTensor) []modelfile.StateTensor {
			ts[find(ts, "optim.0.weight.exp_avg")].Shape = []int{4, 3}
			return ts
		}), "shape [4 3], but parameter \"0.weight\" has shape [3 4]"},
		{"flattened", edit(func(ts []modelfile.StateTensor) []modelfile.StateTensor {
			ts[find(ts, "optim.0.weight.exp_avg_sq")].Shape = []int{12}
			return ts
		}), "shape [12]"},
		{"parameter without state", edit(func(ts []modelfile.StateTensor) []modelfile.StateTensor {
			var out []modelfile.StateTensor
			for _, t := range ts {
				if !strings.HasPrefix(t.Name, "optim.2.bias.") {
					out = append(out, t)
				}
			}
			return out
		}), "parameter \"2.bias\" has no state"},
		{"no state", nil, "no state at all"},
		{"NaN", edit(func(ts []modelfile.StateTensor) []modelfile.StateTensor {
			ts[find(ts, "optim.2.weight.exp_avg")].Data[3] = math.NaN()
			return ts
		}), "NaN"},
		{"Inf", edit(func(ts []modelfile.StateTensor) []modelfile.StateTensor {
			ts[find(ts, "optim.0.bias.exp_avg_sq")].Data[0] = math.Inf(1)
			return ts
		}), "+Inf"},
		{"step not scalar", edit(func(ts []modelfile.StateTensor) []modelfile.StateTensor {
			ts[find(ts, "optim.0.bias.step")].Shape = []int{1}
			return ts
		}), "want a scalar"},
	} {
		o2 := optim.NewAdam(0.01)
		err := modelfile.LoadOptimizerTensors(o2, m.Params(), c.extra)
		if !errors.Is(err, modelfile.ErrMalformed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrMalformed mentioning %q", c.name, err, c.want)
		}
		if st := o2.State(m.Params()); len(st) != 0 {
			t.Errorf("%s: the refused state was loaded in part (%d tensors)", c.name, len(st))
		}
	}
	if err := modelfile.LoadOptimizerTensors(optim.NewAdam(0.01), m.Params(), good); err != nil {
		t.Errorf("the saved state: %v", err)
	}
	// Plain SGD keeps no state, so a file without any is right for it.
	if err := modelfile.LoadOptimizerTensors(&optim.SGD{LR: 0.1}, m.Params(), nil); err != nil {
		t.Errorf("plain SGD, no state: %v", err)
	}
}
