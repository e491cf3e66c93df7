package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// StratifiedSubsample picks a fraction of the examples while keeping the
// class proportions: from each class c it keeps round(frac*count_c)
// examples chosen at random with rng, so every class shrinks by the same
// factor. It returns the kept indices into labels, sorted ascending;
// pass them to Dataset.Subset.
//
// It panics if frac is outside [0, 1] or a label is not below numClasses.
func StratifiedSubsample(labels []uint8, numClasses int, frac float64, rng *rand.Rand) []int {
	checkFrac("StratifiedSubsample", frac)
	byClass := make([][]int, numClasses)
	for i, y := range labels {
		if int(y) >= numClasses {
			panic(fmt.Sprintf("data: StratifiedSubsample: label %d of example %d is not below numClasses %d", y, i, numClasses))
		}
		byClass[y] = append(byClass[y], i)
	}
	var keep []int
	for _, idx := range byClass {
		k := int(math.Round(frac * float64(len(idx))))
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		keep = append(keep, idx[:k]...)
	}
	slices.Sort(keep)
	return keep
}

// RandomSubsample is the simpler alternative: it shuffles the indices
// 0..n-1 with rng and keeps the first round(frac*n), ignoring classes, so
// class proportions only hold on average. The result is sorted ascending.
//
// It panics if frac is outside [0, 1].
func RandomSubsample(n int, frac float64, rng *rand.Rand) []int {
	checkFrac("RandomSubsample", frac)
	keep := rng.Perm(n)[:int(math.Round(frac*float64(n)))]
	slices.Sort(keep)
	return keep
}

func checkFrac(op string, frac float64) {
	if !(frac >= 0 && frac <= 1) {
		panic(fmt.Sprintf("data: %s: fraction %v outside [0, 1]", op, frac))
	}
}
