package data

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkAugmentApply times Augment.Apply on one 28×28 image for each
// kind of change, the cost an augmenting Loader adds per training image:
//
//	go test ./data -run '^$' -bench AugmentApply -cpu 1
func BenchmarkAugmentApply(b *testing.B) {
	for _, tc := range []struct {
		name string
		a    Augment
	}{
		{"shift", Augment{Shift: 2}},
		{"shift+flip", Augment{Shift: 2, FlipH: true}},
		{"rotate", Augment{Rotate: 10}},
		{"elastic", Augment{Elastic: 34}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			a := tc.a
			a.Width, a.Height, a.Rng = 28, 28, rand.New(rand.NewPCG(1, 2))
			src := make([]float64, 784)
			for i := range src {
				src[i] = a.Rng.Float64()
			}
			dst := make([]float64, 784)
			a.Apply(dst, src)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				a.Apply(dst, src)
			}
		})
	}
}
