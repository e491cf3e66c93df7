package modelfile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// OptimizerPrefix starts the names of the optimiser's tensors in a model
// file: "optim.0.weight.exp_avg", "optim.0.weight.step", ….
const OptimizerPrefix = "optim."

// OptimizerTensors returns the state of o for params as extra tensors of a
// Checkpoint, named OptimizerPrefix + "<param>.<buffer>" and saved beside
// the model (PyTorch keeps the same buffers in optimizer.state_dict()):
//
//	c := &modelfile.Checkpoint{Model: model, Extra: modelfile.OptimizerTensors(opt, model.Params())}
//	err := modelfile.SaveCheckpointFile("model.safetensors", c)
//
// A buffer has its parameter's shape, with a [1, n] row (a bias, a batch
// norm's γ) stored as [n] as PyTorch shapes it; a step count is an integer
// scalar, like PyTorch's. The data are copies.
func OptimizerTensors(o optim.Stateful, params []*layers.Param) []StateTensor {
	var out []StateTensor
	for _, p := range params { // in the model's order, so the file is deterministic
		st := o.State([]*layers.Param{p})
		for _, name := range sortedBufs(st, p.Name) {
			t := st[name]
			ts := StateTensor{Name: OptimizerPrefix + name, Data: append([]float64(nil), t.Data...)}
			switch {
			case strings.HasSuffix(name, ".step"):
				ts.Shape, ts.Int = []int{}, true
			case len(p.Value.Shape) == 2 && p.Value.Shape[0] == 1:
				ts.Shape = []int{p.Value.Shape[1]}
			default:
				ts.Shape = append([]int(nil), p.Value.Shape...)
			}
			out = append(out, ts)
		}
	}
	return out
}

// sortedBufs returns the keys of st for the parameter called param, the
// buffers first in name order and the step last.
func sortedBufs(st map[string]*tensor.Tensor, param string) []string {
	var names []string
	for k := range st {
		if k != param+".step" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	if _, ok := st[param+".step"]; ok {
		names = append(names, param+".step")
	}
	return names
}

// LoadOptimizerTensors finds the tensors named OptimizerPrefix + … among
// extra (a loaded Checkpoint's Extra) and loads them into o for params, so
// training resumes where it stopped. Other extra tensors are ignored. Each
// buffer must have its parameter's shape (as OptimizerTensors stores it)
// and hold only finite numbers; every parameter must have its state, so a
// file without any (saved before the first step, or by a run that kept
// none) is refused rather than silently restarting the optimiser from
// zero. Errors wrap ErrMalformed; on error o is unchanged.
func LoadOptimizerTensors(o optim.Stateful, params []*layers.Param, extra []StateTensor) error {
	byName := make(map[string]*layers.Param, len(params))
	for _, p := range params {
		byName[p.Name] = p
	}
	m := make(map[string]*tensor.Tensor)
	for _, t := range extra {
		name, ok := strings.CutPrefix(t.Name, OptimizerPrefix)
		if !ok {
			continue
		}
		v, err := stateTensor(name, t, byName)
		if err != nil {
			return fmt.Errorf("%w: optimiser state %q: %v", ErrMalformed, t.Name, err)
		}
		m[name] = v
	}
	if err := o.LoadState(params, m); err != nil {
		return fmt.Errorf("%w: optimiser state: %w", ErrMalformed, err)
	}
	return nil
}

// stateTensor turns the stored tensor t, called name without the prefix,
// back into the tensor LoadState expects: a step count as a 1×1 tensor, a
// buffer with its parameter's shape.
func stateTensor(name string, t StateTensor, params map[string]*layers.Param) (*tensor.Tensor, error) {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	if n != len(t.Data) {
		return nil, fmt.Errorf("shape %v holds %d values, have %d", t.Shape, n, len(t.Data))
	}
	dot := strings.LastIndexByte(name, '.')
	p := params[name[:max(dot, 0)]]
	switch {
	case dot < 0 || p == nil:
		// LoadState names the stray entry.
		return tensor.FromData(t.Data, len(t.Data)), nil
	case name[dot+1:] == "step":
		if len(t.Shape) != 0 {
			return nil, fmt.Errorf("shape %v, want a scalar []", t.Shape)
		}
		return tensor.FromData(t.Data, 1, 1), nil
	}
	want := p.Value.Shape
	if len(want) == 2 && want[0] == 1 && slices.Equal(t.Shape, want[1:]) {
		// A [1, n] row is stored as [n], as PyTorch shapes it.
	} else if !slices.Equal(t.Shape, want) {
		return nil, fmt.Errorf("shape %v, but parameter %q has shape %v", t.Shape, p.Name, want)
	}
	return tensor.FromData(t.Data, want...), nil
}
