package optim

import (
	"fmt"
	"strings"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// CheckpointPrefix starts the names of the optimiser's tensors in a model
// file: "optim.0.weight.exp_avg", "optim.0.weight.step", ….
const CheckpointPrefix = "optim."

// CheckpointTensors returns the state of o for params as extra tensors of a
// layers.Checkpoint, named CheckpointPrefix + "<param>.<buffer>" and saved
// beside the model:
//
//	c := &layers.Checkpoint{Model: model, Extra: optim.CheckpointTensors(opt, model.Params())}
//	err := layers.SaveCheckpointFile("model.safetensors", c)
//
// A buffer has its parameter's shape, with a [1, n] row (a bias, a batch
// norm's γ) stored as [n] as PyTorch shapes it; a step count is an integer
// scalar, like PyTorch's. The data are copies.
func CheckpointTensors(o Stateful, params []*layers.Param) []layers.StateTensor {
	var out []layers.StateTensor
	for _, p := range params { // in the model's order, so the file is deterministic
		st := o.State([]*layers.Param{p})
		for _, name := range sortedBufs(st, p.Name) {
			t := st[name]
			ts := layers.StateTensor{Name: CheckpointPrefix + name, Data: append([]float64(nil), t.Data...)}
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
	for i := 1; i < len(names); i++ { // a handful: insertion sort
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	if _, ok := st[param+".step"]; ok {
		names = append(names, param+".step")
	}
	return names
}

// LoadCheckpointTensors finds the tensors named CheckpointPrefix + … among
// extra (a loaded layers.Checkpoint's Extra) and loads them into o for
// params, so training resumes where it stopped. Other extra tensors are
// ignored. On error o is unchanged.
func LoadCheckpointTensors(o Stateful, params []*layers.Param, extra []layers.StateTensor) error {
	m := make(map[string]*tensor.Tensor)
	for _, t := range extra {
		name, ok := strings.CutPrefix(t.Name, CheckpointPrefix)
		if !ok {
			continue
		}
		m[name] = tensor.FromData(t.Data, len(t.Data))
	}
	if err := o.LoadState(params, m); err != nil {
		return fmt.Errorf("optim: loading a checkpoint: %w", err)
	}
	return nil
}
