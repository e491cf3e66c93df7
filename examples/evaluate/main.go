// Evaluate loads a saved model with modelfile.LoadFile, in a program of its
// own, and measures it on the test split: the validation half, the held-out
// half and the whole split. It is how the recipe of docs/beyond.md checks
// that the model file holds everything the trained model was (batch-norm
// statistics included): the accuracies must equal those the training
// program printed.
//
//	go run ./examples/recipe -preset best
//	go run ./examples/evaluate -model out/recipe
//	go run ./examples/cnn
//	go run ./examples/evaluate -model out/cnn
//
// Which half of the test split is validation depends on -dataset, -seed and
// -range, and -tta (part of -preset best on FashionMNIST) averages over each
// image and its mirror. Evaluate reads them from the settings.json saved
// beside the model: a flag not given takes the saved value, and a flag given
// with another value is refused (for -tta, only a warning: scoring without
// flip averaging is a choice). -file names a model file elsewhere; without
// a settings.json beside it the flags are used as given.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"

	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("evaluate", run) }

func run(args []string, stdout, stderr io.Writer) error {
	var s homework.Settings
	var file string
	var tta bool
	flags := homework.NewFlagSet("evaluate", stderr)
	s.RegisterSome(flags, "evaluate", "dataset", "data", "download", "range", "seed", "model")
	flags.StringVar(&file, "file", "", "model file to evaluate (default: model.safetensors in -model)")
	flags.BoolVar(&tta, "tta", false, "test-time flip averaging: the mean prediction over each image and its mirror (default: as saved in settings.json)")
	s.Frac = 0.5 // the training subsample is not used; the halves do not depend on it
	err := homework.Parse(flags, args, func() error {
		if file == "" {
			file = filepath.Join(s.Model, homework.ModelFile)
		}
		if err := useSaved(flags, filepath.Dir(file), &s, &tta, stderr); err != nil {
			return err
		}
		_, err := s.NormRange()
		return err
	})
	if err != nil {
		return err
	}
	model, err := modelfile.LoadFile(file)
	if err != nil {
		return err
	}
	d, err := homework.LoadData(&s, stderr)
	if err != nil {
		return err
	}
	if err := fits(model, d.Val.X.Cols(), len(d.TestSplit.Classes)); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	var eval train.Model = model
	if tta { // the mean over each image and its mirror
		eval = train.FlipAveraged(model, d.TestSplit.Cols, d.TestSplit.Rows)
	}
	_, valErr := train.Evaluate(eval, d.Val, 0)
	_, testErr := train.Evaluate(eval, d.Test, 0)
	n, m := d.Val.X.Rows(), d.Test.X.Rows()
	whole := (float64(n)*(1-valErr) + float64(m)*(1-testErr)) / float64(n+m)
	fmt.Fprintf(stdout, "%s: %v\n", file, model)
	fmt.Fprintf(stdout, "validation accuracy %.2f%% on %d samples\n", 100*(1-valErr), n)
	fmt.Fprintf(stdout, "held-out test accuracy %.2f%% on %d samples; whole test split %.2f%% on %d\n",
		100*(1-testErr), m, 100*whole, n+m)
	return nil
}

// useSaved reads the settings.json in dir, if there is one, and makes s and
// tta agree with it: a flag not given on the command line takes the saved
// value; -dataset, -seed or -range given with another value is an error,
// since they choose which images are validation and which held-out (the
// wrong ones would count images the settings were chosen on as held-out);
// -tta given with another value is a warning on log.
func useSaved(flags *flag.FlagSet, dir string, s *homework.Settings, tta *bool, log io.Writer) error {
	saved, err := homework.ReadSettings(dir)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(log, "no %s beside the model: -dataset %s -seed %d -range %s -tta=%v as given\n",
			homework.SettingsFile, s.Dataset, s.Seed, s.Range, *tta)
		return nil
	}
	if err != nil {
		return err
	}
	where := filepath.Join(dir, homework.SettingsFile)
	for _, name := range []string{"dataset", "seed", "range", "tta"} {
		v, ok := saved[name]
		if !ok {
			continue
		}
		want := fmt.Sprint(v)
		fl := flags.Lookup(name)
		if !homework.IsSet(flags, name) {
			if err := fl.Value.Set(want); err != nil {
				return fmt.Errorf("%s: %s %q: %w", where, name, want, err)
			}
			continue
		}
		if got := fl.Value.String(); got != want {
			if name == "tta" {
				fmt.Fprintf(log, "warning: the model was scored with -tta=%s (%s); these numbers, with -tta=%s, will differ from the training run's\n", want, where, got)
				continue
			}
			return fmt.Errorf("-%s %s: the model was trained with -%s %s (%s), which chooses the validation and held-out halves; drop the flag or give %s",
				name, got, name, want, where, want)
		}
	}
	return nil
}

// fits checks that model can score images of in pixels into classes
// classes. It must have parameters. A network of flat layers is walked the
// way a batch would go through it: each Linear and BatchNorm1d must take
// the width the layer before it gives. A network that turns the rows into
// images (an Unflatten, as examples/cnn's) changes shape layer by layer in
// ways only its layers know, so it is run instead on one blank image, in
// evaluation mode. Either way the last width must be the number of classes,
// and the error names the layer and the mismatch, instead of a panic in the
// first Forward.
func fits(model *layers.Sequential, in, classes int) error {
	if len(model.Params()) == 0 {
		return fmt.Errorf("the model %v has no parameters: nothing was trained", model)
	}
	width, err := flatWidth(model, in)
	if errors.Is(err, errMaps) {
		width, err = runWidth(model, in)
	}
	if err != nil {
		return err
	}
	if width < classes {
		return fmt.Errorf("the model has %d outputs, the dataset has %d classes", width, classes)
	}
	if width > classes {
		return fmt.Errorf("the model has %d outputs, the dataset has %d classes: it was trained for another task", width, classes)
	}
	return nil
}

// errMaps is flatWidth's answer for a network with an Unflatten.
var errMaps = errors.New("the network works on feature maps")

// flatWidth walks a network of flat layers and returns the width of its
// output.
func flatWidth(model *layers.Sequential, in int) (int, error) {
	width := in
	for i, l := range model.Layers() {
		switch l := l.(type) {
		case *layers.Unflatten:
			return 0, errMaps
		case *layers.Linear:
			if l.In() != width {
				return 0, fmt.Errorf("layer %d, %v, takes %d inputs, but %s", i, l, l.In(), gives(i, width))
			}
			width = l.Out()
		case *layers.BatchNorm1d:
			if l.Features() != width {
				return 0, fmt.Errorf("layer %d, %v, normalises %d features, but %s", i, l, l.Features(), gives(i, width))
			}
		}
	}
	return width, nil
}

// runWidth runs model on one blank image of in pixels, in evaluation mode,
// and returns the width of its output; a layer that refuses the shape it
// is given (layers.Sequential names it in its panic) becomes the error.
func runWidth(model *layers.Sequential, in int) (width int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the network cannot take images of %d pixels: %v", in, r)
		}
	}()
	defer model.SetTraining(model.Training())
	model.SetTraining(false)
	out := model.Forward(tensor.New(1, in))
	if out.Dims() != 2 {
		return 0, fmt.Errorf("the network's output has shape %v for one image, want [1 classes]", out.Shape)
	}
	return out.Shape[1], nil
}

// gives says what reaches layer i: the images' pixels, or the width of the
// layers before it.
func gives(i, width int) string {
	if i == 0 {
		return "the images have " + strconv.Itoa(width) + " pixels"
	}
	return "the layers before it give " + strconv.Itoa(width)
}
