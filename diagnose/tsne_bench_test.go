package diagnose

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTSNE2000 times the exact t-SNE of 2,000 points of 128
// dimensions, the size examples/diagnose projects:
//
//	go test -run XXX -bench TSNE ./diagnose
func BenchmarkTSNE2000(b *testing.B) {
	x, _ := blobs(rand.New(rand.NewPCG(1, 1)), 2000, 128, 10, 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		TSNE(x, TSNEOptions{Seed: 1})
	}
}
