package homework

import (
	"flag"
	"fmt"
	"github.com/backprop-go/backprop/data"
	"math"
	"strings"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/train"
)

// Beyond holds the flags of part k that go beyond the homework's plain SGD
// (issue #14): the optimiser, its learning-rate schedule, early stopping, the
// activation, and the -preset that sets them all at once. Their defaults
// keep the homework's training exactly as it was.
type Beyond struct {
	Optimizer   string  // sgd, momentum, nesterov, adam or adamw
	Momentum    float64 // μ for momentum and nesterov
	WeightDecay float64 // λ: L2 for sgd/momentum/nesterov/adam, decoupled for adamw
	Sched       string  // step (the homework's -decay), cosine or constant
	Warmup      float64 // epochs of linear warm-up before the schedule
	Patience    int     // validation runs without improvement before stopping (0: never)
	RestoreBest bool    // end with the weights of the best validation run
	Activation  string  // relu, leakyrelu, tanh, sigmoid or gelu
	Smoothing   float64 // label smoothing α of the training loss
	BatchNorm   bool    // a BatchNorm1d after every hidden Linear layer
	Dropout     float64 // dropout probability after every hidden activation (0: none)
	Shift       int     // training images shifted by up to ±Shift pixels (0: none)
	Flip        bool    // training images mirrored left-right with probability ½
	TTA         bool    // report accuracy averaged over each test image and its mirror
	Preset      string  // "" or "best"

	opt optim.Optimizer // the optimiser of the last TrainModel, for SaveModel
}

// DefaultLRs maps the optimiser names -optimizer accepts to the learning
// rate each starts from when -lr is not given: SGD the homework's, momentum
// that divided by 1/(1−μ) = 10 (momentum multiplies the step by it), Adam
// and AdamW the usual 0.001. They were not tuned.
var DefaultLRs = map[string]float64{
	"sgd": DefaultLR, "momentum": 0.02, "nesterov": 0.02, "adam": 1e-3, "adamw": 1e-3,
}

// registerBeyond defines the flags of Beyond on fs.
func (b *Beyond) registerBeyond(fs *flag.FlagSet) {
	fs.StringVar(&b.Optimizer, "optimizer", "sgd", "optimiser: sgd, momentum, nesterov, adam or adamw (-lr defaults to 0.2, 0.02, 0.02, 0.001, 0.001)")
	fs.Float64Var(&b.Momentum, "momentum", 0.9, "momentum μ of -optimizer momentum and nesterov")
	fs.Float64Var(&b.WeightDecay, "weight-decay", 0, "weight decay λ: L2 added to the gradient (sgd, momentum, nesterov, adam), decoupled for adamw")
	fs.StringVar(&b.Sched, "schedule", "step", "learning-rate schedule: step (divide by 10 for the last -decay of the updates), cosine (to 0) or constant")
	fs.Float64Var(&b.Warmup, "warmup", 0, "epochs of linear learning-rate warm-up before the schedule")
	fs.IntVar(&b.Patience, "patience", 0, "stop after this many validation runs without a lower validation error (0: never)")
	fs.BoolVar(&b.RestoreBest, "restore-best", false, "end with the weights of the validation run with the lowest error")
	fs.StringVar(&b.Activation, "activation", "relu", "hidden activation: relu, leakyrelu, tanh, sigmoid or gelu")
	fs.Float64Var(&b.Smoothing, "label-smoothing", 0, "label smoothing α in [0, 1) of the training loss")
	fs.BoolVar(&b.BatchNorm, "batchnorm", false, "batch normalisation after every hidden Linear layer, before the activation")
	fs.Float64Var(&b.Dropout, "dropout", 0, "dropout probability after every hidden activation (0: none)")
	fs.IntVar(&b.Shift, "augment", 0, "shift every training image by up to ±k pixels in x and y (0: none)")
	fs.BoolVar(&b.Flip, "flip", false, "mirror training images left-right with probability ½ (FashionMNIST only: a mirrored digit is no digit)")
	fs.BoolVar(&b.TTA, "tta", false, "test-time flip averaging: report accuracy of the mean prediction over each image and its mirror")
	fs.StringVar(&b.Preset, "preset", "", `"best": the recipe of docs/beyond.md (flags given explicitly still win)`)
}

// checkBeyond reports the first Beyond flag whose value cannot work.
func (b *Beyond) checkBeyond() error {
	if _, ok := DefaultLRs[b.Optimizer]; !ok {
		return fmt.Errorf("-optimizer %q: want sgd, momentum, nesterov, adam or adamw", b.Optimizer)
	}
	switch {
	case !(b.Momentum >= 0 && b.Momentum < 1):
		return fmt.Errorf("-momentum %g: want a number in [0, 1)", b.Momentum)
	case !(b.WeightDecay >= 0) || math.IsInf(b.WeightDecay, 0):
		return fmt.Errorf("-weight-decay %g: want a number ≥ 0", b.WeightDecay)
	case b.Sched != "step" && b.Sched != "cosine" && b.Sched != "constant":
		return fmt.Errorf("-schedule %q: want step, cosine or constant", b.Sched)
	case !(b.Warmup >= 0) || math.IsInf(b.Warmup, 0):
		return fmt.Errorf("-warmup %g: want a number of epochs ≥ 0", b.Warmup)
	case b.Patience < 0:
		return fmt.Errorf("-patience %d: want ≥ 0 (0: never stop early)", b.Patience)
	case !(b.Smoothing >= 0 && b.Smoothing < 1):
		return fmt.Errorf("-label-smoothing %g: want a number in [0, 1)", b.Smoothing)
	case !(b.Dropout >= 0 && b.Dropout < 1):
		return fmt.Errorf("-dropout %g: want a probability in [0, 1)", b.Dropout)
	case b.Shift < 0 || b.Shift > 13:
		return fmt.Errorf("-augment %d: want a shift of 0 to 13 pixels", b.Shift)
	case b.Preset != "" && b.Preset != "best":
		return fmt.Errorf("-preset %q: want best (or nothing)", b.Preset)
	}
	if _, _, err := activation(b.Activation); err != nil {
		return err
	}
	return nil
}

// applyPreset fills in the flags a preset sets and that fs did not see on
// the command line, and the optimiser's default learning rate when -lr was
// not given.
func (f *Flags) applyPreset(fs *flag.FlagSet) error {
	set := func(name, value string) error {
		if IsSet(fs, name) {
			return nil
		}
		return fs.Set(name, value)
	}
	if f.Preset == "best" {
		preset := [][2]string{
			{"hidden", "1024,512"}, {"optimizer", "adamw"}, {"lr", "0.001"}, {"weight-decay", "0.05"},
			{"schedule", "cosine"}, {"warmup", "1"}, {"batch", "128"},
			{"label-smoothing", "0.1"}, {"batchnorm", "true"}, {"dropout", "0.3"},
		}
		// FashionMNIST trains for the issue prototype's 60 epochs; MNIST for
		// 20, which already passes (docs/beyond.md has both measurements).
		if f.Dataset == "mnist" { // digits: shifts, never flips
			preset = append(preset, [][2]string{{"epochs", "20"}, {"augment", "2"}}...)
		} else { // clothes: a mirrored shirt is a shirt
			preset = append(preset, [][2]string{{"epochs", "60"}, {"flip", "true"}, {"tta", "true"}}...)
		}
		for _, kv := range preset {
			if err := set(kv[0], kv[1]); err != nil {
				return err
			}
		}
	}
	if lr, ok := DefaultLRs[f.Optimizer]; ok && !IsSet(fs, "lr") && f.Preset == "" {
		f.LR = lr
	}
	return nil
}

// activation returns the layer constructor -activation names and the
// initialisation that suits it: He for the ReLU family (it makes up for the
// half of the inputs they zero), Xavier for tanh and sigmoid, which are
// linear around 0 and keep both halves.
func activation(name string) (func() layers.Layer, layers.Init, error) {
	switch strings.ToLower(name) {
	case "relu":
		return func() layers.Layer { return layers.NewReLU() }, layers.He, nil
	case "leakyrelu":
		return func() layers.Layer { return layers.NewLeakyReLU(0.01) }, layers.He, nil
	case "gelu":
		return func() layers.Layer { return layers.NewGELU("none") }, layers.He, nil
	case "tanh":
		return func() layers.Layer { return layers.NewTanh() }, layers.Xavier, nil
	case "sigmoid":
		return func() layers.Layer { return layers.NewSigmoid() }, layers.Xavier, nil
	}
	return nil, 0, fmt.Errorf("-activation %q: want relu, leakyrelu, tanh, sigmoid or gelu", name)
}

// NewModel builds the network the flags describe for inputs of width sizes[0]
// and sizes[len-1] classes: Linear layers of the given widths, and after
// each hidden one a BatchNorm1d (-batchnorm), the -activation and a Dropout
// (-dropout), the order of most PyTorch MLPs. With the default flags it is
// layers.NewMLP, the homework's network, drawn from the same random numbers.
func (f *Flags) NewModel(sizes []int) (*layers.Sequential, error) {
	act, init, err := activation(f.Activation)
	if err != nil {
		return nil, err
	}
	rng, dropRng := f.Rand(ForInit), f.Rand(ForDropout)
	var ls []layers.Layer
	for i := 0; i+1 < len(sizes); i++ {
		if i > 0 {
			if f.BatchNorm {
				ls = append(ls, layers.NewBatchNorm1d(sizes[i]))
			}
			ls = append(ls, act())
			if f.Dropout > 0 {
				ls = append(ls, layers.NewDropout(f.Dropout, dropRng))
			}
		}
		ls = append(ls, layers.NewLinear(sizes[i], sizes[i+1], init, rng))
	}
	return layers.NewSequential(ls...), nil
}

// ForDropout is the Rand purpose of the dropout masks.
const ForDropout = 5

// NewOptimizer returns the optimiser -optimizer names, with its learning rate
// to be set by the schedule.
func (f *Flags) NewOptimizer() optim.Optimizer {
	switch f.Optimizer {
	case "momentum", "nesterov":
		return &optim.SGD{Momentum: f.Momentum, Nesterov: f.Optimizer == "nesterov", WeightDecay: f.WeightDecay}
	case "adam":
		o := optim.NewAdam(f.LR)
		o.WeightDecay = f.WeightDecay
		return o
	case "adamw":
		return optim.NewAdamW(f.LR, f.WeightDecay)
	}
	if f.WeightDecay != 0 {
		return &optim.SGD{WeightDecay: f.WeightDecay}
	}
	return nil // train's plain SGD, the homework's
}

// LRSchedule returns the learning rate of every update of a run of total
// updates with batchesPerEpoch batches per epoch: the -schedule after
// -warmup epochs of linear warm-up.
func (f *Flags) LRSchedule(total, batchesPerEpoch int) optim.Schedule {
	warm := min(int(math.Round(f.Warmup*float64(batchesPerEpoch))), total-1)
	warm = max(warm, 0)
	var s optim.Schedule
	switch f.Sched {
	case "cosine":
		s = optim.Cosine(f.LR, 0, total-warm)
	case "constant":
		s = optim.Constant(f.LR)
	default: // step: the homework's -decay
		s = optim.Constant(f.LR)
		if f.Decay > 0 {
			s = optim.StepDecay(f.LR, int(math.Round((1-f.Decay)*float64(total-warm))), 0.1)
		}
	}
	return optim.Warmup(warm, s)
}

// describeBeyond describes the optimiser and schedule for titles and logs,
// e.g. "adamw lr 0.001 wd 0.05, cosine, warm-up 1 ep"; "" for the
// homework's plain SGD with a step decay, which Schedule describes.
func (f *Flags) describeBeyond() string {
	if f.Optimizer == "sgd" && f.WeightDecay == 0 && f.Sched == "step" && f.Warmup == 0 && f.Smoothing == 0 && f.Shift == 0 && !f.Flip {
		return ""
	}
	s := fmt.Sprintf("%s lr %g", f.Optimizer, f.LR)
	if f.Optimizer == "momentum" || f.Optimizer == "nesterov" {
		s += fmt.Sprintf(" momentum %g", f.Momentum)
	}
	if f.WeightDecay != 0 {
		s += fmt.Sprintf(" wd %g", f.WeightDecay)
	}
	switch {
	case f.Sched == "step" && f.Decay > 0:
		s += fmt.Sprintf(", /10 at %g%%", 100*(1-f.Decay))
	case f.Sched != "step":
		s += ", " + f.Sched
	}
	if f.Warmup > 0 {
		s += fmt.Sprintf(", warm-up %g ep", f.Warmup)
	}
	if f.Smoothing > 0 {
		s += fmt.Sprintf(", smoothing %g", f.Smoothing)
	}
	if f.Shift > 0 {
		s += fmt.Sprintf(", shifts ±%d", f.Shift)
	}
	if f.Flip {
		s += ", flips"
	}
	return s
}

// configure sets the optimiser, schedule, label smoothing and early stopping of cfg for a
// run of total updates.
func (f *Flags) configure(cfg *train.Config, total, batchesPerEpoch int) {
	cfg.Optimizer = f.NewOptimizer()
	f.opt = cfg.Optimizer
	cfg.Schedule = f.LRSchedule(total, batchesPerEpoch)
	cfg.Patience, cfg.RestoreBest = f.Patience, f.RestoreBest
	cfg.LabelSmoothing = f.Smoothing
}

// HeldOut returns the held-out test set, d.Test: the half of the test split
// that the stratified validation subsample did not take, normalised like the
// rest. Nothing is tuned on it.
func HeldOut(f *Flags, d *Data) (*train.Set, error) {
	if d.Test == nil || d.Test.X.Rows() == 0 {
		return nil, fmt.Errorf("%s: no held-out test image", f.Dataset)
	}
	return d.Test, nil
}

// optimizerState returns the state of the optimiser that trained model, as
// extra tensors for its model file ("optim.0.weight.exp_avg", …); none for
// plain SGD, which keeps no state.
func (f *Flags) optimizerState(model *layers.Sequential) []modelfile.StateTensor {
	if st, ok := f.opt.(optim.Stateful); ok {
		return modelfile.OptimizerTensors(st, model.Params())
	}
	return nil
}

// ForAugment is the Rand purpose of the shifts and flips of -augment and -flip.
const ForAugment = 6

// augment returns the loader's augmentation that -augment and -flip ask
// for, nil for none. Pixels shifted in get the background value of -range.
func (f *Flags) augment(d *Data) *data.Augment {
	if f.Shift == 0 && !f.Flip {
		return nil
	}
	r, _ := f.NormRange() // checked by Parse
	fill := 0.0
	if r == data.MinusOneOne {
		fill = -1
	}
	return &data.Augment{Width: d.TrainSplit.Cols, Height: d.TrainSplit.Rows, Shift: f.Shift, FlipH: f.Flip,
		Fill: fill, Rng: f.Rand(ForAugment)}
}

// Evaluator returns the model to score test images with: model itself, or
// with -tta the average of its predictions on each image and its mirror
// (train.FlipAveraged).
func (f *Flags) Evaluator(model train.Model, d *Data) train.Model {
	if f.TTA {
		return train.FlipAveraged(model, d.TestSplit.Cols, d.TestSplit.Rows)
	}
	return model
}
