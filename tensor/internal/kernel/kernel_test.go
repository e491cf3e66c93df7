package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// reference computes the tile the slow, obvious way.
func reference(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	for i := 0; i < MR; i++ {
		for j := 0; j < NR; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += a[i*rsa+p*csa] * b[p*ldb+j]
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.Float64()*2 - 1
	}
	return s
}

// aLayouts returns the strides (rsa, csa) and length of an MR×k panel of A
// packed, in a row-major matrix with k+2 columns, and in a transposed one
// with MR+3 columns.
func aLayouts(k int) [][3]int {
	return [][3]int{
		{1, MR, k * MR},
		{k + 2, 1, MR * (k + 2)},
		{1, MR + 3, k * (MR + 3)},
	}
}

// checkKernel compares f with reference on random panels, for several k,
// layouts of A, alpha, beta, a packed B panel and one inside a wider
// row-major B (whose other columns are NaN, so reading them would show),
// and a C with a row stride wider than the tile. Elements of C outside the
// tile must not be touched.
func checkKernel(t *testing.T, name string, f Func) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 31, 64, 257} {
		for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}, {2, math.Copysign(0, -1)}} {
			for li, l := range aLayouts(k) {
				rsa, csa := l[0], l[1]
				alpha, beta := ab[0], ab[1]
				a := randSlice(rng, l[2])
				ldb := NR + 5*(li%2) // packed, or in place in a wider B
				b := randSlice(rng, (k-1)*ldb+NR)
				for i := range b {
					if i%ldb >= NR {
						b[i] = math.NaN() // not part of the panel
					}
				}
				const ldc = NR + 3
				c := randSlice(rng, MR*ldc)
				if beta == 0 {
					for i := 0; i < MR; i++ {
						c[i*ldc] = math.NaN() // must be ignored
					}
				}
				want := append([]float64(nil), c...)
				reference(k, a, rsa, csa, b, ldb, alpha, beta, want, ldc)
				got := append([]float64(nil), c...)
				f(k, a, rsa, csa, b, ldb, alpha, beta, got, ldc)
				for i := range got {
					if i%ldc >= NR {
						if got[i] != c[i] {
							t.Fatalf("%s k=%d: wrote outside the tile at %d", name, k, i)
						}
						continue
					}
					if d := math.Abs(got[i] - want[i]); !(d <= 1e-12*float64(k+1)) {
						t.Fatalf("%s k=%d rsa=%d csa=%d ldb=%d alpha=%v beta=%v: c[%d] = %v, want %v", name, k, rsa, csa, ldb, alpha, beta, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestGeneric(t *testing.T) { checkKernel(t, "Generic", Generic) }

func TestFast(t *testing.T) {
	t.Logf("fast kernel: %s", FastName)
	checkKernel(t, FastName, Fast)
}

// TestAvailable checks every kernel this machine can run, not only the
// fastest: on an AVX-512 machine that includes the AVX2 one.
func TestAvailable(t *testing.T) {
	for name, f := range Available() {
		checkKernel(t, name, f)
	}
}

// TestAsmKernels checks each assembly kernel the CPU can run, not only the
// one Fast picked.
func TestAsmKernels(t *testing.T) {
	all := Available()
	if len(all) == 1 {
		t.Skip("no assembly kernel on this machine or build")
	}
	for name, f := range all {
		if name != "generic" {
			checkKernel(t, name, f)
		}
	}
}

// TestFastMatchesGeneric checks the assembly kernel against the pure-Go one
// directly, on a long k where rounding differences would add up.
func TestFastMatchesGeneric(t *testing.T) {
	if !Accelerated() {
		t.Skip("no assembly kernel on this machine or build")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const k = 1000
	a, b := randSlice(rng, k*MR), randSlice(rng, k*NR)
	c1 := make([]float64, MR*NR)
	c2 := make([]float64, MR*NR)
	Fast(k, a, 1, MR, b, NR, 1.5, 0, c1, NR)
	Generic(k, a, 1, MR, b, NR, 1.5, 0, c2, NR)
	for i := range c1 {
		if d := math.Abs(c1[i] - c2[i]); d > 1e-12*k {
			t.Fatalf("c[%d]: asm %v, Go %v", i, c1[i], c2[i])
		}
	}
}

func BenchmarkKernel(b *testing.B) {
	const k = 256
	rng := rand.New(rand.NewPCG(1, 1))
	ap, bp := randSlice(rng, k*MR), randSlice(rng, k*NR)
	c := make([]float64, MR*NR)
	for name, f := range Available() {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f(k, ap, 1, MR, bp, NR, 1, 1, c, NR)
			}
			b.ReportMetric(2*k*MR*NR*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// TestShortOperandsPanic checks that every kernel refuses operands too short
// for the tile with a Go panic: the assembly ones trust their pointers, so
// without the check they would read or write past the slices.
func TestShortOperandsPanic(t *testing.T) {
	const k = 5
	for name, f := range Available() {
		for _, tc := range []struct {
			what     string
			a, b, c  []float64
			ldb, ldc int
		}{
			{"a", make([]float64, MR*k-1), make([]float64, k*NR), make([]float64, MR*NR), NR, NR},
			{"b", make([]float64, MR*k), make([]float64, k*NR-1), make([]float64, MR*NR), NR, NR},
			{"b with ldb", make([]float64, MR*k), make([]float64, k*NR), make([]float64, MR*NR), NR + 1, NR},
			{"c", make([]float64, MR*k), make([]float64, k*NR), make([]float64, MR*NR-1), NR, NR},
			{"c with ldc", make([]float64, MR*k), make([]float64, k*NR), make([]float64, MR*NR), NR, NR + 1},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: short %s did not panic", name, tc.what)
					}
				}()
				f(k, tc.a, 1, MR, tc.b, tc.ldb, 1, 0, tc.c, tc.ldc)
			}()
		}
	}
}
