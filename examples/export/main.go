// Export writes part k's model in the two formats the Python world reads,
// model.safetensors (PyTorch's ecosystem) and model.npz (numpy), and prints
// the Python that loads each. It also writes what check.py needs to
// cross-check the model with numpy and PyTorch on the whole test split: the
// normalised test images, their labels, and Go's logits for them.
//
// It reuses the model part k saved in -model when it was trained with the
// same flags, and trains it (and saves it there) when the folder holds none
// yet; a model trained with other flags is not replaced (homework.Model):
//
//	go run ./examples/export
//	python3 examples/export/check.py out/export
//
// docs/interop.md describes the files and the agreement check.py measures.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/backprop-go/backprop/atomicfile"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/npy"
)

func main() { homework.Main("export", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, d, model, _, err := homework.LoadPartKModel("export", args, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Out, 0o755); err != nil {
		return err
	}
	st, nz := filepath.Join(f.Out, "model.safetensors"), filepath.Join(f.Out, "model.npz")
	if err := modelfile.SaveFile(st, model); err != nil {
		return err
	}
	if err := modelfile.SaveNPZFile(nz, &modelfile.Checkpoint{Model: model}); err != nil {
		return err
	}

	// The whole test split, normalised as for training, and Go's logits.
	r, err := f.NormRange()
	if err != nil {
		return err
	}
	x := data.Normalize(d.TestSplit, r)
	model.SetTraining(false)
	logits := model.Forward(x)
	labels := make([]float64, d.TestSplit.N)
	for i, l := range d.TestSplit.Labels {
		labels[i] = float64(l)
	}
	for name, a := range map[string]*npy.Array{
		"test_inputs.npy": {Shape: x.Shape, Data: x.Data},
		"test_labels.npy": {Shape: []int{len(labels)}, Data: labels, DType: "<i8"},
		"test_logits.npy": {Shape: logits.Shape, Data: logits.Data},
	} {
		if err := writeNPY(filepath.Join(f.Out, name), a); err != nil {
			return err
		}
	}

	fmt.Fprintf(stdout, "wrote %s and %s (%v)\n", st, nz, model)
	fmt.Fprintf(stdout, "and the test split with Go's logits for check.py in %s\n\n", f.Out)
	fmt.Fprintf(stdout, numpySnippet, nz, st)
	fmt.Fprintf(stdout, torchSnippet, st)
	fmt.Fprintf(stdout, "\ncross-check with numpy and PyTorch: python3 examples/export/check.py %s\n", f.Out)
	return nil
}

func writeNPY(path string, a *npy.Array) error {
	b, err := npy.Marshal(a)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

const numpySnippet = `# numpy alone: load model.npz and run the network
import json, numpy as np

z = np.load(%[1]q)
arch = json.loads(z["__architecture__.json"])
sd = {k: z[k] for k in z.files if not k.startswith("__")}

def forward(x):  # x: N×784, normalised as in training; returns the logits
    for i, layer in enumerate(arch["layers"]):
        if layer["type"] == "Linear":
            x = x @ sd[f"{i}.weight"].T + sd[f"{i}.bias"]
        elif layer["type"] == "ReLU":
            x = np.maximum(x, 0)
        else:  # the other layer types: forward_numpy in examples/export/check.py
            raise ValueError(layer["type"])
    return x  # forward(x).argmax(1) are the predicted classes

`

const torchSnippet = `# PyTorch: load model.safetensors into a torch.nn.Sequential
import json, struct, torch

data = open(%[1]q, "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
arch = json.loads(header.pop("__metadata__")["backprop.architecture"])
dtypes = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64}
sd = {k: torch.frombuffer(bytearray(data[8 + n + t["data_offsets"][0]:8 + n + t["data_offsets"][1]]),
                          dtype=dtypes[t["dtype"]]).reshape(t["shape"]) for k, t in header.items()}
# (with the safetensors package installed: sd = safetensors.torch.load_file(path))
model = torch.nn.Sequential(*[getattr(torch.nn, l["type"])(**l.get("config", {})) for l in arch["layers"]])
model.double().load_state_dict(sd)  # float64 weights; model.float() afterwards for float32
`
