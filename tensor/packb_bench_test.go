package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPackB times the products of a row-major B with B packed (/1)
// and read in place (/-1), the measurement behind shouldPackB:
//
//	go test -run XXX -bench PackB -cpu 1 ./tensor
func BenchmarkPackB(b *testing.B) {
	shapes := append([]benchShape{}, benchShapes...) // the ones with transB are skipped
	shapes = append(shapes,
		benchShape{"ATB_64x256_64x784", true, false, 256, 784, 64},
		benchShape{"AB_64x256_256x784", false, false, 64, 784, 256},
		benchShape{"ATB_64x128_64x256", true, false, 128, 256, 64},
		benchShape{"AB_64x128_128x256", false, false, 64, 256, 128},
	)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
		if s.transB {
			continue
		}
		a, bb := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		for _, mode := range []int{1, -1} {
			b.Run(fmt.Sprintf("%s/%d", s.name, mode), func(b *testing.B) {
				packBMode = mode
				defer func() { packBMode = 0 }()
				for i := 0; i < b.N; i++ {
					gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, bb, 0, c)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}
