package diagnose

import (
	"fmt"
	"sort"

	"github.com/backprop-go/backprop/tensor"
)

// Confusion is one pair of classes the network mixes up.
type Confusion struct {
	True, Pred int // the true class and the class predicted instead
	Count      int // how many validation samples of True were predicted as Pred
	// Samples are the rows of those samples, most confidently wrong first
	// (by the probability given to Pred).
	Samples []int
	Conf    []float64 // that probability, for each sample
}

// MostConfused returns the pairs most often confused, from the off-diagonal
// of the confusion matrix: at most pairs of them, largest count first (ties
// in class order), each with at most perPair samples. probs holds one row of
// class probabilities per sample (a softmax output), truth the labels.
func MostConfused(probs *tensor.Tensor, truth []int, pairs, perPair int) []Confusion {
	n, c := probs.Rows(), probs.Cols()
	if len(truth) != n {
		panic(fmt.Sprintf("diagnose: MostConfused: %d labels for %d rows of probabilities", len(truth), n))
	}
	pred := tensor.ArgmaxRows(nil, probs)
	byPair := map[[2]int]*Confusion{}
	for i, t := range truth {
		p := pred[i]
		if p == t {
			continue
		}
		k := [2]int{t, p}
		if byPair[k] == nil {
			byPair[k] = &Confusion{True: t, Pred: p}
		}
		cf := byPair[k]
		cf.Count++
		cf.Samples = append(cf.Samples, i)
	}
	var out []Confusion
	for _, cf := range byPair {
		s := cf.Samples
		sort.SliceStable(s, func(a, b int) bool { return probs.Data[s[a]*c+cf.Pred] > probs.Data[s[b]*c+cf.Pred] })
		if len(s) > perPair {
			cf.Samples = s[:perPair]
		}
		for _, i := range cf.Samples {
			cf.Conf = append(cf.Conf, probs.Data[i*c+cf.Pred])
		}
		out = append(out, *cf)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Count != out[b].Count {
			return out[a].Count > out[b].Count
		}
		if out[a].True != out[b].True {
			return out[a].True < out[b].True
		}
		return out[a].Pred < out[b].Pred
	})
	if len(out) > pairs {
		out = out[:pairs]
	}
	return out
}
