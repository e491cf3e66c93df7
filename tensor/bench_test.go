package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor/internal/kernel"
)

// benchShape is one product to time: C (m×n) = op(A)·op(B) with inner size k.
type benchShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// benchShapes are the homework's products (a 784-128-10 MLP on batches of
// 64) and a few square ones. Names give the operands as stored.
var benchShapes = []benchShape{
	{"AB_64x784_784x128", false, false, 64, 128, 784},   // X·W₁ᵀ with W₁ᵀ stored
	{"ABT_64x784_128x784", false, true, 64, 128, 784},   // Linear forward Z = X·W₁ᵀ
	{"ATB_64x128_64x784", true, false, 128, 784, 64},    // weight gradient Δᵀ·X
	{"AB_64x128_128x784", false, false, 64, 784, 128},   // input gradient Δ·W₁
	{"AB_64x128_128x10", false, false, 64, 10, 128},     // output layer
	{"ABT_64x128_10x128", false, true, 64, 10, 128},     // its Linear forward
	{"ATB_64x10_64x128", true, false, 10, 128, 64},      // its weight gradient
	{"AB_64x10_10x128", false, false, 64, 128, 10},      // its input gradient
	{"AB_64x784_784x256", false, false, 64, 256, 784},   // a wider hidden layer
	{"AB_256x256_256x256", false, false, 256, 256, 256}, //
	{"AB_512x512_512x512", false, false, 512, 512, 512},
	{"AB_1024x1024_1024x1024", false, false, 1024, 1024, 1024},
}

// BenchmarkGemm times every shape with the fast path (what MatMul uses),
// the blocked algorithm with each other micro-kernel this machine can run
// ("blocked-generic" is what -tags purego uses) and, for the smaller shapes,
// the naive reference. It reports GFLOPS: 2·m·n·k floating-point operations
// per product.
func BenchmarkGemm(b *testing.B) {
	paths := []struct {
		name string
		f    gemmFunc
	}{{"fast", gemm}}
	for _, name := range sortedKernelNames() {
		if name == kernel.FastName {
			continue // that is "fast"
		}
		micro := kernel.Available()[name]
		paths = append(paths, struct {
			name string
			f    gemmFunc
		}{"blocked-" + name, func(tA, tB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
			gemmWith(micro, tA, tB, m, n, k, alpha, a, b, beta, c)
		}})
	}
	paths = append(paths, struct {
		name string
		f    gemmFunc
	}{"naive", NaiveGemm})
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes {
		a, bb := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		for _, p := range paths {
			if p.name == "naive" && s.m*s.n*s.k > 1<<25 {
				continue // seconds per product; nothing to learn
			}
			b.Run(fmt.Sprintf("%s/%s", s.name, p.name), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					p.f(s.transA, s.transB, s.m, s.n, s.k, 1, a, bb, 0, c)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}
