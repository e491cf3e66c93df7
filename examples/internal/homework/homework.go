// Package homework holds what the part-by-part example programs share: the
// command-line flags, loading and preprocessing the data (parts a and c),
// and training a model or reusing the one part k saved (parts k to o).
//
// It is internal to examples/ because it is glue for those programs, not
// library API: a student's own program would call data, layers and train
// directly, as this file does.
package homework

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/backprop-go/backprop/atomicfile"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/internal/fileutil"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// Main runs one part's program: run gets the command-line arguments and
// writes its answer to stdout and its progress to stderr. An error, including
// a bad flag, ends the program with one line on stderr and exit status 1;
// -h prints the flags and exits with status 0, as the flag package does.
//
// Ctrl-C (SIGINT) or SIGTERM removes the temporary files of saves in
// progress (atomicfile.RemovePending) before the program ends with status
// 130, so an interrupted run leaves nothing half-written behind.
func Main(part string, run func(args []string, stdout, stderr io.Writer) error) {
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-interrupted
		atomicfile.RemovePending()
		fmt.Fprintf(os.Stderr, "\n%s: %v: stopped\n", part, s)
		os.Exit(130)
	}()
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp): // -h: the usage is printed, nothing failed
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", part, err)
		os.Exit(1)
	}
}

// Parse registers f's flags for part on a new flag set and parses args.
// The flag package's own message for a bad flag goes to stderr; the error
// returned is short.
func (f *Flags) Parse(part string, args []string, stderr io.Writer) (*flag.FlagSet, error) {
	return f.ParseWith(part, args, stderr, nil)
}

// ParseWith is Parse for a program with flags of its own: extra, if not nil,
// defines them on the flag set before parsing.
func (f *Flags) ParseWith(part string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet(part, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.Register(fs, part)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	if err := f.applyPreset(fs); err != nil {
		return nil, err
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	return fs, nil
}

// Check reports the first flag whose value cannot work, before any data is
// loaded or any training starts.
func (f *Flags) Check() error {
	if _, err := f.Sizes(1, 1); err != nil {
		return err
	}
	if _, err := f.NormRange(); err != nil {
		return err
	}
	switch {
	case !(f.LR > 0) || math.IsInf(f.LR, 0):
		return fmt.Errorf("-lr %g: want a positive learning rate", f.LR)
	case f.Batch <= 0:
		return fmt.Errorf("-batch %d: want a positive batch size", f.Batch)
	case !(f.Frac > 0 && f.Frac <= 1):
		return fmt.Errorf("-frac %g: want a fraction in (0, 1]", f.Frac)
	case !(f.Decay >= 0 && f.Decay <= 1):
		return fmt.Errorf("-decay %g: want a fraction in [0, 1]", f.Decay)
	case f.Updates < 0:
		return fmt.Errorf("-updates %d: want a positive number, or 0 to train for -epochs", f.Updates)
	case f.Updates == 0 && f.Epochs <= 0:
		return fmt.Errorf("-epochs %d: want a positive number of epochs (or set -updates)", f.Epochs)
	case f.EvalEvery <= 0:
		return fmt.Errorf("-eval-every %d: want a positive number of updates", f.EvalEvery)
	}
	if err := f.checkMemory(); err != nil {
		return err
	}
	return f.checkBeyond()
}

// NoFlags parses args for a program that takes no flags, such as the worked
// examples of parts e to i: -h prints the usage to stderr, and any flag or
// argument is an error.
func NoFlags(part string, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(part, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (this program takes none)", fs.Arg(0))
	}
	return nil
}

// IsSet reports whether the flag called name was given on the command line.
func IsSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// Flags are the knobs of the training examples. The defaults are the
// homework's: SGD, batch 64, 50% stratified subsample, [0,1] inputs.
type Flags struct {
	Dataset   string  // "fashion" or "mnist"
	Root      string  // data root folder ("" searches the usual places)
	Download  bool    // download the data when it is not found
	Hidden    string  // hidden layer widths, comma separated, e.g. "256,128"
	LR        float64 // SGD learning rate
	Epochs    int     // passes over the training subsample
	Updates   int     // total weight updates; overrides Epochs when > 0
	Decay     float64 // fraction of the updates, at the end, run at LR/10
	Batch     int     // batch size
	EvalEvery int     // validate every this many updates
	Frac      float64 // fraction of each class kept, per split
	Range     string  // input range: "0,1" or "-1,1"
	Seed      uint64  // seed for every random choice
	Out       string  // output folder
	Model     string  // folder of part k's model, reused by parts l–o
	Beyond            // optimisers, schedules, early stopping, activations (issue #14)
}

// The defaults of the network and of its training, chosen on the validation
// set so that a full run of part k takes well under a minute on two cores.
// docs/homework.md gives what they reach on validation and on the held-out
// test set, for three seeds; the assignment itself sets no accuracy target.
const (
	DefaultHidden = "256,128"
	DefaultLR     = 0.2
	DefaultEpochs = 20
	DefaultDecay  = 0.25
)

// Register defines the flags on fs with the homework's defaults; part names
// the default output folder ./out/<part>.
func (f *Flags) Register(fs *flag.FlagSet, part string) {
	fs.StringVar(&f.Dataset, "dataset", "fashion", "dataset: fashion or mnist")
	fs.StringVar(&f.Root, "data", "", "data root folder, searched first and where a download goes (then $BACKPROP_DATA, ./data, /usr/share/datasets)")
	fs.BoolVar(&f.Download, "download", true, "download the dataset from the official mirrors when it is not found")
	fs.StringVar(&f.Hidden, "hidden", DefaultHidden, "hidden layer widths, comma separated (e.g. 256,128); empty for none")
	fs.Float64Var(&f.LR, "lr", DefaultLR, "SGD learning rate")
	fs.IntVar(&f.Epochs, "epochs", DefaultEpochs, "epochs over the training subsample")
	fs.IntVar(&f.Updates, "updates", 0, "total weight updates (overrides -epochs when > 0)")
	fs.Float64Var(&f.Decay, "decay", DefaultDecay, "fraction of the updates, at the end, trained with the learning rate divided by 10 (0: constant rate)")
	fs.IntVar(&f.Batch, "batch", 64, "batch size")
	fs.IntVar(&f.EvalEvery, "eval-every", 500, "evaluate on the validation set every this many updates")
	fs.Float64Var(&f.Frac, "frac", 0.5, "fraction of each class of the training split kept for training (validation is always the stratified half of the test split, held-out test the other half)")
	fs.StringVar(&f.Range, "range", "0,1", "input normalisation range: 0,1 or -1,1")
	fs.Uint64Var(&f.Seed, "seed", 1, "seed for the subsample, the initial weights and the shuffling")
	fs.StringVar(&f.Out, "out", filepath.Join("out", part), "output folder")
	fs.StringVar(&f.Model, "model", filepath.Join("out", "partk"), "folder of part k's model and history, reused when its settings match")
	f.Beyond.registerBeyond(fs)
}

// DatasetName returns the name figures and reports use for a dataset, given
// either the -dataset flag ("fashion", "mnist") or a Dataset's Name
// ("fashion-mnist"): FashionMNIST or MNIST.
func DatasetName(name string) string {
	switch strings.ToLower(name) {
	case "fashion", "fashion-mnist", "fashionmnist":
		return "FashionMNIST"
	case "mnist":
		return "MNIST"
	}
	return name
}

// Name is DatasetName of the -dataset flag.
func (f *Flags) Name() string { return DatasetName(f.Dataset) }

// Scores describes the final validation and held-out test results of the
// run h of model, one line each, and the whole test split (both halves, the
// number published results quote), for parts k and n. With restore-best the
// model is the best validation run's, and so is the validation line; with
// -tta validation is measured again on the flip-averaged model (the
// held-out result in h already is).
func Scores(f *Flags, model train.Model, h *train.History, d *Data) string {
	s := ""
	var v train.Point
	if n := len(h.Val); n > 0 {
		v = h.Val[n-1]
		if h.Restored {
			v = h.Best
			s += fmt.Sprintf("restored the weights of update %d, the lowest validation error\n", v.Update)
		}
		if f.TTA && model != nil {
			v.Loss, v.Error = train.Evaluate(f.Evaluator(model, d), d.Val, 0)
		}
		s += fmt.Sprintf("validation accuracy    %.2f%% (loss %.4f) on %d images: half of the test split, used to choose the settings\n",
			100*(1-v.Error), v.Loss, d.Val.X.Rows())
	}
	if n := len(h.Test); n > 0 {
		t := h.Test[n-1]
		s += fmt.Sprintf("held-out test accuracy %.2f%% (loss %.4f) on %d images: the other half, used for nothing else\n",
			100*(1-t.Error), t.Loss, d.Test.X.Rows())
		if len(h.Val) > 0 {
			nv, nt := float64(d.Val.X.Rows()), float64(d.Test.X.Rows())
			s += fmt.Sprintf("whole test split       %.2f%% on %d images (both halves together)\n",
				100*(nv*(1-v.Error)+nt*(1-t.Error))/(nv+nt), d.Val.X.Rows()+d.Test.X.Rows())
		}
	}
	return s
}

// RegisterSome defines on fs only the named flags of Register, for a
// program such as the sweep that sets some knobs itself: its -h then lists
// only what it reads. Defaults can be changed afterwards with SetDefault.
func (f *Flags) RegisterSome(fs *flag.FlagSet, part string, names ...string) {
	all := flag.NewFlagSet(part, flag.ContinueOnError)
	f.Register(all, part)
	for _, name := range names {
		fl := all.Lookup(name)
		if fl == nil {
			panic("homework: RegisterSome: no flag " + name)
		}
		fs.Var(fl.Value, fl.Name, fl.Usage)
	}
}

// SetDefault changes the default of the flag name on fs, both its value and
// what -h shows.
func SetDefault(fs *flag.FlagSet, name, value string) {
	fl := fs.Lookup(name)
	if fl == nil {
		panic("homework: SetDefault: no flag " + name)
	}
	if err := fl.Value.Set(value); err != nil {
		panic(fmt.Sprintf("homework: SetDefault(%s, %q): %v", name, value, err))
	}
	fl.DefValue = value
}

// Sizes returns the layer widths of the network: 784, the hidden widths, 10.
func (f *Flags) Sizes(in, classes int) ([]int, error) {
	sizes := []int{in}
	if strings.TrimSpace(f.Hidden) == "" {
		return []int{in, classes}, nil // no hidden layer: a linear classifier
	}
	for _, s := range strings.Split(f.Hidden, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || w <= 0 {
			return nil, fmt.Errorf("-hidden %q: widths must be positive integers", f.Hidden)
		}
		sizes = append(sizes, w)
	}
	return append(sizes, classes), nil
}

// NormRange returns the data.Range that -range names.
func (f *Flags) NormRange() (data.Range, error) {
	switch strings.ReplaceAll(f.Range, " ", "") {
	case "0,1", "[0,1]", "01":
		return data.ZeroOne, nil
	case "-1,1", "[-1,1]", "-11":
		return data.MinusOneOne, nil
	}
	return 0, fmt.Errorf("-range %q: want 0,1 or -1,1", f.Range)
}

// Schedule describes the learning rate, e.g. "lr 0.2→0.02 at 75%".
func (f *Flags) Schedule() string {
	if d := f.describeBeyond(); d != "" {
		return d
	}
	if f.Decay <= 0 {
		return fmt.Sprintf("lr %g", f.LR)
	}
	return fmt.Sprintf("lr %g→%g at %g%%", f.LR, f.LR/10, 100*(1-f.Decay))
}

// Rand returns the random stream for one purpose. Each purpose (subsample,
// init, shuffle) has its own stream derived from the one seed, so changing
// the number of epochs, say, does not change the initial weights.
func (f *Flags) Rand(purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(f.Seed, purpose))
}

// The purposes passed to Rand.
const (
	ForSubsample = 1
	ForInit      = 2
	ForShuffle   = 3
	ForPlots     = 4
	ForTrainEval = 5
)

// TrainEvalSize is how many training images part n's training snapshots
// evaluate (Config.TrainEval): as many as the validation set has.
const TrainEvalSize = 5000

// Data is the homework's data after part c: both full splits, the indices
// kept by the stratified subsamples, and the normalised sets.
//
// The test split is cut in two stratified halves: validation, on which the
// defaults were chosen, the learning curves are drawn and the sweep compares
// settings, and the held-out test set, which nothing is tuned on and which is
// evaluated only once training is over. -frac shrinks the training set only.
type Data struct {
	TrainSplit, TestSplit *data.Dataset
	TrainIdx              []int // rows of TrainSplit kept for training
	ValIdx, TestIdx       []int // rows of TestSplit: validation, and the other half
	Train, Val, Test      *train.Set
}

// LoadData finds (or downloads) the dataset, keeps f.Frac of each class of
// the training split, cuts the test split into validation and held-out test
// halves, and normalises them. Messages go to log.
//
// The subsamples draw from one stream in a fixed order, and a class's
// shuffle does not depend on the fraction kept, so the validation and test
// halves are the same whatever -frac is, and a smaller -frac keeps a subset
// of the images a larger one keeps.
func LoadData(f *Flags, log io.Writer) (*Data, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	opts := data.Options{Root: f.Root, Download: f.Download, Progress: log}
	tr, err := data.Load(f.Dataset, true, opts)
	if err != nil {
		return nil, err
	}
	te, err := data.Load(f.Dataset, false, opts)
	if err != nil {
		return nil, err
	}
	r, _ := f.NormRange() // checked above
	rng := f.Rand(ForSubsample)
	d := &Data{TrainSplit: tr, TestSplit: te}
	d.TrainIdx = data.StratifiedSubsample(tr.Labels, len(tr.Classes), f.Frac, rng)
	d.ValIdx = data.StratifiedSubsample(te.Labels, len(te.Classes), 0.5, rng)
	d.TestIdx = complement(d.ValIdx, te.N)
	if len(d.TrainIdx) == 0 {
		return nil, fmt.Errorf("-frac %g keeps no training image: want at least one", f.Frac)
	}
	set := func(ds *data.Dataset, idx []int) *train.Set {
		sub := ds.Subset(idx)
		return &train.Set{X: data.Normalize(sub, r), Y: sub.IntLabels()}
	}
	d.Train, d.Val, d.Test = set(tr, d.TrainIdx), set(te, d.ValIdx), set(te, d.TestIdx)
	return d, nil
}

// complement returns the indices below n that the ascending list idx lacks.
func complement(idx []int, n int) []int {
	rest := make([]int, 0, n-len(idx))
	k := 0
	for i := range n {
		if k < len(idx) && idx[k] == i {
			k++
			continue
		}
		rest = append(rest, i)
	}
	return rest
}

// TrainEvalSet returns the fixed training subset that part n's snapshots
// evaluate: TrainEvalSize images of d.Train, stratified, chosen with their
// own random stream (all of d.Train when it is not larger).
func TrainEvalSet(f *Flags, d *Data) *train.Set {
	n := d.Train.X.Rows()
	if n <= TrainEvalSize {
		return d.Train
	}
	labels := make([]uint8, n)
	for i, y := range d.Train.Y {
		labels[i] = uint8(y)
	}
	idx := data.StratifiedSubsample(labels, len(d.TrainSplit.Classes), float64(TrainEvalSize)/float64(n), f.Rand(ForTrainEval))
	cols := d.Train.X.Cols()
	s := &train.Set{X: tensor.New(len(idx), cols), Y: make([]int, len(idx))}
	for k, i := range idx {
		copy(s.X.Row(k), d.Train.X.Row(i))
		s.Y[k] = d.Train.Y[i]
	}
	return s
}

// EvaluateTest evaluates model on the held-out test half, once, and appends
// the result to h.Test, labelled with the last update of the run. With -tta
// it evaluates the flip-averaged model (Flags.Evaluator). A Data without a
// held-out set (one built by hand, not by LoadData) adds nothing.
func EvaluateTest(f *Flags, model train.Model, d *Data, h *train.History) {
	if d.Test == nil || d.Test.X.Rows() == 0 {
		return
	}
	l, e := train.Evaluate(f.Evaluator(model, d), d.Test, 0)
	p := train.Point{Loss: l, Error: e}
	if n := len(h.Train); n > 0 {
		p.Update, p.Epoch = h.Train[n-1].Update, h.Train[n-1].Epoch
	}
	h.Test = append(h.Test, p)
}

// TrainModel builds the network f describes and trains it on d, printing
// progress to log.
//
// With -decay, the learning rate is divided by ten for the last part of the
// updates (train.StepDecay): a large rate moves fast but keeps the weights
// bouncing around the minimum with the noise of each batch of 64; the small
// one lets them settle. It is still plain SGD.
//
// hooks, if any, are passed to train.Run (examples/diagnose and part k's
// -report record the diagnostics of package diagnose through them).
func TrainModel(f *Flags, d *Data, log io.Writer, hooks ...train.Hook) (*layers.Sequential, *train.History, error) {
	if err := f.Check(); err != nil {
		return nil, nil, err
	}
	sizes, _ := f.Sizes(d.Train.X.Cols(), len(d.TrainSplit.Classes)) // checked above
	model, err := f.NewModel(sizes)
	if err != nil {
		return nil, nil, err
	}
	loader := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{
		BatchSize: f.Batch, Shuffle: true, Rng: f.Rand(ForShuffle), Augment: f.augment(d),
	})
	cfg := train.Config{
		LR: f.LR, Epochs: f.Epochs, Updates: f.Updates, EvalEvery: f.EvalEvery, Progress: log,
		TrainEval: TrainEvalSet(f, d),
	}
	total, err := f.TotalUpdates(d.Train.X.Rows())
	if err != nil {
		return nil, nil, err
	}
	f.configure(&cfg, total, loader.NumBatches())
	cfg.Hooks = append(cfg.Hooks, hooks...)
	fmt.Fprintf(log, "training %v on %d samples, batch %d, %s, validating on %d samples every %d updates\n",
		sizes, d.Train.X.Rows(), f.Batch, f.Schedule(), d.Val.X.Rows(), f.EvalEvery)
	h, err := train.Run(model, loader, d.Val, cfg)
	if err != nil {
		return model, h, err
	}
	if w := ChanceWarning(h, len(d.TrainSplit.Classes)); w != "" {
		fmt.Fprintln(log, w)
	}
	EvaluateTest(f, model, d, h) // once, after training: nothing was chosen by it
	return model, h, nil
}

// TotalUpdates returns the number of updates f asks for on n training
// samples: -updates, or -epochs times the batches of one epoch. A product
// that overflows is an error naming the flags, not a wrapped-around count.
func (f *Flags) TotalUpdates(n int) (int, error) {
	if f.Updates > 0 {
		return f.Updates, nil
	}
	perEpoch := n/f.Batch + min(n%f.Batch, 1) // ⌈n/batch⌉ without overflow
	if perEpoch > 0 && f.Epochs > (math.MaxInt-1)/perEpoch {
		return 0, fmt.Errorf("-epochs %d of %d batches each is too many updates (more than %d)", f.Epochs, perEpoch, math.MaxInt-1)
	}
	return f.Epochs * perEpoch, nil
}

// ChanceWarning returns a one-line warning when the last validation of h is
// no better than guessing among classes (at most 2 points below chance's
// error), "" otherwise. A learning rate far too high often ends there
// without a NaN: a few huge steps push every ReLU of a layer below zero,
// where the gradient is zero, and the network answers the same class for
// every image.
func ChanceWarning(h *train.History, classes int) string {
	if h == nil || len(h.Val) == 0 || classes < 2 {
		return ""
	}
	v := h.Val[len(h.Val)-1]
	chance := 1 - 1/float64(classes)
	if v.Error < chance-0.02 {
		return ""
	}
	return fmt.Sprintf("warning: the final model is no better than chance (validation error %.2f%%, guessing gives %.2f%%): the learning rate (-lr %g) is probably too high", 100*v.Error, 100*chance, h.LR)
}

// CheckFolders creates every output folder it is given, as pairs of flag
// name and folder ("-out", f.Out, …), and checks that a file can be written
// in it, before any work: a bad -out found after training would throw the
// trained model away. The error names the flag.
func CheckFolders(flagDirs ...string) error {
	for i := 0; i+1 < len(flagDirs); i += 2 {
		flag, dir := flagDirs[i], flagDirs[i+1]
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%s %s: %w", flag, dir, err)
		}
		probe, err := os.CreateTemp(dir, ".write-check*")
		if err != nil {
			return fmt.Errorf("%s %s: cannot write there: %w", flag, dir, err)
		}
		probe.Close()
		os.Remove(probe.Name())
	}
	return nil
}

// settings is what identifies a trained model: if any of it differs, the
// saved model is not the one asked for and is trained again. Validation and
// HeldOutTest say which images those sets are (a model saved before the
// held-out test existed lacks them and is trained again).
type settings struct {
	Dataset, Hidden, Range            string
	LR, Frac, Decay                   float64
	Epochs, Updates, Batch, EvalEvery int
	Seed                              uint64
	Beyond                            Beyond
	Validation, HeldOutTest           string
}

// The sets named in settings.json.
const (
	validationSet  = "stratified half of the test split (random stream 1 of the seed, drawn after the training subsample)"
	heldOutTestSet = "the other half of the test split, evaluated once after training; history.csv rows \"test\""
)

func (f *Flags) settings() settings {
	b := f.Beyond
	b.Preset = "" // what the preset set is in the other fields
	b.opt = nil
	return settings{f.Dataset, f.Hidden, f.Range, f.LR, f.Frac, f.Decay, f.Epochs, f.Updates, f.Batch, f.EvalEvery, f.Seed, b,
		validationSet, heldOutTestSet}
}

// The files a trained model is kept in, inside its folder. The model is a
// safetensors file (modelfile.SaveFile), which PyTorch and numpy read too; a
// folder from before that holds OldModelFile (BPNN) instead, which is still
// read.
const (
	ModelFile    = "model.safetensors"
	OldModelFile = "model.bin"
	HistoryFile  = "history.csv"
	SettingsFile = "settings.json"
)

// SaveModel writes the model, its history and the settings that made it
// into dir.
//
// settings.json is what says the folder may be reused, so it is removed
// first and written last: a program killed between the renames leaves a
// folder without it, which is trained again, never one whose settings
// describe a model or history it does not hold.
func SaveModel(dir string, f *Flags, model *layers.Sequential, h *train.History) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, SettingsFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// The optimiser's state (momentum, Adam's moments) goes into the same
	// file under its own names, so training could resume from it.
	c := &modelfile.Checkpoint{Model: model, Extra: f.optimizerState(model)}
	if err := modelfile.SaveCheckpointFile(filepath.Join(dir, ModelFile), c); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, HistoryFile), h.WriteCSV); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SettingsFile), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(f.settings())
	})
}

// Model returns the model part k trained with the same settings, loaded from
// f.Model, or trains it now (and saves it there) when it is absent or was
// trained with other settings.
func Model(f *Flags, d *Data, log io.Writer) (*layers.Sequential, *train.History, error) {
	// A save killed in an earlier run left temporary files here; a run that
	// reuses the model saves nothing, so remove them now.
	for _, name := range []string{ModelFile, OldModelFile, HistoryFile, SettingsFile} {
		atomicfile.RemoveStale(filepath.Join(f.Model, name))
	}
	model, h, err := loadModel(f, d.Train.X.Cols(), len(d.TrainSplit.Classes))
	if err == nil {
		fmt.Fprintf(log, "reusing the model in %s (same settings)\n", f.Model)
		return model, h, nil
	}
	fmt.Fprintf(log, "no reusable model in %s (%v): training one\n", f.Model, err)
	model, h, err = TrainModel(f, d, log)
	if err != nil {
		return nil, nil, err
	}
	return model, h, SaveModel(f.Model, f, model, h)
}

// LoadPartKModel is the start of parts l to o: it parses part's flags from
// args, loads the data they describe (LoadData), and returns part k's model
// and history, reused or trained (Model). Messages go to log.
func LoadPartKModel(part string, args []string, log io.Writer) (*Flags, *Data, *layers.Sequential, *train.History, error) {
	f := new(Flags)
	if _, err := f.Parse(part, args, log); err != nil {
		return nil, nil, nil, nil, err
	}
	// Before any work: Model may train and save into -model, and every part
	// but l writes its figures into -out.
	folders := []string{"-model", f.Model}
	if part != "partl" {
		folders = append(folders, "-out", f.Out)
	}
	if err := CheckFolders(folders...); err != nil {
		return nil, nil, nil, nil, err
	}
	d, err := LoadData(f, log)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	model, h, err := Model(f, d, log)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return f, d, model, h, nil
}

// loadModel loads the model and history in f.Model if its settings are f's,
// its layer sizes are those f asks for on in inputs and classes outputs, and
// its history is complete (parts l and m read its first and last points).
func loadModel(f *Flags, in, classes int) (*layers.Sequential, *train.History, error) {
	raw, err := readRegular(filepath.Join(f.Model, SettingsFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, errors.New("not trained yet")
		}
		return nil, nil, err
	}
	var s settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", SettingsFile, err)
	}
	if s != f.settings() {
		return nil, nil, errors.New("trained with other settings")
	}
	path := filepath.Join(f.Model, ModelFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		path = filepath.Join(f.Model, OldModelFile) // saved before models were safetensors
	}
	model, err := modelfile.LoadFile(path)
	if err != nil {
		return nil, nil, err
	}
	// settings.json could be out of step with the model after a crash (or
	// a hand-copied file): the sizes must be those the flags ask for.
	want, err := f.Sizes(in, classes)
	if err != nil {
		return nil, nil, err
	}
	if got := linearSizes(model); !slices.Equal(got, want) {
		return nil, nil, fmt.Errorf("%s has layer sizes %v, the flags ask for %v", filepath.Base(path), got, want)
	}
	hraw, err := readRegular(filepath.Join(f.Model, HistoryFile))
	if err != nil {
		return nil, nil, err
	}
	h, err := train.ReadCSV(bytes.NewReader(hraw))
	if err != nil {
		return nil, nil, err
	}
	nt, nv := len(h.Train), len(h.Val)
	switch {
	case nt == 0 || nv == 0:
		return nil, nil, fmt.Errorf("%s holds %d training and %d validation rows", HistoryFile, nt, nv)
	case h.Val[nv-1].Update != h.Train[nt-1].Update:
		return nil, nil, fmt.Errorf("%s ends without the validation of its last update %d", HistoryFile, h.Train[nt-1].Update)
	}
	h.LR = f.LR
	if len(h.Test) == 0 {
		return nil, nil, errors.New("its history has no held-out test result")
	}
	return model, h, nil
}

// readRegular reads the file at path, refusing, before opening it, anything
// that is not a regular file: a FIFO would block forever, /dev/zero never
// end.
func readRegular(path string) ([]byte, error) { return fileutil.ReadRegular(path) }

// linearSizes returns the widths a chain of Linear layers maps between:
// the input width of the first, then the output width of each.
func linearSizes(model *layers.Sequential) []int {
	var sizes []int
	for _, l := range model.Layers() {
		if lin, ok := l.(*layers.Linear); ok {
			if len(sizes) == 0 {
				sizes = append(sizes, lin.In())
			}
			sizes = append(sizes, lin.Out())
		}
	}
	return sizes
}

// Metric picks one of the two numbers a train.Point holds.
type Metric int

// The metrics that curves plot.
const (
	Loss  Metric = iota // mean cross-entropy
	Error               // error rate, plotted in percent
)

// String returns the metric's axis label.
func (m Metric) String() string {
	if m == Error {
		return "error (%)"
	}
	return "cross-entropy loss"
}

// Of returns the metric of p, the error in percent.
func (m Metric) Of(p train.Point) float64 {
	if m == Error {
		return 100 * p.Error
	}
	return p.Loss
}

// XY returns the updates of pts and their metric, ready for a plot.Series.
func (m Metric) XY(pts []train.Point) (x, y []float64) {
	x, y = make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		x[i], y[i] = float64(p.Update), m.Of(p)
	}
	return x, y
}

// Faint returns c at one fifth of its opacity, for the raw, noisy series
// drawn under its smoothed version.
func Faint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 60}
}

// Curves plots metric m of h against the number of updates, on a
// logarithmic axis so that the first few hundred updates, where most of the
// learning happens, get as much room as the thousands after them: the value
// of every training batch (faint), its moving average (plot.SmoothLogX: at
// most window updates, fewer near the start so that each average covers the
// same short stretch of the log axis, and centred, so that it follows the
// curve from its first point), and the validation set's value at each
// evaluation (dots).
func Curves(h *train.History, m Metric, window int, title string) *plot.LineChart {
	tx, ty := m.XY(h.Train)
	vx, vy := m.XY(h.Val)
	return &plot.LineChart{
		Title: title, XLabel: "updates (batches of training), logarithmic scale", YLabel: m.String(),
		YMin: plot.Fixed(0.0), LogX: true,
		Series: []plot.Series{
			{Name: "training batch", X: tx, Y: ty, Color: Faint(plot.Palette[0])},
			{Name: fmt.Sprintf("training, moving average (up to %d updates)", window), X: tx, Y: plot.SmoothLogX(ty, window), Color: plot.Palette[0]},
			{Name: "validation (whole set)", X: vx, Y: vy, Color: plot.Palette[1], Markers: true},
		},
	}
}

// MarkDecay draws a labelled vertical line on chart at each update of the
// run h where the learning rate schedule of f drops to less than half of
// what it was (the -decay step), if it does.
func MarkDecay(chart *plot.LineChart, f *Flags, h *train.History) {
	total, perEpoch := len(h.Train), 0
	for _, p := range h.Train {
		if p.Epoch == 1 {
			perEpoch++
		}
	}
	if total == 0 {
		return
	}
	rate := f.LRSchedule(total, max(perEpoch, 1))
	for u := 2; u <= total; u++ {
		if before, after := rate(u-1), rate(u); after < before/2 {
			chart.VLines = append(chart.VLines, plot.Rule{
				At: float64(u) - 0.5, Label: fmt.Sprintf("lr %.3g → %.3g", before, after),
			})
		}
	}
}

// Confusion counts how often each true class (row) was predicted as each
// class (column).
func Confusion(truth, pred []int, classes int) [][]int {
	counts := make([][]int, classes)
	for i := range counts {
		counts[i] = make([]int, classes)
	}
	for i, t := range truth {
		counts[t][pred[i]]++
	}
	return counts
}

// SamplesSeen returns how many training samples the first updates batches
// held, for n samples cut into batches of batch (the last batch of each
// epoch is smaller when batch does not divide n).
func SamplesSeen(updates, n, batch int) int {
	perEpoch := (n + batch - 1) / batch
	return updates/perEpoch*n + min(updates%perEpoch*batch, n)
}
