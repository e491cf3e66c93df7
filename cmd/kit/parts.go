package main

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

// parts are the graded parts of the MLP assignment, in the homework's
// order. Parts a–d (data, plots, subsample, batches) and o are done with
// the library and are not graded.
//
// The convolution assignment (naive Conv2d and MaxPool2d forward and
// backward, as CS231n's second assignment) goes beside this one when the
// library has those layers: a second table of parts and a second list of
// studentFiles naming the layers' declarations, its own public and hidden
// tests and README in _student (a subfolder per assignment), and a flag
// -assignment mlp|conv for kit new and kit grade choosing among them. The
// extraction, the grading and the fixture tests need no change.
var parts = []part{
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
