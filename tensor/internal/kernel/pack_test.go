package kernel

import (
	"math/rand/v2"
	"testing"
)

// packRows8Variants returns PackRows8 as it runs (on the assembly
// Transpose8x8 on a machine with AVX-512) and on the Go Transpose8x8.
func packRows8Variants() map[string]func(dst, src []float64, ld, depth int) {
	return map[string]func(dst, src []float64, ld, depth int){
		"PackRows8": PackRows8,
		"Go": func(dst, src []float64, ld, depth int) {
			t := Transpose8x8
			Transpose8x8 = transpose8x8Go
			defer func() { Transpose8x8 = t }()
			PackRows8(dst, src, ld, depth)
		},
	}
}

// TestPackRows8 checks PackRows8 (on the assembly Transpose8x8 on a machine
// with AVX-512) and on the Go one against the definition, for depths around
// the 8-column blocks and row strides longer than a row; dst past 8·depth
// must not change.
func TestPackRows8(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for name, f := range packRows8Variants() {
		for _, depth := range []int{0, 1, 7, 8, 9, 15, 16, 17, 64, 196, 203} {
			for _, extra := range []int{0, 3, 100} {
				ld := depth + extra
				src := randSlice(rng, 7*ld+depth)
				dst := randSlice(rng, 8*depth+5)
				old := append([]float64(nil), dst...)
				f(dst, src, ld, depth)
				for p := 0; p < depth; p++ {
					for j := 0; j < 8; j++ {
						if dst[p*8+j] != src[j*ld+p] {
							t.Fatalf("%s depth=%d ld=%d: dst[%d*8+%d] = %v, want src[%d*%d+%d] = %v", name, depth, ld, p, j, dst[p*8+j], j, ld, p, src[j*ld+p])
						}
					}
				}
				for i := 8 * depth; i < len(dst); i++ {
					if dst[i] != old[i] {
						t.Fatalf("%s depth=%d: wrote past the panel at %d", name, depth, i)
					}
				}
			}
		}
		for _, bad := range []func(){
			func() { f(make([]float64, 8*9), make([]float64, 7*9+8), 9, 9) },   // src one short
			func() { f(make([]float64, 8*9-1), make([]float64, 7*9+9), 9, 9) }, // dst one short
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: no panic on a short operand", name)
					}
				}()
				bad()
			}()
		}
	}
}

// BenchmarkPackRows8 times PackRows8 on the forward product's panels: 8
// rows of 784 values (a row of the batch, or of W), 784 apart.
//
//	go test -run XXX -bench PackRows8 -cpu 1 ./tensor/internal/kernel
func BenchmarkPackRows8(b *testing.B) {
	const depth = 196 // one k-block of 784
	rng := rand.New(rand.NewPCG(1, 1))
	src := randSlice(rng, 8*784)
	dst := make([]float64, 8*depth)
	for name, f := range packRows8Variants() {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f(dst, src, 784, depth)
			}
			b.ReportMetric(float64(8*depth)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gvalues/s")
		})
	}
}

// TestTranspose8x8 checks Transpose8x8 (the assembly version on a machine
// with AVX-512) and the Go version against the definition, with row
// strides longer than the blocks on both sides; nothing else in dst may
// change.
func TestTranspose8x8(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for name, f := range map[string]func(dst []float64, ldd int, src []float64, lds int, blocks int){"Transpose8x8": Transpose8x8, "Go": transpose8x8Go} {
		for _, blocks := range []int{0, 1, 2, 3, 16} {
			for _, extra := range [][2]int{{0, 0}, {3, 5}, {64, 1}} {
				ldd, lds := 8+extra[0], 8*blocks+extra[1]
				src := randSlice(rng, 8*lds)
				dst := randSlice(rng, 8*blocks*ldd+3)
				old := append([]float64(nil), dst...)
				f(dst, ldd, src, lds, blocks)
				for i := range dst {
					p, j := i/ldd, i%ldd
					want := old[i]
					if p < 8*blocks && j < 8 {
						want = src[j*lds+p]
					}
					if dst[i] != want {
						t.Fatalf("%s blocks=%d ldd=%d lds=%d: dst[%d] = %v, want %v", name, blocks, ldd, lds, i, dst[i], want)
					}
				}
			}
		}
		for _, bad := range []func(){
			func() { f(make([]float64, 16*8), 8, make([]float64, 7*16+15), 16, 2) }, // src one short
			func() { f(make([]float64, 15*8+7), 8, make([]float64, 8*16), 16, 2) },  // dst one short
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: no panic on a short operand", name)
					}
				}()
				bad()
			}()
		}
	}
}
