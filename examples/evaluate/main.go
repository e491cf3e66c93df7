// Evaluate loads a saved model with modelfile.LoadFile, in a program of its
// own, and measures it on the test split: the validation half, the held-out
// half and the whole split. It is how the recipe of docs/beyond.md checks
// that the model file holds everything the trained model was (batch-norm
// statistics included): the accuracies must equal part k's.
//
//	go run ./examples/partk -preset best -out out/best
//	go run ./examples/evaluate -model out/best -tta
//
// -dataset, -frac, -seed and -range must be those of the training run, since
// they choose which half of the test split is validation, and -tta (part of
// -preset best on FashionMNIST) averages over each image and its mirror as
// part k did; -file names a model file elsewhere.
package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("evaluate", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var f homework.Flags
	var file string
	if _, err := f.ParseWith("evaluate", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "file", "", "model file to evaluate (default: model.safetensors in -model)")
	}); err != nil {
		return err
	}
	if file == "" {
		file = filepath.Join(f.Model, homework.ModelFile)
	}
	model, err := modelfile.LoadFile(file)
	if err != nil {
		return err
	}
	d, err := homework.LoadData(&f, stderr)
	if err != nil {
		return err
	}
	test, err := homework.HeldOut(&f, d)
	if err != nil {
		return err
	}
	if model.Params()[0].Value.Cols() != d.Val.X.Cols() {
		return fmt.Errorf("%s takes %d inputs, the %s images have %d", file, model.Params()[0].Value.Cols(), f.Dataset, d.Val.X.Cols())
	}
	eval := f.Evaluator(model, d) // with -tta, the mean over each image and its mirror
	_, valErr := train.Evaluate(eval, d.Val, 0)
	_, testErr := train.Evaluate(eval, test, 0)
	n, m := d.Val.X.Rows(), test.X.Rows()
	whole := (float64(n)*(1-valErr) + float64(m)*(1-testErr)) / float64(n+m)
	fmt.Fprintf(stdout, "%s: %v\n", file, model)
	fmt.Fprintf(stdout, "validation accuracy %.2f%% on %d samples\n", 100*(1-valErr), n)
	fmt.Fprintf(stdout, "held-out test accuracy %.2f%% on %d samples; whole test split %.2f%% on %d\n",
		100*(1-testErr), m, 100*whole, n+m)
	return nil
}
