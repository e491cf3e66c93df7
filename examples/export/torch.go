package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/layers"
)

// torchModule returns the PyTorch constructor call of one layer, written as
// a PyTorch user would write it (defaults left out), or an error for a
// layer PyTorch has no module for.
func torchModule(l layers.Layer) (string, error) {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch l := l.(type) {
	case *layers.Linear:
		return fmt.Sprintf("nn.Linear(%d, %d)", l.In(), l.Out()), nil
	case *layers.ReLU:
		return "nn.ReLU()", nil
	case *layers.LeakyReLU:
		return fmt.Sprintf("nn.LeakyReLU(negative_slope=%s)", num(l.Slope)), nil
	case *layers.Sigmoid:
		return "nn.Sigmoid()", nil
	case *layers.Tanh:
		return "nn.Tanh()", nil
	case *layers.GELU:
		if l.Approximate == "none" || l.Approximate == "" {
			return "nn.GELU()", nil
		}
		return fmt.Sprintf("nn.GELU(approximate=%s)", strconv.Quote(l.Approximate)), nil
	case *layers.Dropout:
		return fmt.Sprintf("nn.Dropout(p=%s)", num(l.P)), nil
	case *layers.BatchNorm1d:
		return fmt.Sprintf("nn.BatchNorm1d(%d, eps=%s, momentum=%s)", l.Features(), num(l.Eps), num(l.Momentum)), nil
	case *layers.BatchNorm2d:
		return fmt.Sprintf("nn.BatchNorm2d(%d, eps=%s, momentum=%s)", l.Channels(), num(l.Eps), num(l.Momentum)), nil
	case *layers.Conv2d:
		s := fmt.Sprintf("nn.Conv2d(%d, %d, kernel_size=%d", l.In(), l.Out(), l.Kernel())
		if l.Stride() != 1 {
			s += fmt.Sprintf(", stride=%d", l.Stride())
		}
		if l.Padding() != 0 {
			s += fmt.Sprintf(", padding=%d", l.Padding())
		}
		if l.B == nil {
			s += ", bias=False"
		}
		return s + ")", nil
	case *layers.MaxPool2d:
		return pool("MaxPool2d", l.Kernel(), l.Stride()), nil
	case *layers.AvgPool2d:
		return pool("AvgPool2d", l.Kernel(), l.Stride()), nil
	case *layers.GlobalAvgPool2d:
		return "nn.AdaptiveAvgPool2d(1)", nil // N×C×H×W → N×C×1×1, as in Go
	case *layers.Flatten:
		return "nn.Flatten()", nil
	case *layers.Unflatten:
		dims := make([]string, len(l.Shape()))
		for i, d := range l.Shape() {
			dims[i] = strconv.Itoa(d)
		}
		if len(dims) == 1 {
			return fmt.Sprintf("nn.Unflatten(1, (%s,))", dims[0]), nil
		}
		return fmt.Sprintf("nn.Unflatten(1, (%s))", strings.Join(dims, ", ")), nil
	}
	return "", fmt.Errorf("no PyTorch module for a %T", l)
}

// pool is a pooling module's call: PyTorch's stride defaults to the kernel
// size.
func pool(name string, kernel, stride int) string {
	if stride == kernel {
		return fmt.Sprintf("nn.%s(%d)", name, kernel)
	}
	return fmt.Sprintf("nn.%s(%d, stride=%d)", name, kernel, stride)
}

// torchSequential returns model.py: the model as a torch.nn.Sequential,
// one module per layer in the same order, so that PyTorch numbers the
// modules as Go numbers the layers and the state_dict keys of the files
// ("1.weight", "2.running_mean", …) are the modules' own; stateDict, the
// file's tensor names, goes into a comment beside each module. It fails for a
// layer that has no PyTorch module (a layer registered by a program of its
// own), naming its position and type.
func torchSequential(model *layers.Sequential, stateDict []string) (string, error) {
	var b strings.Builder
	b.WriteString(modelPyHead)
	b.WriteString("def build():\n")
	b.WriteString("    \"\"\"The network as a torch.nn.Sequential in float64; each comment is\n")
	b.WriteString("    the module's index and the state_dict keys it holds.\"\"\"\n")
	b.WriteString("    return nn.Sequential(\n")
	for i, l := range model.Layers() {
		m, err := torchModule(l)
		if err != nil {
			return "", fmt.Errorf("layer %d: %w", i, err)
		}
		line := fmt.Sprintf("        %s,", m)
		fmt.Fprintf(&b, "%-64s # %d%s\n", line, i, layerKeys(i, stateDict))
	}
	b.WriteString("    ).double()\n")
	b.WriteString(modelPyTail)
	return b.String(), nil
}

// layerKeys returns the keys of stateDict (a file's tensor names) that
// belong to layer i, as ": 1.weight 1.bias", or "" for a layer that holds
// none.
func layerKeys(i int, stateDict []string) string {
	var names []string
	prefix := strconv.Itoa(i) + "."
	for _, k := range stateDict {
		if strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return ": " + strings.Join(names, " ")
}

const modelPyHead = `"""The network of model.safetensors and model.npz as a torch.nn.Sequential,
written by go run ./examples/export. The modules are numbered as Go numbers
the layers, so load_state_dict takes the files' tensors as they are:

    import model                     # this file
    net = model.build()
    net.load_state_dict(model.load_safetensors("model.safetensors"))
    net.eval()                       # batch norm: running statistics
    logits = net(x)                  # x: N×784 float64, normalised as in training
"""
import json
import struct

import torch
from torch import nn


`

const modelPyTail = `

def load_safetensors(path):
    """A safetensors file's tensors as a state_dict, read by the format's
    spec (safetensors.torch.load_file gives the same where it is installed)."""
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    dtypes = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64}
    return {k: torch.frombuffer(bytearray(data[8 + n + t["data_offsets"][0]:8 + n + t["data_offsets"][1]]),
                                dtype=dtypes[t["dtype"]]).reshape(t["shape"]) for k, t in header.items()}
`
