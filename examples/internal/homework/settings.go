package homework

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/optim"
)

// Settings are the knobs of the homework's programs. The defaults are the
// homework's: an MLP with ReLU, plain SGD, batch 64, the 50% stratified
// subsample, [0,1] inputs, validation every 500 updates. The JSON field
// names are those of settings.json, saved beside a trained model.
type Settings struct {
	Dataset   string  `json:"dataset"`    // "fashion" or "mnist"
	Root      string  `json:"-"`          // data root folder ("" searches the usual places)
	Download  bool    `json:"-"`          // download the data when it is not found
	Hidden    string  `json:"hidden"`     // hidden layer widths, comma separated, e.g. "256,128"
	LR        float64 `json:"lr"`         // SGD learning rate
	Epochs    int     `json:"epochs"`     // passes over the training subsample
	Updates   int     `json:"updates"`    // total weight updates; overrides Epochs when > 0
	Decay     float64 `json:"decay"`      // fraction of the updates, at the end, run at LR/10
	Batch     int     `json:"batch"`      // batch size
	EvalEvery int     `json:"eval-every"` // validate every this many updates
	Frac      float64 `json:"frac"`       // fraction of each class kept, per split
	Range     string  `json:"range"`      // input range: "0,1" or "-1,1"
	Seed      uint64  `json:"seed"`       // seed for every random choice
	Out       string  `json:"-"`          // output folder
	Model     string  `json:"-"`          // folder of part k's model, reused by parts l–o
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
// the default output folder ./out/<part> (./out/<part>-mnist for MNIST, see
// Finish).
func (s *Settings) Register(fs *flag.FlagSet, part string) {
	fs.StringVar(&s.Dataset, "dataset", "fashion", "dataset: fashion or mnist")
	fs.StringVar(&s.Root, "data", "", "data root folder, searched first and where a download goes (then $BACKPROP_DATA, ./data, /usr/share/datasets)")
	fs.BoolVar(&s.Download, "download", true, "download the dataset from the official mirrors when it is not found")
	fs.StringVar(&s.Hidden, "hidden", DefaultHidden, "hidden layer widths, comma separated (e.g. 256,128); empty for none")
	fs.Float64Var(&s.LR, "lr", DefaultLR, "SGD learning rate")
	fs.IntVar(&s.Epochs, "epochs", DefaultEpochs, "epochs over the training subsample")
	fs.IntVar(&s.Updates, "updates", 0, "total weight updates (overrides -epochs when > 0)")
	fs.Float64Var(&s.Decay, "decay", DefaultDecay, "fraction of the updates, at the end, trained with the learning rate divided by 10 (0: constant rate)")
	fs.IntVar(&s.Batch, "batch", 64, "batch size")
	fs.IntVar(&s.EvalEvery, "eval-every", 500, "evaluate on the validation set every this many updates")
	fs.Float64Var(&s.Frac, "frac", 0.5, "fraction of each class of the training split kept for training (validation is always the stratified half of the test split, held-out test the other half)")
	fs.StringVar(&s.Range, "range", "0,1", "input normalisation range: 0,1 or -1,1")
	fs.Uint64Var(&s.Seed, "seed", 1, "seed for the subsample, the initial weights and the shuffling")
	fs.StringVar(&s.Out, "out", filepath.Join("out", part), "output folder (out/"+part+"-mnist with -dataset mnist)")
	fs.StringVar(&s.Model, "model", PartKFolder, "folder of part k's model and history, reused when its settings match (out/partk-mnist with -dataset mnist)")
}

// PartKFolder is where part k saves its model by default, and where the
// later parts look for it.
var PartKFolder = filepath.Join("out", "partk")

// Finish completes the settings after the flags are parsed
// (DatasetFolders) and checks them (Check).
func (s *Settings) Finish(fs *flag.FlagSet, part string) error {
	s.DatasetFolders(fs, part)
	return s.Check()
}

// DatasetFolders moves the default folders for -dataset mnist to
// out/<part>-mnist and out/partk-mnist, so that an MNIST run never writes
// over the FashionMNIST figures, nor a later part look for an MNIST model in
// FashionMNIST's folder. Folders given on the command line are kept.
func (s *Settings) DatasetFolders(fs *flag.FlagSet, part string) {
	if !strings.EqualFold(s.Dataset, "mnist") {
		return
	}
	if fs.Lookup("out") != nil && !IsSet(fs, "out") {
		s.Out = filepath.Join("out", part+"-mnist")
	}
	if fs.Lookup("model") != nil && !IsSet(fs, "model") {
		s.Model = PartKFolder + "-mnist"
	}
}

// Check reports the first setting that cannot work, naming its flag. Parse
// calls it once, before any data is loaded or any training starts; the
// functions that take Settings expect them checked.
func (s *Settings) Check() error {
	if _, err := s.Sizes(1, 1); err != nil {
		return err
	}
	if _, err := s.NormRange(); err != nil {
		return err
	}
	switch {
	case !(s.LR > 0) || math.IsInf(s.LR, 0):
		return fmt.Errorf("-lr %g: want a positive learning rate", s.LR)
	case s.Batch <= 0:
		return fmt.Errorf("-batch %d: want a positive batch size", s.Batch)
	case !(s.Frac > 0 && s.Frac <= 1):
		return fmt.Errorf("-frac %g: want a fraction in (0, 1]", s.Frac)
	case !(s.Decay >= 0 && s.Decay <= 1):
		return fmt.Errorf("-decay %g: want a fraction in [0, 1]", s.Decay)
	case s.Updates < 0:
		return fmt.Errorf("-updates %d: want a positive number, or 0 to train for -epochs", s.Updates)
	case s.Updates == 0 && s.Epochs <= 0:
		return fmt.Errorf("-epochs %d: want a positive number of epochs (or set -updates)", s.Epochs)
	case s.EvalEvery <= 0:
		return fmt.Errorf("-eval-every %d: want a positive number of updates", s.EvalEvery)
	}
	return s.checkMemory()
}

// RegisterSome defines on fs only the named flags of Register, for a
// program such as the sweep that sets some knobs itself: its -h then lists
// only what it reads. Defaults can be changed afterwards with SetDefault.
func (s *Settings) RegisterSome(fs *flag.FlagSet, part string, names ...string) {
	all := flag.NewFlagSet(part, flag.ContinueOnError)
	s.Register(all, part)
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
func (s *Settings) Name() string { return DatasetName(s.Dataset) }

// Sizes returns the layer widths of the network: in (784), the hidden
// widths, classes (10).
func (s *Settings) Sizes(in, classes int) ([]int, error) {
	sizes := []int{in}
	if strings.TrimSpace(s.Hidden) == "" {
		return []int{in, classes}, nil // no hidden layer: a linear classifier
	}
	for _, w := range strings.Split(s.Hidden, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-hidden %q: widths must be positive integers", s.Hidden)
		}
		sizes = append(sizes, n)
	}
	return append(sizes, classes), nil
}

// NormRange returns the data.Range that -range names.
func (s *Settings) NormRange() (data.Range, error) {
	switch strings.ReplaceAll(s.Range, " ", "") {
	case "0,1", "[0,1]", "01":
		return data.ZeroOne, nil
	case "-1,1", "[-1,1]", "-11":
		return data.MinusOneOne, nil
	}
	return 0, fmt.Errorf("-range %q: want 0,1 or -1,1", s.Range)
}

// Schedule describes the learning rate, e.g. "lr 0.2→0.02 at 75%".
func (s *Settings) Schedule() string {
	if s.Decay <= 0 {
		return fmt.Sprintf("lr %g", s.LR)
	}
	return fmt.Sprintf("lr %g→%g at %g%%", s.LR, s.LR/10, 100*(1-s.Decay))
}

// Rate returns the learning rate of every update (numbered from 1) of a run
// of total updates: -lr, divided by ten for the last -decay of them. A large
// rate moves fast but keeps the weights bouncing around the minimum with the
// noise of each batch of 64; the small one lets them settle. It is still
// plain SGD.
func (s *Settings) Rate(total int) optim.Schedule {
	if s.Decay <= 0 {
		return optim.Constant(s.LR)
	}
	return optim.StepDecay(s.LR, int(math.Round((1-s.Decay)*float64(total))), 0.1)
}

// TotalUpdates returns the number of updates s asks for on n training
// samples: -updates, or -epochs times the batches of one epoch. A product
// that overflows is an error naming the flags, not a wrapped-around count.
func (s *Settings) TotalUpdates(n int) (int, error) {
	if s.Updates > 0 {
		return s.Updates, nil
	}
	perEpoch := n/s.Batch + min(n%s.Batch, 1) // ⌈n/batch⌉ without overflow
	if perEpoch > 0 && s.Epochs > (math.MaxInt-1)/perEpoch {
		return 0, fmt.Errorf("-epochs %d of %d batches each is too many updates (more than %d)", s.Epochs, perEpoch, math.MaxInt-1)
	}
	return s.Epochs * perEpoch, nil
}

// Rand returns the random stream for one purpose. Each purpose (subsample,
// init, shuffle, …) has its own stream derived from the one seed, so
// changing the number of epochs, say, does not change the initial weights.
func (s *Settings) Rand(purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.Seed, purpose))
}

// The purposes passed to Rand, every one of them in this block so that no
// two share a number, and with it a stream of random numbers.
const (
	ForSubsample uint64 = iota + 1 // the training subsample, then the validation half
	ForInit                        // the initial weights
	ForShuffle                     // the order of the training batches
	ForPlots                       // images drawn for figures, the learning-rate range test, PCA
	ForTrainEval                   // the fixed training subset of part n's snapshots
	ForAugment                     // the shifts and mirrorings of the recipe's -augment and -flip
	ForDropout                     // the recipe's dropout masks
)
