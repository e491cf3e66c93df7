package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/npy"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// torchTol is the largest difference between Go's and PyTorch's float64
// logits checkTorch accepts: both compute the same sums, in other orders,
// so they differ by rounding only (about 1e-15 for logits of size 10).
const torchTol = 1e-12

// checkTorch loads the model that from_torch.py saved in dir, from both
// model.safetensors and model.npz, runs it in evaluation mode on
// inputs.npy and compares its logits with PyTorch's (logits.npy). It
// prints the largest difference of each file and fails if one is above
// torchTol or a prediction differs.
func checkTorch(dir string, stdout io.Writer) error {
	x, err := readNPY(filepath.Join(dir, "inputs.npy"))
	if err != nil {
		return err
	}
	want, err := readNPY(filepath.Join(dir, "logits.npy"))
	if err != nil {
		return err
	}
	if len(x.Shape) != 2 || len(want.Shape) != 2 || x.Shape[0] != want.Shape[0] || x.Shape[0] == 0 {
		return fmt.Errorf("%s: inputs.npy %v and logits.npy %v: want N×d inputs and N×classes logits, N > 0", dir, x.Shape, want.Shape)
	}
	var failed []string
	for _, name := range []string{"model.safetensors", "model.npz"} {
		model, err := modelfile.LoadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		// A model that takes other rows would panic in Forward.
		if in, out, err := widths(model); err != nil || in != x.Shape[1] || out != want.Shape[1] {
			return fmt.Errorf("%s: %s maps %d features to %d outputs (0: not fixed by its layers), inputs.npy is %v and logits.npy %v",
				dir, name, in, out, x.Shape, want.Shape)
		}
		model.SetTraining(false)
		got := forward(model, tensor.FromData(x.Data, x.Shape...), train.DefaultEvalBatch)
		diff, same := compare(got.Data, want.Data, want.Shape[1])
		ok := diff <= torchTol && same == x.Shape[0]
		verdict := "ok"
		if !ok {
			verdict = "FAIL"
			failed = append(failed, name)
		}
		if name == "model.safetensors" {
			fmt.Fprintf(stdout, "PyTorch's %v\nand its logits for %d inputs, in %s\n", model, x.Shape[0], dir)
		}
		fmt.Fprintf(stdout, "Go, %-18s max |Δ| %.1e   same predictions %d/%d   %s\n", name, diff, same, x.Shape[0], verdict)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%v: Go's logits differ from PyTorch's by more than %g, or a prediction differs", failed, torchTol)
	}
	fmt.Fprintln(stdout, "Go's logits are PyTorch's")
	return nil
}

// widths is modelfile.Widths, and for a network that starts with
// Unflatten (a convolutional one) the size of the rows Unflatten takes.
func widths(model *layers.Sequential) (in, out int, err error) {
	in, out, err = modelfile.Widths(model)
	if ls := model.Layers(); in == 0 && len(ls) > 0 {
		if u, ok := ls[0].(*layers.Unflatten); ok {
			in = 1
			for _, d := range u.Shape() {
				in *= d
			}
		}
	}
	return in, out, err
}

// compare returns the largest |got−want| (+Inf if one is NaN) and how many
// rows of classes values have the same largest entry in both.
func compare(got, want []float64, classes int) (maxDiff float64, same int) {
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if !(d <= maxDiff) {
			maxDiff = d
			if math.IsNaN(d) {
				maxDiff = math.Inf(1)
			}
		}
	}
	rows := len(got) / classes
	g := tensor.ArgmaxRows(nil, tensor.FromData(got[:rows*classes], rows, classes))
	w := tensor.ArgmaxRows(nil, tensor.FromData(want[:rows*classes], rows, classes))
	for r := range g {
		if g[r] == w[r] {
			same++
		}
	}
	return maxDiff, same
}

// readNPY reads a .npy file, refusing anything that is not a regular file.
func readNPY(path string) (*npy.Array, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := npy.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}
