package main

import (
	"fmt"
	"strings"
)

// A part is one graded piece of the assignment: its letter in the homework,
// what the student writes, the points it is worth and the time a student
// typically needs (docs/teaching.md repeats these).
type part struct {
	ID      string // the homework's letter, e.g. "e"
	Title   string
	Files   []string // the student files it is written in
	Max     int      // points
	Minutes int      // typical time for a student who has read the homework
}

// An assignment is one homework the kit hands out and grades: its parts,
// the student files they are written in, and the folder of _student with
// its README, public tests and hidden checks. Each is a module of its own
// (kit new -assignment NAME): a course hands them out weeks apart and
// grades them as separate Gradescope assignments, and the convolution
// assignment needs neither FashionMNIST nor a training run to grade.
type assignment struct {
	Name    string // the -assignment flag's value
	Package string // the student package's name
	Dir     string // its folder in _student: README.md, public_test.go, grade_test.go
	Parts   []part
	Files   []studentFile
}

// assignments are the kit's assignments, the first the default.
var assignments = []*assignment{
	{Name: "mlp", Package: "mlp", Dir: "mlp", Parts: mlpParts, Files: mlpFiles},
	{Name: "conv", Package: "conv", Dir: "conv", Parts: convParts, Files: convFiles},
}

// findAssignment returns the assignment called name.
func findAssignment(name string) (*assignment, error) {
	var names []string
	for _, a := range assignments {
		if a.Name == name {
			return a, nil
		}
		names = append(names, a.Name)
	}
	return nil, fmt.Errorf("-assignment %q: the kit has %s", name, strings.Join(names, " and "))
}

// mlpParts are the graded parts of the MLP assignment, in the homework's
// order. Parts a–d (data, plots, subsample, batches) and o are done with
// the library and are not graded.
var mlpParts = []part{
	{"e", "Linear forward, Z = A Wᵀ + 1bᵀ", []string{"linear.go"}, 10, 30},
	{"f", "matrix product C = α op(A) op(B) + βC, loops", []string{"gemm.go"}, 10, 30},
	{"g", "Linear backward: ∂L/∂W, ∂L/∂b, ∂L/∂A", []string{"linear.go"}, 15, 60},
	{"h", "ReLU forward and backward", []string{"relu.go"}, 10, 20},
	{"i", "softmax cross-entropy forward and backward, error rate", []string{"loss.go"}, 15, 60},
	{"j", "central differences and relative error", []string{"gradcheck.go"}, 10, 30},
	{"k", "SGD step and the training loop", []string{"sgd.go", "train.go"}, 15, 60},
	{"l", "validation every 500 updates", []string{"train.go"}, 10, 20},
	{"m", "training and validation curves (PNG)", []string{"curves.go"}, 5, 20},
}

// mlpFiles lists the student files of the MLP assignment and the library
// declarations each is made of. Items with a part are the ones the student
// writes; the others are handed out whole. From "" is the kit's own
// solution set (internal/solution): the library has no plain training loop,
// and its central difference also estimates its rounding noise.
var mlpFiles = []studentFile{
	{
		Name: "gemm.go", From: "tensor",
		Doc:   "// Part f: the general matrix product, written as loops. The library's fast\n// kernels are tensor.Gemm; yours is the reference they are tested against.\n",
		Items: []item{{"NaiveGemm", "f", ""}},
	},
	{
		Name: "linear.go", From: "layers",
		Doc: "// Parts e and g: the fully connected layer. See README.md and the\n// documentation of package layers for the maths.\n",
		Items: []item{
			{"Linear", "", ""}, {"NewLinear", "", ""},
			{"Linear.Forward", "e", ""}, {"Linear.Backward", "g", ""},
			{"Linear.Params", "", ""}, {"Linear.String", "", ""},
		},
	},
	{
		Name: "relu.go", From: "layers",
		Doc: "// Part h: the ReLU activation.\n",
		Items: []item{
			{"ReLU", "", ""}, {"NewReLU", "", ""},
			{"ReLU.Forward", "h", ""}, {"ReLU.Backward", "h", ""},
			{"ReLU.Params", "", ""}, {"ReLU.String", "", ""},
		},
	},
	{
		Name: "loss.go", From: "loss",
		Doc: "// Part i: softmax cross-entropy and the error rate. The tests use\n// Smoothing 0: you may ignore label smoothing.\n",
		Items: []item{
			{"SoftmaxCrossEntropy", "", ""},
			{"SoftmaxCrossEntropy.Forward", "i", ""}, {"SoftmaxCrossEntropy.Backward", "i", ""},
			{"SoftmaxCrossEntropy.Probs", "", ""},
			{"ErrorRate", "i", ""},
		},
	},
	{
		Name: "gradcheck.go", From: "gradcheck",
		Doc: "// Part j: the numerical derivative and the relative error of a gradient check.\n",
		// The library's central difference also estimates its rounding
		// noise; the plain one is the kit's.
		Items: []item{{"central", "j", kitSolution}, {"RelErr", "j", ""}},
	},
	{
		Name: "sgd.go", From: "layers",
		Doc:   "// Part k: the SGD step.\n",
		Items: []item{{"SGD", "", ""}, {"SGD.Step", "k", ""}},
	},
	{
		Name: "train.go", From: kitSolution,
		Doc: "// Parts k and l: the training loop, with a validation every EvalEvery updates.\n",
		Items: []item{
			{"Loss", "", ""}, {"Optimizer", "", ""}, {"Config", "", ""}, {"Eval", "", ""}, {"History", "", ""},
			{"Train", "k", ""}, {"Evaluate", "l", ""},
		},
	},
	{
		Name: "curves.go", From: kitSolution,
		Doc:   "// Part m: the curves of a training run.\n",
		Items: []item{{"SaveCurves", "m", ""}},
	},
}

// convParts are the graded parts of the convolution assignment, CS231n's
// second assignment in the library's notation (eqs. C0–C4, P1, P2 of package
// layers). They are numbered c1–c4 so that they are never taken for the
// MLP homework's letters.
var convParts = []part{
	{"c1", "Conv2d forward, naive loops (stride, zero padding)", []string{"conv.go"}, 20, 60},
	{"c2", "Conv2d backward: ∂L/∂X, ∂L/∂W, ∂L/∂b", []string{"conv.go"}, 30, 90},
	{"c3", "MaxPool2d forward", []string{"pool.go"}, 15, 30},
	{"c4", "MaxPool2d backward, ties to the first maximum", []string{"pool.go"}, 15, 30},
}

// convFiles lists the student files of the convolution assignment: the
// library's own naive loops (layers/conv_naive.go), which its fast Conv2d
// is tested against, and its MaxPool2d with the helpers that check shapes
// and walk the windows handed out whole.
var convFiles = []studentFile{
	{
		Name: "conv.go", From: "layers",
		Doc: "// Parts c1 and c2: the convolution as loops over every index. See\n// README.md and the documentation of package layers (eqs. C0–C4) for the maths.\n",
		Items: []item{
			{"convGeom", "", ""},
			{"convForwardNaive", "c1", ""}, {"convBackwardNaive", "c2", ""},
		},
	},
	{
		Name: "pool.go", From: "layers",
		Doc: "// Parts c3 and c4: max pooling (eqs. P1 and P2 of package layers).\n",
		Items: []item{
			{"poolGeom", "", ""}, {"poolGeom.windows", "", ""},
			{"pool", "", ""}, {"pool.forward", "", ""}, {"pool.backward", "", ""},
			{"MaxPool2d", "", ""}, {"NewMaxPool2d", "", ""},
			{"MaxPool2d.Forward", "c3", ""}, {"MaxPool2d.Backward", "c4", ""},
			{"MaxPool2d.Params", "", ""}, {"MaxPool2d.String", "", ""},
		},
	},
}
