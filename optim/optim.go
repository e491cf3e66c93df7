package optim

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// Optimizer updates parameters from their gradients. Step changes every
// parameter's Value using its Grad (and whatever state the optimiser keeps
// for it) and then zeroes the Grad. SetLR sets the learning rate of the next
// Step; a schedule calls it before every update.
//
// *layers.SGD, *SGD and *Adam implement it.
type Optimizer interface {
	Step(params []*layers.Param)
	SetLR(lr float64)
}

// slots is the per-parameter state of an optimiser: for each parameter
// tensor, len(names) buffers of its size and a step count. It is keyed by the
// parameter's Value tensor (not the *Param, which Sequential wraps afresh),
// so stepping a layer's Params or its Sequential's Params updates the same
// state.
type slots struct {
	names []string               // the buffers' PyTorch names, e.g. "exp_avg"
	index map[*tensor.Tensor]int // Value → position in state
	state []*paramState          // in the order parameters were first seen
}

type paramState struct {
	bufs [][]float64 // one per name, each len(Value.Data)
	step int         // the number of Steps this parameter has had
}

// get returns p's state, creating it (zeroed) on first sight. It allocates
// only then.
func (s *slots) get(op string, p *layers.Param) *paramState {
	if p.Value == nil || p.Grad == nil || len(p.Grad.Data) != len(p.Value.Data) {
		panic(fmt.Sprintf("optim: %s: parameter %q needs a Value and a Grad of the same size", op, p.Name))
	}
	if i, ok := s.index[p.Value]; ok {
		st := s.state[i]
		if len(st.bufs) > 0 && len(st.bufs[0]) != len(p.Value.Data) {
			panic(fmt.Sprintf("optim: %s: parameter %q changed size from %d to %d elements", op, p.Name, len(st.bufs[0]), len(p.Value.Data)))
		}
		return st
	}
	if s.index == nil {
		s.index = make(map[*tensor.Tensor]int)
	}
	st := &paramState{bufs: make([][]float64, len(s.names))}
	for j := range st.bufs {
		st.bufs[j] = make([]float64, len(p.Value.Data))
	}
	s.index[p.Value] = len(s.state)
	s.state = append(s.state, st)
	return st
}

// stateOf returns the optimiser's state for params as tensors named
// "<param name>.<buffer name>" and "<param name>.step" (a 1×1 tensor), sharing
// memory with the optimiser. Parameters it has not stepped yet are left out.
func (s *slots) stateOf(params []*layers.Param) map[string]*tensor.Tensor {
	out := make(map[string]*tensor.Tensor)
	for _, p := range params {
		i, ok := s.index[p.Value]
		if !ok {
			continue
		}
		st := s.state[i]
		for j, name := range s.names {
			out[p.Name+"."+name] = tensor.FromData(st.bufs[j], p.Value.Shape...)
		}
		out[p.Name+".step"] = tensor.FromData([]float64{float64(st.step)}, 1, 1)
	}
	return out
}

// load copies state written by stateOf back, for the parameters params. It
// checks everything before changing anything, so on error the optimiser is as
// it was.
func (s *slots) load(op string, params []*layers.Param, m map[string]*tensor.Tensor) error {
	used := make(map[string]bool)
	type job struct {
		p    *layers.Param
		bufs []*tensor.Tensor
		step int
	}
	var jobs []job
	for _, p := range params {
		st, ok := m[p.Name+".step"]
		if !ok {
			// Starting this parameter's state from zero would not resume
			// the training that was saved.
			if len(m) == 0 {
				return fmt.Errorf("optim: %s: no state at all, so training would restart from zero "+
					"(state saved before the first step holds none: use a fresh optimiser then)", op)
			}
			return fmt.Errorf("optim: %s: parameter %q has no state (%s.step is missing)", op, p.Name, p.Name)
		}
		used[p.Name+".step"] = true
		if st.Len() != 1 || st.Data[0] < 0 || st.Data[0] != math.Trunc(st.Data[0]) || st.Data[0] > 1<<53 {
			return fmt.Errorf("optim: %s: %s.step must be one whole number ≥ 0", op, p.Name)
		}
		j := job{p: p, step: int(st.Data[0])}
		for _, name := range s.names {
			key := p.Name + "." + name
			t, ok := m[key]
			if !ok {
				return fmt.Errorf("optim: %s: state %q is missing", op, key)
			}
			if !slices.Equal(t.Shape, p.Value.Shape) {
				return fmt.Errorf("optim: %s: state %q has shape %v, parameter has shape %v", op, key, t.Shape, p.Value.Shape)
			}
			for i, v := range t.Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("optim: %s: state %q holds %v at index %d", op, key, v, i)
				}
			}
			used[key] = true
			j.bufs = append(j.bufs, t)
		}
		jobs = append(jobs, j)
	}
	var unknown []string
	for k := range m {
		if !used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("optim: %s: state %q belongs to no parameter", op, unknown[0])
	}
	for _, j := range jobs {
		st := s.get(op, j.p)
		st.step = j.step
		for k, t := range j.bufs {
			copy(st.bufs[k], t.Data)
		}
	}
	return nil
}

// Stateful is implemented by optimisers that keep per-parameter state (SGD
// with momentum, Adam). State returns it as tensors named after the
// parameters, "<param name>.<buffer name>", sharing memory with the
// optimiser; LoadState copies such a map back. Saving the state with the
// model lets training resume exactly where it stopped.
type Stateful interface {
	State(params []*layers.Param) map[string]*tensor.Tensor
	LoadState(params []*layers.Param, state map[string]*tensor.Tensor) error
}
