// Export writes a trained model in the two formats the Python world reads,
// model.safetensors (PyTorch's ecosystem) and model.npz (numpy), with
// model.py, the torch.nn.Sequential that loads them, and prints the Python
// that reads each. It also writes what check.py needs to cross-check the
// model with numpy and PyTorch on the whole test split: the normalised test
// images, their labels, and Go's logits for them.
//
// By default it exports part k's model: it reuses the model part k saved in
// -model when it was trained with the same flags, and trains it (and saves
// it there) when the folder holds none yet; a model trained with other
// flags is not replaced (homework.Model). A -model folder that another
// program saved (examples/cnn, examples/recipe) is exported as it is, with
// the test split of the dataset and input range its settings.json names:
//
//	go run ./examples/export
//	python3 examples/export/check.py out/export
//
//	go run ./examples/cnn                                   # out/cnn
//	go run ./examples/export -model out/cnn -out out/export-cnn
//	python3 examples/export/check.py out/export-cnn
//
// The other direction: from_torch.py trains model.py's network in PyTorch
// and saves it as this library reads it, and -torch checks that Go's
// logits for it are PyTorch's:
//
//	python3 examples/export/from_torch.py out/export-cnn out/torch-cnn
//	go run ./examples/export -torch out/torch-cnn
//
// docs/interop.md describes the files and the agreement both checks measure.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/backprop-go/backprop/atomicfile"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/npy"
	"github.com/backprop-go/backprop/safetensors"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("export", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var torchDir string
	s, fs, err := homework.ParseSettings("export", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&torchDir, "torch", "", "instead of exporting: check a folder written by from_torch.py (a model PyTorch trained, inputs and PyTorch's logits)")
	})
	if err != nil {
		return err
	}
	if torchDir != "" {
		var other []string
		fs.Visit(func(fl *flag.Flag) {
			if fl.Name != "torch" {
				other = append(other, "-"+fl.Name)
			}
		})
		if len(other) > 0 {
			return fmt.Errorf("-torch takes no other flag (here %v)", other)
		}
		return checkTorch(torchDir, stdout)
	}
	// Before any work: export writes model files into -out, which must not
	// be a folder where another program keeps its model.
	if err := homework.CheckModelFolder("-out", s.Out, "export"); err != nil {
		return err
	}
	saved, err := homework.ReadSettings(s.Model)
	if by, _ := saved["program"].(string); err == nil && by != "" && by != "partk" {
		model, test, err := savedModel(s, fs, saved, by, stderr)
		if err != nil {
			return err
		}
		return export(s.Out, model, test, stdout)
	}
	f, d, model, _, err := homework.LoadPartKModel("export", args, stderr)
	if err != nil {
		return err
	}
	r, err := f.NormRange()
	if err != nil {
		return err
	}
	return export(f.Out, model, testSet{data.Normalize(d.TestSplit, r), d.TestSplit.Labels}, stdout)
}

// testSet is the whole test split, normalised as for training.
type testSet struct {
	x      *tensor.Tensor
	labels []uint8
}

// savedModel loads the model that program by saved in s.Model, whose
// settings.json is saved, and the test split of the dataset and range it
// was trained on. The homework's training flags do not apply to a model
// that is exported as it is, and -dataset and -range must be those it was
// trained with: a flag that says otherwise is an error.
func savedModel(s *homework.Settings, fs *flag.FlagSet, saved map[string]any, by string, log io.Writer) (*layers.Sequential, testSet, error) {
	var bad []string
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "model", "out", "data", "download":
		case "dataset", "range":
			if fmt.Sprint(saved[fl.Name]) != fl.Value.String() {
				bad = append(bad, fmt.Sprintf("-%s %s (the model was trained with %v)", fl.Name, fl.Value, saved[fl.Name]))
			}
		default:
			bad = append(bad, "-"+fl.Name)
		}
	})
	if len(bad) > 0 {
		return nil, testSet{}, fmt.Errorf("-model %s holds a model that %s trained, which export takes as it is: %v does not apply", s.Model, by, bad)
	}
	s.Dataset, _ = saved["dataset"].(string)
	s.Range, _ = saved["range"].(string)
	r, err := s.NormRange()
	if err != nil {
		return nil, testSet{}, fmt.Errorf("-model %s: settings.json: %w", s.Model, err)
	}
	model, err := modelfile.LoadFile(filepath.Join(s.Model, homework.ModelFile))
	if err != nil {
		return nil, testSet{}, fmt.Errorf("-model %s: %w", s.Model, err)
	}
	fmt.Fprintf(log, "exporting the model that %s saved in %s, as it is\n", by, s.Model)
	te, err := data.Load(s.Dataset, false, data.Options{Root: s.Root, Download: s.Download, Progress: log})
	if err != nil {
		return nil, testSet{}, err
	}
	return model, testSet{data.Normalize(te, r), te.Labels}, nil
}

// export writes model.safetensors, model.npz and model.py into out, and
// the test set with Go's logits for check.py.
func export(out string, model *layers.Sequential, test testSet, stdout io.Writer) error {
	st, names, err := safetensorsFile(model)
	if err != nil {
		return err
	}
	py, err := torchSequential(model, names)
	if err != nil {
		return fmt.Errorf("model.py: %w", err)
	}

	stPath, nz, pyPath := filepath.Join(out, "model.safetensors"), filepath.Join(out, "model.npz"), filepath.Join(out, "model.py")
	if err := writeBytes(stPath, st); err != nil {
		return err
	}
	if err := modelfile.SaveNPZFile(nz, &modelfile.Checkpoint{Model: model}); err != nil {
		return err
	}
	if err := writeBytes(pyPath, []byte(py)); err != nil {
		return err
	}

	// The whole test split and Go's logits for it, in evaluation mode.
	model.SetTraining(false)
	logits := forward(model, test.x, train.DefaultEvalBatch)
	labels := make([]float64, len(test.labels))
	for i, l := range test.labels {
		labels[i] = float64(l)
	}
	for name, a := range map[string]*npy.Array{
		"test_inputs.npy": {Shape: test.x.Shape, Data: test.x.Data},
		"test_labels.npy": {Shape: []int{len(labels)}, Data: labels, DType: "<i8"},
		"test_logits.npy": {Shape: logits.Shape, Data: logits.Data},
	} {
		if err := writeNPY(filepath.Join(out, name), a); err != nil {
			return err
		}
	}

	fmt.Fprintf(stdout, "wrote %s, %s and %s (%v)\n", stPath, nz, pyPath, model)
	fmt.Fprintf(stdout, "and the test split with Go's logits for check.py in %s\n\n", out)
	fmt.Fprintf(stdout, numpySnippet, nz)
	fmt.Fprintf(stdout, torchSnippet, out, stPath)
	fmt.Fprintf(stdout, "\ncross-check with numpy and PyTorch: python3 examples/export/check.py %s\n", out)
	return nil
}

// safetensorsFile returns the model's safetensors file and the names of
// its tensors (its state_dict keys), in file order.
func safetensorsFile(model *layers.Sequential) ([]byte, []string, error) {
	var b bytes.Buffer
	if err := modelfile.Save(&b, model); err != nil {
		return nil, nil, err
	}
	file, err := safetensors.Parse(b.Bytes())
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(file.Tensors))
	for i, t := range file.Tensors {
		names[i] = t.Name
	}
	return b.Bytes(), names, nil
}

// forward returns the model's logits for the rows of x, batch rows at a
// time: a convolutional network's activations for the whole test split
// at once would take gigabytes.
func forward(model *layers.Sequential, x *tensor.Tensor, batch int) *tensor.Tensor {
	n, d := x.Rows(), x.Cols()
	var logits *tensor.Tensor
	for i := 0; i < n; i += batch {
		j := min(i+batch, n)
		z := model.Forward(tensor.FromData(x.Data[i*d:j*d], j-i, d))
		if logits == nil {
			logits = tensor.New(n, z.Cols())
		}
		copy(logits.Data[i*z.Cols():], z.Data)
	}
	return logits
}

func writeBytes(path string, b []byte) error {
	return atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

func writeNPY(path string, a *npy.Array) error {
	b, err := npy.Marshal(a)
	if err != nil {
		return err
	}
	return writeBytes(path, b)
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

const torchSnippet = `# PyTorch: model.py, written beside the files, is the network as a
# torch.nn.Sequential whose state_dict keys are the files' names
import sys
sys.path.insert(0, %[1]q)
import model

net = model.build()                                        # float64
net.load_state_dict(model.load_safetensors(%[2]q))  # strict: every name and shape
net.eval()                                                 # net.float() for float32
`
