package modelfile_test

import (
	"bytes"
	"math/rand/v2"
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
