package tensor

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// TestParallel checks that Parallel calls every part exactly once, on 1 and
// 2 goroutines and in the pacing rule's serial mode; that products computed
// inside the parts (even one large enough to share) give the bits they give
// outside; and that a Parallel inside a part runs in place.
func TestParallel(t *testing.T) {
	defer resetPace()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(11, 12))
	a := RandUniform(rng, -1, 1, 64, 784)
	w := RandUniform(rng, -1, 1, 128, 784)
	want := MatMulABT(nil, a, w) // shared between goroutines when GOMAXPROCS > 1
	for _, procs := range []int{1, 2} {
		for _, serial := range []bool{false, true} {
			runtime.GOMAXPROCS(procs)
			resetPace()
			if serial {
				pace.mu.Lock()
				pace.mode, pace.probing, pace.left = modeSerial, false, 1<<20
				pace.mu.Unlock()
			}
			for _, parts := range []int{0, 1, 2, 3, 9} {
				calls := make([]atomic.Int32, parts)
				got := make([]*Tensor, parts)
				var inner atomic.Int32
				Parallel(parts, 1e6, func(i int) {
					calls[i].Add(1)
					got[i] = MatMulABT(nil, a, w)
					Parallel(2, 1, func(int) { inner.Add(1) })
				})
				for i := range calls {
					if n := calls[i].Load(); n != 1 {
						t.Fatalf("GOMAXPROCS %d, serial %v, %d parts: part %d called %d times", procs, serial, parts, i, n)
					}
					if !slices.Equal(got[i].Data, want.Data) {
						t.Fatalf("GOMAXPROCS %d, serial %v, %d parts: a product inside part %d changed its bits", procs, serial, parts, i)
					}
				}
				if n := inner.Load(); n != int32(2*parts) {
					t.Fatalf("GOMAXPROCS %d, %d parts: nested Parallel made %d calls, want %d", procs, parts, n, 2*parts)
				}
			}
		}
	}
	if inParallel.Load() != 0 {
		t.Fatalf("inParallel = %d after Parallel returned", inParallel.Load())
	}
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "tensor: Parallel: 4097 parts, more than 4096") {
			t.Errorf("panic %q", msg)
		}
	}()
	Parallel(maxParts+1, 1, func(int) {})
}
