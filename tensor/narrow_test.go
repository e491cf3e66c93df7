package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/backprop-go/backprop/tensor/internal/kernel"
)

// TestNarrowMatchesTiles checks that a product with 10 columns or 10 rows
// gives the same bits on the narrow tiles as on 6×8 ones, for every
// transpose form, several beta, a k past one k-block, fewer than 6 rows, a
// last panel of fewer than 6 rows (computed by the 6 rows ending there),
// columns past blockN, and products large enough to be shared between
// goroutines (cut by rows: the first rows of a part's last panel belong to
// the part before it).
func TestNarrowMatchesTiles(t *testing.T) {
	if c, r := kernel.Narrow(kernel.FastName); c == nil && r == nil {
		t.Skip("the kernel of this machine or build has no narrow twins")
	}
	defer func() { narrowMode = 0 }()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(13, 14))
	for _, sh := range [][3]int{ // m, n, k
		{64, 10, 128}, {10, 128, 64}, {10, 10, 10}, {1, 10, 5}, {5, 10, 3},
		{6, 10, 1}, {7, 10, 9}, {67, 10, 300}, {10, 13, 257}, {10, 1100, 31},
		{3000, 10, 200}, {10, 3000, 200},
	} {
		m, n, k := sh[0], sh[1], sh[2]
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []float64{0, 1, -0.25} {
				for _, procs := range []int{1, 2} {
					runtime.GOMAXPROCS(procs)
					c0 := randSlice(rng, m*n)
					want := append([]float64(nil), c0...)
					narrowMode = -1
					gemm(tr[0], tr[1], m, n, k, -0.75, a, b, beta, want)
					narrowMode = 0
					got := append([]float64(nil), c0...)
					gemm(tr[0], tr[1], m, n, k, -0.75, a, b, beta, got)
					for i := range got {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("%d×%d×%d transA=%v transB=%v beta=%v GOMAXPROCS=%d: c[%d] = %v on narrow tiles, %v on 6×8 ones",
								m, n, k, tr[0], tr[1], beta, procs, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// BenchmarkNarrow times the output layer's three products on narrow tiles
// and in strips (/narrow) and on 6×8 tiles one by one (/tiles): the
// forward product 64×128·(n×128)ᵀ with beta = 1 as Linear.Forward runs it,
// the fused weight gradient and SGD step W ← W − lr·Δᵀ·A (Δ 64×n, A
// 64×128: beta = 1, alpha = −lr), and the input gradient Δ·W (k = n: the
// strips' case), for n = 8, 10 and 16 output units. Run it on one thread:
//
//	go test -run XXX -bench Narrow -cpu 1 -count 3 ./tensor
func BenchmarkNarrow(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const m, k = 64, 128 // batch, hidden units
	for _, n := range []int{8, 10, 16} {
		x, w := randSlice(rng, m*k), randSlice(rng, n*k)
		delta, z := randSlice(rng, m*n), make([]float64, m*n)
		dx := make([]float64, m*k)
		for _, p := range []struct {
			name string
			f    func()
		}{
			{fmt.Sprintf("ABT_64x128_%dx128", n), func() { gemm(false, true, m, n, k, 1, x, w, 1, z) }},
			{fmt.Sprintf("SGD_ATB_64x%d_64x128", n), func() { gemm(true, false, n, k, m, -1e-9, delta, x, 1, w) }},
			{fmt.Sprintf("AB_64x%d_%dx128", n, n), func() { gemm(false, false, m, k, n, 1, delta, w, 0, dx) }},
		} {
			for _, mode := range []struct {
				name string
				v    int
			}{{"narrow", 0}, {"tiles", -1}} {
				b.Run(p.name+"/"+mode.name, func(b *testing.B) {
					narrowMode, stripMode = mode.v, mode.v
					defer func() { narrowMode, stripMode = 0, 0 }()
					for i := 0; i < b.N; i++ {
						p.f()
					}
					b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
				})
			}
		}
	}
}

// TestStripsSameBits checks that products of short k and narrow B give the
// same bits in strips (macroStrips) as tile by tile, for every transpose
// form, with B packed and in place, edges on both sides, and a product
// shared between two goroutines (each part's bottom edge computed by the
// strip that ends there).
func TestStripsSameBits(t *testing.T) {
	if kernel.Strip(kernel.FastName) == nil {
		t.Skip("the kernel of this machine or build has no strip version")
	}
	defer func() { stripMode, packBMode = 0, 0 }()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	if parts, _ := partition(20003, 64, 3, 2, false, false); parts < 2 {
		t.Fatal("20003×64×3 is not shared between 2 goroutines: the test would not cover parts")
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for _, sh := range [][3]int{{64, 128, 10}, {64, 128, 1}, {13, 45, 7}, {6, 8, 3}, {100, 40, 30}, {5, 17, 2}, {20003, 64, 3}} {
		m, n, k := sh[0], sh[1], sh[2]
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, pack := range []int{1, -1} {
				for _, beta := range []float64{0, 1} {
					packBMode = pack
					c0 := randSlice(rng, m*n)
					want := append([]float64(nil), c0...)
					stripMode = -1
					gemm(tr[0], tr[1], m, n, k, 1.25, a, b, beta, want)
					stripMode = 0
					got := append([]float64(nil), c0...)
					gemm(tr[0], tr[1], m, n, k, 1.25, a, b, beta, got)
					for i := range got {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("%d×%d×%d transA=%v transB=%v packB=%d beta=%v: c[%d] = %v in strips, %v tile by tile",
								m, n, k, tr[0], tr[1], pack, beta, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}
