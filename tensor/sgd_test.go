package tensor

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/internal/numtest"
)

// TestGemmSGDSameBits checks that the fused step tensor hands to train
// (fused.GemmSGD) gives the bits of
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
				fused.GemmSGD(true, false, m, n, k, 0.03, delta.Data, a.Data, g.Data, got.Data)
				fastKernels = fast
				if !numtest.SameSlices(t, fmt.Sprintf("%s, (%d×%d)ᵀ·%d×%d, GOMAXPROCS %d: W", name, k, m, k, n, procs), got.Data, want.Data) {
					t.FailNow()
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
	w := make([]float64, 15)
	defer func() {
		if msg := fmt.Sprint(recover()); !strings.Contains(msg, "tensor: GemmSGD: W (3×5) shares memory with an operand") {
			t.Errorf("panic %q, want one about shared memory", msg)
		}
	}()
	fused.GemmSGD(true, false, 3, 5, 4, 0.1, make([]float64, 12), make([]float64, 20), w, w)
}
