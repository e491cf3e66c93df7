package tensor

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor/internal/kernel"
)

// TestNarrowMatchesTiles checks that a product gives the same bits with
// the narrow twins, on narrow tiles and on tall panels (see tallRows), as
// on 6×8 tiles alone, for every transpose form, several beta, A packed or
// read in place, a k past one k-block, fewer than 6 rows, a last panel of
// fewer than 6 rows (computed by the 6 rows ending there), columns past
// blockN, and products large enough to be shared between goroutines (cut
// by rows: the first rows of a part's last panel belong to the part before
// it, and with tall panels the cut moves to an even row). The shapes with
// 10 columns or rows take the narrow tiles; those with 4 or 2 rows more
// than a multiple of 6 end in tall panels, as do the swapped products
// (one goroutine, B transposed) whose n is so.
func TestNarrowMatchesTiles(t *testing.T) {
	if c, r := kernel.Narrow(kernel.FastName); c == nil && r == nil {
		t.Skip("the kernel of this machine or build has no narrow twins")
	}
	defer func() { narrowMode, packAMode = 0, 0 }()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(13, 14))
	for _, sh := range [][3]int{ // m, n, k
		{64, 10, 128}, {10, 128, 64}, {10, 10, 10}, {1, 10, 5}, {5, 10, 3},
		{6, 10, 1}, {7, 10, 9}, {67, 10, 300}, {10, 13, 257}, {10, 1100, 31},
		{3000, 10, 200}, {10, 3000, 200},
		// Tall panels: 16 = 6+10, 22 = 12+10, 26 = 6+20, 14 too few
		// for 20, 64 = 54+10, 128 = 108+20 (and 64+64 in two parts,
		// cut by rows for 128×60×300), 256 = 246+10 (128+128 in two
		// parts), 218 = 198+20 past two blocks of blockM rows.
		{16, 9, 5}, {22, 17, 3}, {26, 8, 7}, {14, 9, 3}, {64, 128, 300},
		{128, 784, 64}, {128, 60, 300}, {256, 300, 64}, {218, 33, 70}, {64, 128, 10}, {31, 256, 20},
	} {
		m, n, k := sh[0], sh[1], sh[2]
		if m == 128 && n == 60 {
			// The 64+64 cut must be there for the test to prove it.
			if parts, byCols := partition(m, n, k, 2, shouldPackA(false), shouldPackB(false, m, n, k), false); parts != 2 || byCols {
				t.Fatalf("%d×%d×%d: %d parts, by columns %v; want 2 row ranges", m, n, k, parts, byCols)
			}
		}
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []float64{0, 1, -0.25} {
				for _, c := range []struct{ procs, packA int }{{1, 0}, {2, 0}, {2, 1}} {
					runtime.GOMAXPROCS(c.procs)
					packAMode = c.packA
					c0 := randSlice(rng, m*n)
					want := append([]float64(nil), c0...)
					narrowMode = -1
					gemm(tr[0], tr[1], m, n, k, -0.75, a, b, beta, want)
					narrowMode = 0
					got := append([]float64(nil), c0...)
					gemm(tr[0], tr[1], m, n, k, -0.75, a, b, beta, got)
					if !numtest.SameSlices(t, fmt.Sprintf("%d×%d×%d transA=%v transB=%v beta=%v GOMAXPROCS=%d packA=%d: c with the twins against 6×8 tiles alone",
						m, n, k, tr[0], tr[1], beta, c.procs, c.packA), got, want) {
						t.FailNow()
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
	if parts, _ := partition(20003, 64, 3, 2, false, false, false); parts < 2 {
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
					if !numtest.SameSlices(t, fmt.Sprintf("%d×%d×%d transA=%v transB=%v packB=%d beta=%v: c in strips against tile by tile",
						m, n, k, tr[0], tr[1], pack, beta), got, want) {
						t.FailNow()
					}
				}
			}
		}
	}
}

// TestTallRows checks which blocks of rows end in tall panels, and that
// without the twin none does.
func TestTallRows(t *testing.T) {
	with := gemmJob{rows10: func(int, []float64, int, int, []float64, int, float64, float64, []float64, int) {}}
	for rows, want := range map[int]int{
		0: 0, 4: 0, 6: 0, 10: 10, 14: 0, 16: 10, 20: 20, 26: 20, 32: 20,
		60: 0, 64: 10, 128: 20, 256: 10, 7: 0, 9: 0, 65: 0,
	} {
		if got := with.tallRows(rows); got != want {
			t.Errorf("tallRows(%d) = %d, want %d", rows, got, want)
		}
		if got := (&gemmJob{}).tallRows(rows); got != 0 {
			t.Errorf("tallRows(%d) without the twin = %d, want 0", rows, got)
		}
	}
}

// TestRowCut checks that the row ranges of the parts cover C's rows in
// order, without gaps or overlaps, and lie on even rows (with the twin)
// or tile borders (without it), as nearly equal as those allow.
func TestRowCut(t *testing.T) {
	with := gemmJob{rows10: func(int, []float64, int, int, []float64, int, float64, float64, []float64, int) {}}
	with.m = 256
	if got := []int{with.rowCut(0, 2), with.rowCut(1, 2), with.rowCut(2, 2)}; !slices.Equal(got, []int{0, 128, 256}) {
		t.Errorf("256 rows in 2 parts: cuts %v, want [0 128 256]", got)
	}
	for m := 1; m <= 300; m++ {
		for parts := 1; parts <= 4; parts++ {
			for _, g := range []gemmJob{with, {}} {
				g.m = m
				prev := 0
				for i := 0; i <= parts; i++ {
					c := g.rowCut(i, parts)
					switch {
					case i == 0 && c != 0, i == parts && c != m:
						t.Fatalf("m=%d parts=%d: cut %d at %d", m, parts, i, c)
					case c < prev:
						t.Fatalf("m=%d parts=%d: cut %d at %d, before cut %d at %d", m, parts, i, c, i-1, prev)
					case i < parts && g.rows10 != nil && c%2 != 0:
						t.Fatalf("m=%d parts=%d: cut %d at odd row %d", m, parts, i, c)
					case i < parts && g.rows10 == nil && c%mr != 0:
						t.Fatalf("m=%d parts=%d: cut %d at row %d, not a tile border", m, parts, i, c)
					}
					prev = c
				}
			}
		}
	}
}
