package tensor

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// TestGemmSGDSameBits checks that GemmSGD's fused step gives the bits of
// the gradient product followed by AxpyZero, with every kernel, on the
// homework's weight-gradient shapes, odd shapes, k past one k-block (where
// it runs the two steps), an empty batch, and on 1 and 2 goroutines.
func TestGemmSGDSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(7, 8))
	for _, sh := range [][3]int{ // m (units), k (batch), n (inputs)
		{128, 64, 784}, {10, 64, 128}, {256, 64, 784}, {7, 5, 13}, {37, 256, 19}, {13, 257, 29}, {128, 600, 784},
		{3, 0, 4}, // an empty batch: W stays as it is
	} {
		m, k, n := sh[0], sh[1], sh[2]
		delta := FromData(randSlice(rng, k*m), k, m) // Δ, batch × units
		a := FromData(randSlice(rng, k*n), k, n)     // A, batch × inputs
		w0 := randSlice(rng, m*n)
		for _, name := range sortedKernelNames() {
			for _, procs := range []int{1, 2} {
				runtime.GOMAXPROCS(procs)
				fast := fastKernels
				fastKernels = namedKernels(name)
				want := FromData(append([]float64(nil), w0...), m, n)
				g := New(m, n)
				Gemm(true, false, 1, delta, a, 1, g)
				AxpyZero(-0.03, g, want)
				got := FromData(append([]float64(nil), w0...), m, n)
				GemmSGD(true, false, 0.03, delta, a, g, got)
				fastKernels = fast
				for i := range got.Data {
					if got.Data[i] != want.Data[i] {
						t.Fatalf("%s, (%d×%d)ᵀ·%d×%d, GOMAXPROCS %d: W[%d] = %v, want %v", name, k, m, k, n, procs, i, got.Data[i], want.Data[i])
					}
				}
				for i, v := range g.Data {
					if v != 0 {
						t.Fatalf("%s, k=%d: g[%d] = %v after GemmSGD, want 0", name, k, i, v)
					}
				}
			}
		}
	}
}

func TestGemmSGDPanics(t *testing.T) {
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { GemmSGD(true, false, 0.1, New(4, 3), New(4, 5), New(3, 5), New(3, 4)) }, "tensor: GemmSGD: shapes differ: [3 5] and [3 4]"},
		{func() { GemmSGD(true, false, 0.1, New(4, 3), New(2, 5), New(3, 5), New(3, 5)) }, "tensor: GemmSGD: inner dimensions differ: Aᵀ[4 3] and B[2 5]"},
		{func() { GemmSGD(true, false, 0.1, New(4, 3), New(4, 5), nil, New(3, 5)) }, "tensor: GemmSGD: G is nil"},
	} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want %q", msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestGemmSGDInputSameBits checks that GemmSGDInput gives the bits of
// Gemm (∂L/∂A = Δ·W) followed by GemmSGD (the step on W), with every
// kernel, on 1 and 2 goroutines, with the pacing rule sharing the pair and
// running it serially: on the homework's shapes, odd ones, a batch past
// one k-block (where it runs the two calls) and empty ones.
func TestGemmSGDInputSameBits(t *testing.T) {
	defer resetPace()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(9, 10))
	for _, sh := range [][3]int{ // batch, in, out
		{64, 256, 128}, {64, 128, 10}, {64, 784, 256}, {7, 13, 5}, {5, 300, 37}, {256, 19, 37}, {257, 29, 13}, {0, 4, 3}, {3, 4, 0},
	} {
		batch, in, out := sh[0], sh[1], sh[2]
		d := FromData(randSlice(rng, batch*out), batch, out)
		a := FromData(randSlice(rng, batch*in), batch, in)
		w0 := randSlice(rng, out*in)
		for _, name := range sortedKernelNames() {
			for _, procs := range []int{1, 2} {
				for _, serial := range []bool{false, true} {
					runtime.GOMAXPROCS(procs)
					resetPace() // spinning: shared
					if serial {
						pace.mu.Lock()
						pace.mode, pace.probing, pace.left = modeSerial, false, 1<<20
						pace.mu.Unlock()
					}
					fast := fastKernels
					fastKernels = namedKernels(name)
					want, wantDA := FromData(append([]float64(nil), w0...), out, in), New(batch, in)
					g := New(out, in)
					Gemm(false, false, 1, d, want, 0, wantDA)
					GemmSGD(true, false, 0.03, d, a, g, want)
					got, gotDA := FromData(append([]float64(nil), w0...), out, in), RandUniform(rng, -1, 1, batch, in)
					GemmSGDInput(0.03, d, a, g, got, gotDA)
					fastKernels = fast
					where := fmt.Sprintf("%s, batch %d, %d→%d, GOMAXPROCS %d, serial %v", name, batch, in, out, procs, serial)
					for i := range got.Data {
						if got.Data[i] != want.Data[i] {
							t.Fatalf("%s: W[%d] = %v, want %v", where, i, got.Data[i], want.Data[i])
						}
					}
					for i := range gotDA.Data {
						if gotDA.Data[i] != wantDA.Data[i] {
							t.Fatalf("%s: dA[%d] = %v, want %v", where, i, gotDA.Data[i], wantDA.Data[i])
						}
					}
					for i, v := range g.Data {
						if v != 0 {
							t.Fatalf("%s: g[%d] = %v after GemmSGDInput, want 0", where, i, v)
						}
					}
				}
			}
		}
	}
}

func TestGemmSGDInputPanics(t *testing.T) {
	d, a, w := New(4, 3), New(4, 5), New(3, 5)
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { GemmSGDInput(0.1, d, a, New(3, 4), w, New(4, 5)) }, "tensor: GemmSGDInput: shapes differ: [3 4] and [3 5]"},
		{func() { GemmSGDInput(0.1, d, New(2, 5), New(3, 5), w, New(4, 5)) }, "tensor: GemmSGDInput: inner dimensions differ: Aᵀ[4 3] and B[2 5]"},
		{func() { GemmSGDInput(0.1, d, a, New(3, 5), w, New(4, 4)) }, "tensor: GemmSGDInput: destination has shape [4 4], want [4 5] for A[4 3] · B[3 5]"},
		{func() { GemmSGDInput(0.1, d, a, New(3, 5), w, nil) }, "tensor: GemmSGDInput: dA is nil"},
		{func() { GemmSGDInput(0.1, d, a, New(3, 5), w, a) }, "tensor: GemmSGDInput: destination [4 5] shares memory with the input A[4 5]"},
		{func() {
			buf := make([]float64, 30)
			GemmSGDInput(0.1, d, a, New(3, 5), FromData(buf[:15], 3, 5), FromData(buf[10:], 4, 5))
		}, "tensor: GemmSGDInput: destination [4 5] shares memory with an operand (A[4 3], B[3 5])"},
	} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want %q", msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}
