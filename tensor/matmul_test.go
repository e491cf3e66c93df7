package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor/internal/kernel"

	"github.com/backprop-go/backprop/internal/parallel"
)

// gemmFunc is the raw-slice signature shared by NaiveGemm and the kernels.
type gemmFunc func(transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64)

// kernels lists every implementation checked against NaiveGemm: the blocked
// algorithm with each micro-kernel this machine can run, and the public
// path (gemm) with A packed and read in place.
func kernels() []struct {
	name string
	f    gemmFunc
} {
	var ks []struct {
		name string
		f    gemmFunc
	}
	add := func(name string, f gemmFunc) {
		ks = append(ks, struct {
			name string
			f    gemmFunc
		}{name, f})
	}
	for _, name := range sortedKernelNames() {
		ks := namedKernels(name)
		add("blocked-"+name, func(tA, tB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
			gemmWith(ks, false, tA, tB, m, n, k, alpha, a, b, beta, c)
		})
	}
	add("fast-"+kernel.FastName, gemm)
	// The fast path with each choice of gemm's forced one way, then the
	// other: every way must give the right product.
	for _, f := range []struct {
		name string
		mode *int
		v    int
	}{
		{"fast-packA", &packAMode, 1}, {"fast-inplaceA", &packAMode, -1},
		{"fast-packB", &packBMode, 1}, {"fast-inplaceB", &packBMode, -1},
		{"fast-swap", &swapMode, 1}, {"fast-noswap", &swapMode, -1},
		{"fast-nonarrow", &narrowMode, -1}, {"fast-nostrip", &stripMode, -1},
	} {
		add(f.name, func(tA, tB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
			*f.mode = f.v
			defer func() { *f.mode = 0 }()
			gemm(tA, tB, m, n, k, alpha, a, b, beta, c)
		})
	}
	return ks
}

func sortedKernelNames() []string {
	var names []string
	for name := range kernel.Available() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 2*rng.Float64() - 1
	}
	return s
}

// transpose returns the r×c row-major matrix x as a c×r one.
func transpose(x []float64, r, c int) []float64 {
	t := make([]float64, len(x))
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			t[j*r+i] = x[i*c+j]
		}
	}
	return t
}

// TestNaiveGemmByHand pins the reference itself to products worked out by
// hand, including both transposes.
func TestNaiveGemmByHand(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6}    // 2×3
	b := []float64{7, 8, 9, 10, 11, 12} // 3×2
	want := []float64{58, 64, 139, 154} // A·B
	for _, tc := range []struct {
		tA, tB bool
		a, b   []float64
	}{
		{false, false, a, b},
		{true, false, transpose(a, 2, 3), b},
		{false, true, a, transpose(b, 3, 2)},
		{true, true, transpose(a, 2, 3), transpose(b, 3, 2)},
	} {
		c := []float64{1, 1, 1, 1}
		NaiveGemm(tc.tA, tc.tB, 2, 2, 3, 2, tc.a, tc.b, -1, c)
		w := make([]float64, len(want))
		for i := range w {
			w[i] = 2*want[i] - 1
		}
		numtest.SameSlices(t, fmt.Sprintf("transA=%v transB=%v: c", tc.tA, tc.tB), c, w)
	}
}

var testShapes = [][3]int{ // m, n, k
	{1, 1, 1}, {1, 17, 5}, {17, 1, 5}, {5, 17, 1}, {1, 1, 300},
	{6, 8, 4}, {13, 8, 6}, {6, 9, 13}, {67, 131, 29}, {64, 10, 128},
	{10, 128, 64}, {4, 10, 7}, {10, 21, 300}, // narrow tiles (narrow.go)
	{64, 128, 10}, {13, 45, 7}, // strips (macroStrips)
	{0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {0, 0, 0},
	{200, 37, 300},  // more rows than blockM, two k-blocks, cut by rows
	{37, 1031, 260}, // more columns than blockN, cut by columns
}

// TestKernelsMatchNaive checks every kernel against NaiveGemm on all shapes,
// all transpose forms and several alpha, beta.
func TestKernelsMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, sh := range testShapes {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			tA, tB := tr[0], tr[1]
			a, b := randSlice(rng, m*k), randSlice(rng, k*n)
			for _, ab := range [][2]float64{{1, 0}, {2.5, -1}, {0.5, 1}, {0, 2}, {-1, 0.25}} {
				alpha, beta := ab[0], ab[1]
				c0 := randSlice(rng, m*n)
				if beta == 0 && m*n > 0 {
					c0[0] = math.NaN() // beta == 0 must ignore it
					c0[len(c0)-1] = math.Inf(1)
				}
				want := append([]float64(nil), c0...)
				NaiveGemm(tA, tB, m, n, k, alpha, a, b, beta, want)
				tol := 1e-12 * float64(k+1) * (math.Abs(alpha) + math.Abs(beta) + 1)
				for _, kn := range kernels() {
					got := append([]float64(nil), c0...)
					kn.f(tA, tB, m, n, k, alpha, a, b, beta, got)
					if !numtest.Slices(t, fmt.Sprintf("%s %dx%dx%d transA=%v transB=%v alpha=%v beta=%v: c",
						kn.name, m, n, k, tA, tB, alpha, beta), got, want, numtest.Tol{Abs: tol}) {
						t.FailNow()
					}
				}
			}
		}
	}
}

// TestZeroKScalesC checks that an empty inner dimension gives beta·C.
func TestZeroKScalesC(t *testing.T) {
	for _, kn := range kernels() {
		c := []float64{1, 2, 3, 4, 5, 6}
		kn.f(false, false, 2, 3, 0, 1, nil, nil, 3, c)
		if fmt.Sprint(c) != "[3 6 9 12 15 18]" {
			t.Errorf("%s: k=0, beta=3: C = %v, want 3·C", kn.name, c)
		}
		c = []float64{math.NaN(), 2}
		kn.f(false, false, 1, 2, 0, 1, nil, nil, 0, c)
		if c[0] != 0 || c[1] != 0 {
			t.Errorf("%s: k=0, beta=0: C = %v, want zeros", kn.name, c)
		}
	}
}

// TestBitIdenticalAcrossGOMAXPROCS checks that the parallel product gives
// the same bits whatever the number of goroutines.
func TestBitIdenticalAcrossGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(9, 9))
	for _, sh := range [][3]int{{64, 128, 784}, {131, 67, 523}, {128, 784, 64}} {
		m, n, k := sh[0], sh[1], sh[2]
		// Make sure the test exercises the parallel path at all.
		if parts, _ := partition(m, n, k, 8, true, true, false); parts < 2 {
			t.Fatalf("%dx%dx%d: partition gives %d parts with 8 procs; test would prove nothing", m, n, k, parts)
		}
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			var first []float64
			for _, procs := range []int{1, 2, 3, 8} {
				runtime.GOMAXPROCS(procs)
				c := randSlice(rng, m*n)
				gemm(tr[0], tr[1], m, n, k, 1.5, a, b, 0, c)
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if math.Float64bits(c[i]) != math.Float64bits(first[i]) {
						t.Fatalf("%dx%dx%d transA=%v transB=%v: GOMAXPROCS=%d differs from GOMAXPROCS=1 at %d: %v vs %v",
							m, n, k, tr[0], tr[1], procs, i, c[i], first[i])
					}
				}
			}
		}
	}
}

func TestProductForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a := RandUniform(rng, -1, 1, 7, 5)
	b := RandUniform(rng, -1, 1, 5, 3)
	want := New(7, 3)
	NaiveGemm(false, false, 7, 3, 5, 1, a.Data, b.Data, 0, want.Data)
	check := func(name string, got *Tensor) {
		t.Helper()
		if !got.SameShape(want) {
			t.Fatalf("%s: shape %v, want %v", name, got.Shape, want.Shape)
		}
		if !numtest.Slices(t, name, got.Data, want.Data, numtest.Tol{Abs: 1e-12}) {
			t.FailNow()
		}
	}
	check("MatMul", MatMul(nil, a, b))
	check("MatMulATB", MatMulATB(nil, FromData(transpose(a.Data, 7, 5), 5, 7), b))
	check("MatMulABT", MatMulABT(nil, a, FromData(transpose(b.Data, 5, 3), 3, 5)))
	dst := New(7, 3)
	dst.Fill(math.NaN())
	check("MatMul into dst", MatMul(dst, a, b))
	c := New(7, 3)
	c.Fill(1)
	Gemm(false, false, 2, a, b, 1, c)
	for i := range want.Data {
		want.Data[i] = 2*want.Data[i] + 1
	}
	numtest.Slices(t, "Gemm alpha=2 beta=1", c.Data, want.Data, numtest.Tol{Abs: 1e-12})
}

func TestShapePanics(t *testing.T) {
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { MatMul(nil, New(2, 3), New(4, 5)) }, "tensor: MatMul: inner dimensions differ: A[2 3] and B[4 5]"},
		{func() { MatMulATB(nil, New(2, 3), New(4, 5)) }, "tensor: MatMulATB: inner dimensions differ: Aᵀ[2 3] and B[4 5]"},
		{func() { MatMulABT(nil, New(2, 3), New(4, 5)) }, "tensor: MatMulABT: inner dimensions differ: A[2 3] and Bᵀ[4 5]"},
		{func() { MatMul(New(2, 2), New(2, 3), New(3, 5)) }, "tensor: MatMul: destination has shape [2 2], want [2 5] for A[2 3] · B[3 5]"},
		{func() { MatMul(nil, New(6), New(3, 5)) }, "tensor: MatMul: need 2-D tensors, have shapes [6] and [3 5]"},
		{func() { Gemm(true, true, 1, New(3, 2), New(4, 3), 0, New(2, 5)) }, "tensor: Gemm: destination has shape [2 5], want [2 4] for Aᵀ[3 2] · Bᵀ[4 3]"},
		{func() { x := New(3, 3); MatMul(x, x, New(3, 3)) }, "tensor: MatMul: destination [3 3] shares memory with an operand (A[3 3], B[3 3])"},
		{func() { x := New(8, 4); MatMulABT(FromData(x.Data[:16], 2, 8), New(2, 4), x) }, "tensor: MatMulABT: destination [2 8] shares memory with an operand"},
		{func() {
			x := New(4, 4)
			Gemm(false, false, 1, New(2, 2), FromData(x.Data[2:6], 2, 2), 1, FromData(x.Data[4:8], 2, 2))
		}, "tensor: Gemm: destination [2 2] shares memory with an operand"},
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("no panic, want %q", tc.want)
					return
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want %q", msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestProductsDoNotAllocate checks that a training step's products allocate
// nothing once dst is preallocated, on the homework's shapes, both below
// and above the parallel threshold.
func TestProductsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	x := RandUniform(rng, -1, 1, 64, 784)  // a batch
	w := RandUniform(rng, -1, 1, 128, 784) // first layer's W
	d := RandUniform(rng, -1, 1, 64, 128)  // δ of the first layer
	w2 := RandUniform(rng, -1, 1, 10, 128) // second layer's W
	d2 := RandUniform(rng, -1, 1, 64, 10)
	z, gw, ga := New(64, 128), New(128, 784), New(64, 784)
	z2, gw2, ga2 := New(64, 10), New(10, 128), New(64, 128)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"MatMulABT 64x784·(128x784)ᵀ", func() { MatMulABT(z, x, w) }},
		{"MatMulATB (64x128)ᵀ·64x784", func() { MatMulATB(gw, d, x) }},
		{"MatMul 64x128·128x784", func() { MatMul(ga, d, w) }},
		{"MatMulABT 64x128·(10x128)ᵀ", func() { MatMulABT(z2, d, w2) }},
		{"MatMulATB (64x10)ᵀ·64x128", func() { MatMulATB(gw2, d2, d) }},
		{"MatMul 64x10·10x128", func() { MatMul(ga2, d2, w2) }},
	} {
		tc.f() // warm the pools
		if n := testing.AllocsPerRun(20, tc.f); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tc.name, n)
		}
	}
}

// TestConcurrentProducts runs parallel products from several goroutines at
// once, sharing the worker pool, and checks each against a serial run.
func TestConcurrentProducts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const m, n, k = 64, 128, 300
	rng := rand.New(rand.NewPCG(11, 11))
	var as, bs, wants [4][]float64
	for g := range as {
		as[g], bs[g] = randSlice(rng, m*k), randSlice(rng, k*n)
		wants[g] = make([]float64, m*n)
		gemmWith(fastKernels, false, false, g%2 == 1, m, n, k, 1, as[g], bs[g], 0, wants[g])
	}
	errs := make(chan string, len(as))
	for g := range as {
		go func() {
			c := make([]float64, m*n)
			for range 20 {
				gemm(false, g%2 == 1, m, n, k, 1, as[g], bs[g], 0, c)
				for i := range c {
					if c[i] != wants[g][i] {
						errs <- fmt.Sprintf("goroutine %d: c[%d] = %v, want %v", g, i, c[i], wants[g][i])
						return
					}
				}
			}
			errs <- ""
		}()
	}
	for range as {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// TestNaNPropagates checks that a NaN in A poisons exactly its row of C and
// a NaN in B exactly its column, for every kernel, both transposes and
// shapes with edge tiles: no packing, padding or in-place read may drop
// it (a diverging network must show NaN, not a plausible number).
func TestNaNPropagates(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, kn := range kernels() {
		for _, sz := range [][3]int{{1, 1, 1}, {7, 9, 5}, {13, 17, 300}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					i, p, j := rng.IntN(m), rng.IntN(k), rng.IntN(n)
					a, b := randSlice(rng, m*k), randSlice(rng, k*n)
					if tA {
						a[p*m+i] = math.NaN()
					} else {
						a[i*k+p] = math.NaN()
					}
					c := randSlice(rng, m*n)
					kn.f(tA, tB, m, n, k, 1, a, b, 0, c)
					for r := 0; r < m; r++ {
						for col := 0; col < n; col++ {
							if got := math.IsNaN(c[r*n+col]); got != (r == i) {
								t.Fatalf("%s %dx%dx%d tA=%v tB=%v, NaN at A[%d,%d]: C[%d,%d] = %v", kn.name, m, n, k, tA, tB, i, p, r, col, c[r*n+col])
							}
						}
					}
					a = randSlice(rng, m*k)
					if tB {
						b[j*k+p] = math.NaN()
					} else {
						b[p*n+j] = math.NaN()
					}
					kn.f(tA, tB, m, n, k, 1, a, b, 0, c)
					for r := 0; r < m; r++ {
						for col := 0; col < n; col++ {
							if got := math.IsNaN(c[r*n+col]); got != (col == j) {
								t.Fatalf("%s %dx%dx%d tA=%v tB=%v, NaN at B[%d,%d]: C[%d,%d] = %v", kn.name, m, n, k, tA, tB, p, j, r, col, c[r*n+col])
							}
						}
					}
				}
			}
		}
	}
}

// TestSerialModeSameBits checks that a product run wholly by the caller
// (parallel.Serial) gives the same bits as one shared with the workers.
func TestSerialModeSameBits(t *testing.T) {
	defer parallel.Reset()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rng := rand.New(rand.NewPCG(3, 4))
	a := RandUniform(rng, -1, 1, 64, 784)
	b := RandUniform(rng, -1, 1, 784, 128)
	w := RandUniform(rng, -1, 1, 128, 784)
	d := RandUniform(rng, -1, 1, 64, 128)
	for _, tc := range []struct {
		name string
		f    func() *Tensor
	}{
		{"64×784·784×128", func() *Tensor { return MatMul(nil, a, b) }},
		// The forward product: swapped in the serial mode, as on one
		// goroutine.
		{"64×784·(128×784)ᵀ", func() *Tensor { return MatMulABT(nil, a, w) }},
		{"(64×128)ᵀ·64×784", func() *Tensor { return MatMulATB(nil, d, a) }},
	} {
		parallel.Reset() // spinning: shared
		shared := tc.f()
		parallel.Force(parallel.Serial)
		alone := tc.f()
		if !slices.Equal(shared.Data, alone.Data) {
			t.Fatalf("the serial mode changed the bits of a %s product", tc.name)
		}
	}
}

// TestSwapSameBits checks that computing A·Bᵀ as (B·Aᵀ)ᵀ gives the same
// bits as computing it directly, on the Linear layers' shapes and odd
// ones, and that the homework's forward products do take the swapped path
// on one goroutine. The swapped product of one goroutine is also compared
// with the direct one shared between two (the large shapes are shared
// there, and then never swapped).
func TestSwapSameBits(t *testing.T) {
	defer func() { swapMode = 0 }()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{64, 128, 784}, {64, 256, 784}, {64, 128, 256}, {7, 45, 301}, {13, 600, 5}, {1, 9, 1}} {
		m, n, k := s[0], s[1], s[2]
		a, b := randSlice(rng, m*k), randSlice(rng, n*k)
		c0 := randSlice(rng, m*n)
		for _, procs := range []int{1, 2} {
			for _, beta := range []float64{0, 1, -0.25} {
				prev := runtime.GOMAXPROCS(procs)
				swapMode = -1
				direct := slices.Clone(c0)
				gemm(false, true, m, n, k, 0.5, a, b, beta, direct)
				runtime.GOMAXPROCS(1)
				swapMode = 1
				swapped := slices.Clone(c0)
				gemm(false, true, m, n, k, 0.5, a, b, beta, swapped)
				runtime.GOMAXPROCS(prev)
				if !slices.Equal(direct, swapped) {
					t.Fatalf("%d×%d·(%d×%d)ᵀ, beta %v: the swapped product differs from the direct one on GOMAXPROCS %d", m, k, n, k, beta, procs)
				}
			}
		}
	}
	swapMode = 0
	for _, s := range [][3]int{{64, 128, 784}, {64, 256, 784}} {
		if !shouldSwap(false, true, s[0], s[1], s[2], 1) { // Linear.Forward's beta
			t.Errorf("the forward product %d×%d·(%d×%d)ᵀ is not swapped", s[0], s[2], s[1], s[2])
		}
	}
	if shouldSwap(false, true, 64, 10, 128, 0) {
		t.Error("the output layer's forward product is swapped: it packs more that way")
	}
}
