package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNarrowSameBits checks the twins of each kernel that has them against
// the kernel itself, bit for bit: a 6×10 tile must equal the 6×8 tile of
// its columns 0–7 and that of columns 2–9, a 10×8 tile the 6×8 tiles of its
// rows 0–5 and 4–9. The operands are laid out as in checkKernel (A packed,
// row-major and transposed; B packed or inside a wider B of NaNs; C wider
// than the tile), and C outside the tile must not change.
func TestNarrowSameBits(t *testing.T) {
	found := false
	for name, f := range Available() {
		cols10, rows10 := Narrow(name)
		if cols10 == nil && rows10 == nil {
			continue
		}
		found = true
		if cols10 != nil {
			checkTwin(t, name+" 6×10", f, cols10, MR, Wide)
		}
		if rows10 != nil {
			checkTwin(t, name+" 10×8", f, rows10, Wide, NR)
		}
	}
	if !found {
		t.Skip("no kernel with narrow twins on this machine or build")
	}
}

func checkTwin(t *testing.T, name string, tile, twin Func, rows, cols int) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 64, 128, 257} {
		for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}, {-0.03, 1}, {2, math.Copysign(0, -1)}} {
			alpha, beta := ab[0], ab[1]
			layouts := [][3]int{ // rsa, csa, length of A
				{1, rows, k * rows},
				{k + 2, 1, rows * (k + 2)},
				{1, rows + 3, k * (rows + 3)},
			}
			for li, l := range layouts {
				rsa, csa := l[0], l[1]
				a := randSlice(rng, l[2])
				ldb := cols + 5*(li%2)
				b := randSlice(rng, (k-1)*ldb+cols)
				for i := range b {
					if i%ldb >= cols {
						b[i] = math.NaN()
					}
				}
				ldc := cols + 3
				c := randSlice(rng, rows*ldc)
				if beta == 0 {
					for i := 0; i < rows; i++ {
						c[i*ldc+cols-1] = math.NaN() // must be ignored
					}
				}
				// The tile by the 6×8 kernel, in two overlapping halves.
				want := append([]float64(nil), c...)
				second := append([]float64(nil), c...)
				tile(k, a, rsa, csa, b, ldb, alpha, beta, want, ldc)
				if cols > NR {
					tile(k, a, rsa, csa, b[cols-NR:], ldb, alpha, beta, second[cols-NR:], ldc)
					for i := 0; i < rows; i++ {
						copy(want[i*ldc+NR:i*ldc+cols], second[i*ldc+NR:i*ldc+cols])
					}
				} else {
					d := rows - MR
					tile(k, a[d*rsa:], rsa, csa, b, ldb, alpha, beta, second[d*ldc:], ldc)
					copy(want[MR*ldc:], second[MR*ldc:])
				}
				got := append([]float64(nil), c...)
				twin(k, a, rsa, csa, b, ldb, alpha, beta, got, ldc)
				for i := range got {
					if i%ldc >= cols {
						if math.Float64bits(got[i]) != math.Float64bits(c[i]) {
							t.Fatalf("%s k=%d: wrote outside the tile at %d", name, k, i)
						}
						continue
					}
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("%s k=%d rsa=%d csa=%d ldb=%d alpha=%v beta=%v: c[%d] = %v, the 6×8 kernel gives %v", name, k, rsa, csa, ldb, alpha, beta, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestNarrowPanics checks that a twin refuses operands too short for its
// tile rather than reading past them.
func TestNarrowPanics(t *testing.T) {
	for name := range Available() {
		cols10, rows10 := Narrow(name)
		for _, tc := range []struct {
			f          Func
			rows, cols int
		}{{cols10, MR, Wide}, {rows10, Wide, NR}} {
			if tc.f == nil {
				continue
			}
			const k = 4
			a := make([]float64, tc.rows*k)
			b := make([]float64, k*tc.cols)
			c := make([]float64, tc.rows*tc.cols)
			for _, bad := range []func(){
				func() { tc.f(k, a[1:], 1, tc.rows, b, tc.cols, 1, 0, c, tc.cols) },
				func() { tc.f(k, a, 1, tc.rows, b[1:], tc.cols, 1, 0, c, tc.cols) },
				func() { tc.f(k, a, 1, tc.rows, b, tc.cols, 1, 0, c[1:], tc.cols) },
				func() { tc.f(k, a, 1, tc.rows, b, tc.cols-1, 1, 0, c, tc.cols) },
				func() { tc.f(0, a, 1, tc.rows, b, tc.cols, 1, 0, c, tc.cols) },
			} {
				func() {
					defer func() {
						if recover() == nil {
							t.Errorf("%s %d×%d: no panic on a bad operand", name, tc.rows, tc.cols)
						}
					}()
					bad()
				}()
			}
		}
	}
}

// BenchmarkNarrowKernel times the twins on packed panels in L1, as
// BenchmarkKernel does the kernels, in GFLOPS of useful work (a 6×10 tile
// does 60 multiply-adds per step, where the 6×8 kernel run twice on a
// padded panel does 96):
//
//	go test -run XXX -bench NarrowKernel -cpu 1 ./tensor/internal/kernel
func BenchmarkNarrowKernel(b *testing.B) {
	const k = 256
	rng := rand.New(rand.NewPCG(1, 1))
	for name := range Available() {
		cols10, rows10 := Narrow(name)
		for _, tc := range []struct {
			shape      string
			f          Func
			rows, cols int
		}{{"6x10", cols10, MR, Wide}, {"10x8", rows10, Wide, NR}} {
			if tc.f == nil {
				continue
			}
			ap, bp := randSlice(rng, k*tc.rows), randSlice(rng, k*tc.cols)
			c := make([]float64, tc.rows*tc.cols)
			b.Run(name+"/"+tc.shape, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					tc.f(k, ap, 1, tc.rows, bp, tc.cols, 1, 1, c, tc.cols)
				}
				b.ReportMetric(2*k*float64(tc.rows*tc.cols)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}

// TestStripSameBits checks each strip kernel against its kernel called
// once per tile, bit for bit, with B packed (panels one after the other)
// and read in place from a wider row-major B, and C wider than the strip:
// nothing outside the strip's tiles may change.
func TestStripSameBits(t *testing.T) {
	found := false
	for name, f := range Available() {
		s := Strip(name)
		if s == nil {
			continue
		}
		found = true
		rng := rand.New(rand.NewPCG(7, 8))
		for _, k := range []int{1, 2, 3, 4, 5, 10, 64, 257} {
			for _, panels := range []int{1, 2, 5} {
				for _, packed := range []bool{true, false} {
					for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}} {
						alpha, beta := ab[0], ab[1]
						a := randSlice(rng, MR*k)
						ldb, bstep := panels*NR+3, NR
						if packed {
							ldb, bstep = NR, NR*k
						}
						b := randSlice(rng, (k-1)*ldb+(panels-1)*bstep+NR)
						ldc := panels*NR + 5
						c := randSlice(rng, MR*ldc)
						want := append([]float64(nil), c...)
						for j := 0; j < panels; j++ {
							f(k, a, 1, MR, b[j*bstep:], ldb, alpha, beta, want[j*NR:], ldc)
						}
						got := append([]float64(nil), c...)
						s(panels, bstep, k, a, 1, MR, b, ldb, alpha, beta, got, ldc)
						for i := range got {
							if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
								t.Fatalf("%s strip k=%d panels=%d packed=%v alpha=%v beta=%v: c[%d] = %v, tile by tile %v", name, k, panels, packed, alpha, beta, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s strip: no panic on a B one panel short", name)
				}
			}()
			const k = 4
			s(3, NR*k, k, make([]float64, MR*k), 1, MR, make([]float64, 2*NR*k), NR, 1, 0, make([]float64, MR*3*NR), 3*NR)
		}()
	}
	if !found {
		t.Skip("no kernel with a strip version on this machine or build")
	}
}
