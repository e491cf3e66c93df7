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

// BenchmarkSwap times the Linear layers' forward products Z = A·Wᵀ + Z
// computed directly (/direct, Wᵀ packed) and as (W·Aᵀ + Zᵀ)ᵀ (/swapped,
// A packed), the measurement behind shouldSwap:
//
//	go test -run XXX -bench Swap -cpu 1,2 ./tensor
func BenchmarkSwap(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{64, 128, 784}, {64, 256, 784}, {64, 128, 256}} {
		m, n, k := s[0], s[1], s[2]
		a, w := randSlice(rng, m*k), randSlice(rng, n*k)
		c := make([]float64, m*n)
		for _, mode := range []struct {
			name string
			swap int
		}{{"direct", -1}, {"swapped", 1}} {
			b.Run(fmt.Sprintf("ABT_%dx%d_%dx%d/%s", m, k, n, k, mode.name), func(b *testing.B) {
				swapMode = mode.swap
				defer func() { swapMode = 0 }()
				for i := 0; i < b.N; i++ {
					gemm(false, true, m, n, k, 1, a, w, 1, c) // beta = 1, as Linear.Forward
				}
				flops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}
