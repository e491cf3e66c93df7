package homework

import (
	"flag"
	"fmt"
	"io"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
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

// LoadData finds (or downloads) the dataset, keeps s.Frac of each class of
// the training split, cuts the test split into validation and held-out test
// halves, and normalises them. Messages go to log. s is expected checked
// (Settings.Check).
//
// The subsamples draw from one stream in a fixed order, and a class's
// shuffle does not depend on the fraction kept, so the validation and test
// halves are the same whatever -frac is, and a smaller -frac keeps a subset
// of the images a larger one keeps.
func LoadData(s *Settings, log io.Writer) (*Data, error) {
	r, err := s.NormRange()
	if err != nil {
		return nil, err
	}
	opts := data.Options{Root: s.Root, Download: s.Download, Progress: log}
	tr, err := data.Load(s.Dataset, true, opts)
	if err != nil {
		return nil, err
	}
	te, err := data.Load(s.Dataset, false, opts)
	if err != nil {
		return nil, err
	}
	rng := s.Rand(ForSubsample)
	d := &Data{TrainSplit: tr, TestSplit: te}
	d.TrainIdx = data.StratifiedSubsample(tr.Labels, len(tr.Classes), s.Frac, rng)
	d.ValIdx = data.StratifiedSubsample(te.Labels, len(te.Classes), 0.5, rng)
	d.TestIdx = complement(d.ValIdx, te.N)
	if len(d.TrainIdx) == 0 {
		return nil, fmt.Errorf("-frac %g keeps no training image: want at least one", s.Frac)
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
func TrainEvalSet(s *Settings, d *Data) *train.Set {
	n := d.Train.X.Rows()
	if n <= TrainEvalSize {
		return d.Train
	}
	labels := make([]uint8, n)
	for i, y := range d.Train.Y {
		labels[i] = uint8(y)
	}
	idx := data.StratifiedSubsample(labels, len(d.TrainSplit.Classes), float64(TrainEvalSize)/float64(n), s.Rand(ForTrainEval))
	cols := d.Train.X.Cols()
	set := &train.Set{X: tensor.New(len(idx), cols), Y: make([]int, len(idx))}
	for k, i := range idx {
		copy(set.X.Row(k), d.Train.X.Row(i))
		set.Y[k] = d.Train.Y[i]
	}
	return set
}

// Augment returns the training loader's augmentation of a program's
// -augment, -flip, -rotate and -elastic flags: shifts of up to ±shift
// pixels in x and y, with flip left-right mirrors, turns by up to ±rotate
// degrees and elastic distortions of size elastic, drawn from the
// ForAugment stream of s; nil for none of them. Pixels moved in from
// outside get the background value of s's -range (checked by
// Settings.Check).
func Augment(s *Settings, d *Data, shift int, flip bool, rotate, elastic float64) *data.Augment {
	if shift == 0 && !flip && rotate == 0 && elastic == 0 {
		return nil
	}
	rg, _ := s.NormRange()
	fill := 0.0
	if rg == data.MinusOneOne {
		fill = -1
	}
	return &data.Augment{Width: d.TrainSplit.Cols, Height: d.TrainSplit.Rows, Shift: shift, FlipH: flip,
		Rotate: rotate, Elastic: elastic, Fill: fill, Rng: s.Rand(ForAugment)}
}

// RegisterWarps defines the -rotate and -elastic flags of examples/recipe,
// examples/cnn and examples/augment on fs, into rotate and elastic.
func RegisterWarps(fs *flag.FlagSet, rotate, elastic *float64) {
	fs.Float64Var(rotate, "rotate", 0, "turn every training image by an angle up to ±deg degrees about its centre (0: none)")
	fs.Float64Var(elastic, "elastic", 0, "distort every training image elastically by α times a random field smoothed over 4 pixels (Simard et al.'s α: 34; 0: none)")
}

// CheckRecipe reports the first of the recipe flags that examples/recipe
// and examples/cnn share whose value cannot work: -label-smoothing α,
// -dropout p, -augment k (a shift must leave part of a 28×28 image),
// -rotate (at most 45 degrees: a digit turned further is another digit or
// none) and -elastic (at most 100 pixels, already far beyond the image).
func CheckRecipe(smoothing, dropout float64, shift int, rotate, elastic float64) error {
	switch {
	case !(smoothing >= 0 && smoothing < 1):
		return fmt.Errorf("-label-smoothing %g: want a number in [0, 1)", smoothing)
	case !(dropout >= 0 && dropout < 1):
		return fmt.Errorf("-dropout %g: want a probability in [0, 1)", dropout)
	case shift < 0 || shift > 13:
		return fmt.Errorf("-augment %d: want a shift of 0 to 13 pixels", shift)
	case !(rotate >= 0 && rotate <= 45):
		return fmt.Errorf("-rotate %g: want an angle of 0 to 45 degrees", rotate)
	case !(elastic >= 0 && elastic <= 100):
		return fmt.Errorf("-elastic %g: want a size α of 0 to 100 pixels", elastic)
	}
	return nil
}
