package kernel

import (
	"math"
	"math/rand/v2"
	"runtime"
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

// guard is the number of guard values on each side of every operand, as
// gonum's assembly tests have: NaNs around A and B, so that a kernel
// reading past its operands gets a NaN into its result, which every
// comparison below fails on; and a fixed value around C, which must keep
// its bits.
const guard = 8

// guardC is the value of C's guards and of the elements of C beside the
// tile (ldc > NR), none of which a kernel may write.
var guardC = math.Float64frombits(0x7ff8dead0000beef) // a NaN with a payload

// A tileCase is one call of a kernel: the tile's operands and strides.
type tileCase struct {
	k, rsa, csa, ldb, ldc int
	alpha, beta           float64
}

// operands returns the case's A, B and C with their guards: only the
// elements of the panels are numbers, every other element of A and B
// (those a stride skips over, and the guards) is NaN, so that reading one
// shows. C's elements outside the tile are guardC. The slices returned are
// the inner ones, with their capacity cut to their length; the whole
// buffers are returned too, to check the guards after the call.
func (tc tileCase) operands(rng *rand.Rand) (a, b, c, cbuf []float64) {
	k := tc.k
	na, nb := 0, 0
	if k > 0 {
		na, nb = (MR-1)*tc.rsa+(k-1)*tc.csa+1, (k-1)*tc.ldb+NR
	}
	abuf := nanSlice(na + 2*guard)
	for i := 0; i < MR; i++ {
		for p := 0; p < k; p++ {
			abuf[guard+i*tc.rsa+p*tc.csa] = rng.Float64()*2 - 1
		}
	}
	bbuf := nanSlice(nb + 2*guard)
	for p := 0; p < k; p++ {
		for j := 0; j < NR; j++ {
			bbuf[guard+p*tc.ldb+j] = rng.Float64()*2 - 1
		}
	}
	nc := (MR-1)*tc.ldc + NR
	cbuf = make([]float64, nc+2*guard)
	for i := range cbuf {
		cbuf[i] = guardC
	}
	for i := 0; i < MR; i++ {
		for j := 0; j < NR; j++ {
			v := rng.Float64()*2 - 1
			if tc.beta == 0 && j == 0 {
				v = math.NaN() // beta == 0: C is not read
			}
			cbuf[guard+i*tc.ldc+j] = v
		}
	}
	return abuf[guard : guard+na : guard+na], bbuf[guard : guard+nb : guard+nb], cbuf[guard : guard+nc : guard+nc], cbuf
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// check runs f on the case and compares its tile with reference's, within
// a bound on the rounding error of either, and checks that nothing outside
// the tile, guards included, changed.
func (tc tileCase) check(t *testing.T, name string, f Func, rng *rand.Rand) {
	t.Helper()
	a, b, c, cbuf := tc.operands(rng)
	want := append([]float64(nil), c...)
	reference(tc.k, a, tc.rsa, tc.csa, b, tc.ldb, tc.alpha, tc.beta, want, tc.ldc)
	old := append([]float64(nil), cbuf...)
	f(tc.k, a, tc.rsa, tc.csa, b, tc.ldb, tc.alpha, tc.beta, c, tc.ldc)
	for i := range cbuf {
		r, j := (i-guard)/tc.ldc, (i-guard)%tc.ldc
		if i < guard || i >= guard+len(c) || j >= NR {
			if math.Float64bits(cbuf[i]) != math.Float64bits(old[i]) {
				t.Fatalf("%s %+v: wrote outside the tile at %d (guard %d on each side)", name, tc, i, guard)
			}
			continue
		}
		// Each of the k+2 roundings of a sum (the k multiply-adds,
		// alpha and beta) adds at most 2⁻⁵³ of the sum of magnitudes,
		// in f and in reference alike.
		var mag float64
		for p := 0; p < tc.k; p++ {
			mag += math.Abs(a[r*tc.rsa+p*tc.csa] * b[p*tc.ldb+j])
		}
		mag *= math.Abs(tc.alpha)
		if tc.beta != 0 {
			mag += math.Abs(tc.beta * old[i])
		}
		tol := 2 * float64(tc.k+2) * 0x1p-53 * mag
		if got, w := c[i-guard], want[i-guard]; !(math.Abs(got-w) <= tol) {
			t.Fatalf("%s %+v: c[%d,%d] = %v, want %v (tolerance %.3g)", name, tc, r, j, got, w, tol)
		}
	}
}

// checkKernel compares f with reference on random panels: for several k,
// odd ones and those around the unrolling by four among them; A packed, in
// a row-major matrix with k+2 columns, in a transposed one with MR+3, and
// with neither stride 1;
// B packed and inside a wider row-major B; C with a row stride wider than
// the tile; alpha and beta with beta = 0 and -0 (C not read). Then on
// random strides and depths.
func checkKernel(t *testing.T, name string, f Func) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 257} {
		for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}, {2, math.Copysign(0, -1)}} {
			layouts := [][2]int{{1, MR}, {k + 2, 1}, {1, MR + 3}, {2, 2*MR + 1}}
			for li, l := range layouts {
				tc := tileCase{k: k, rsa: l[0], csa: l[1], ldb: NR + 5*(li%2), ldc: NR + 3, alpha: ab[0], beta: ab[1]}
				tc.check(t, name, f, rng)
			}
		}
	}
	for range 200 {
		k := 1 + rng.IntN(300)
		tc := tileCase{k: k, ldb: NR + rng.IntN(9), ldc: NR + rng.IntN(9), alpha: rng.Float64()*4 - 2, beta: float64(rng.IntN(3)) - 1}
		switch rng.IntN(4) {
		case 0: // packed
			tc.rsa, tc.csa = 1, MR
		case 1: // row-major, read in place
			tc.rsa, tc.csa = k+rng.IntN(5), 1
		case 2: // transposed, read in place
			tc.rsa, tc.csa = 1, MR+rng.IntN(5)
		default: // other strides
			tc.rsa, tc.csa = 2+rng.IntN(3), 2*MR+rng.IntN(5)
		}
		tc.check(t, name, f, rng)
	}
}

// FuzzKernel checks every kernel this machine can run against reference
// on a tile the fuzzer shapes; the seed corpus runs in every go test.
//
//	go test -run '^$' -fuzz '^FuzzKernel$' -fuzztime 30s ./tensor/internal/kernel
func FuzzKernel(f *testing.F) {
	f.Add(uint16(1), uint8(0), uint8(0), uint8(0), uint8(0), 1.0, 0.0, uint64(1))
	f.Add(uint16(4), uint8(1), uint8(3), uint8(5), uint8(1), -0.5, 2.0, uint64(2))
	f.Add(uint16(7), uint8(2), uint8(1), uint8(0), uint8(7), 2.0, math.Copysign(0, -1), uint64(3))
	f.Add(uint16(257), uint8(1), uint8(0), uint8(1), uint8(2), 1.0, 1.0, uint64(4))
	f.Add(uint16(0), uint8(0), uint8(0), uint8(0), uint8(0), 1.0, 3.0, uint64(5))
	f.Fuzz(func(t *testing.T, k16 uint16, layout, padA, padB, padC uint8, alpha, beta float64, seed uint64) {
		if !(math.Abs(alpha) <= 1e6 && math.Abs(beta) <= 1e6) {
			t.Skip("alpha or beta not finite or so large that the product overflows")
		}
		k := int(k16 % 600)
		tc := tileCase{k: k, ldb: NR + int(padB%16), ldc: NR + int(padC%16), alpha: alpha, beta: beta}
		switch layout % 4 {
		case 0: // packed, or transposed in place
			tc.rsa, tc.csa = 1, MR+int(padA%8)
		case 1: // row-major in place
			tc.rsa, tc.csa = k+int(padA%8), 1
		case 2: // rows overlapping, or all the same row
			tc.rsa, tc.csa = int(padA%4), 1
		default: // neither stride 1
			tc.rsa, tc.csa = 2+int(padA%4), 2*MR+int(padA%8)
		}
		for name, fn := range Available() {
			tc.check(t, name, fn, rand.New(rand.NewPCG(seed, 7)))
		}
	})
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
		if d := math.Abs(c1[i] - c2[i]); !(d <= 1e-12*k) {
			t.Fatalf("c[%d]: asm %v, Go %v", i, c1[i], c2[i])
		}
	}
}

// BenchmarkKernel times every kernel this machine can run on one tile of
// packed panels, k = 256. GFLOPS divides by the wall clock; cpu-GFLOPS
// (on Linux) by the CPU time of the benchmark's thread, which on a
// machine shared with other work is the steadier of the two.
//
//	go test -run XXX -bench 'Kernel$' -cpu 1 -count 8 ./tensor/internal/kernel
func BenchmarkKernel(b *testing.B) {
	const k = 256
	rng := rand.New(rand.NewPCG(1, 1))
	ap, bp := randSlice(rng, k*MR), randSlice(rng, k*NR)
	c := make([]float64, MR*NR)
	for name, f := range Available() {
		b.Run(name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			t0 := threadCPU()
			for i := 0; i < b.N; i++ {
				f(k, ap, 1, MR, bp, NR, 1, 1, c, NR)
			}
			flops := 2 * k * MR * NR * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			if t1 := threadCPU(); t0 >= 0 && t1 > t0 {
				b.ReportMetric(flops/(t1-t0)/1e9, "cpu-GFLOPS")
			}
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
