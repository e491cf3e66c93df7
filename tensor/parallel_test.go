package tensor

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/internal/parallel"
)

// TestParallel checks that parallel.Do calls every part exactly once, on 1 and
// 2 goroutines and in the pacing rule's serial mode; that products computed
// inside the parts (even one large enough to share) give the bits they give
// outside; and that a parallel.Do inside a part runs in place.
func TestParallel(t *testing.T) {
	defer parallel.Reset()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(11, 12))
	a := RandUniform(rng, -1, 1, 64, 784)
	w := RandUniform(rng, -1, 1, 128, 784)
	want := MatMulABT(nil, a, w) // shared between goroutines when GOMAXPROCS > 1
	for _, procs := range []int{1, 2} {
		for _, serial := range []bool{false, true} {
			runtime.GOMAXPROCS(procs)
			parallel.Reset()
			if serial {
				parallel.Force(parallel.Serial)
			}
			for _, parts := range []int{0, 1, 2, 3, 9} {
				calls := make([]atomic.Int32, parts)
				got := make([]*Tensor, parts)
				var inner atomic.Int32
				parallel.Do(parts, 1e6, func(i int) {
					calls[i].Add(1)
					got[i] = MatMulABT(nil, a, w)
					parallel.Do(2, 1, func(int) { inner.Add(1) })
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
	if parallel.Depth() != 0 {
		t.Fatalf("parallel.Depth() = %d after Parallel returned", parallel.Depth())
	}
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "parallel: Do: 4097 parts, more than 4096") {
			t.Errorf("panic %q", msg)
		}
	}()
	parallel.Do(parallel.MaxParts+1, 1, func(int) {})
}

// TestParallelPanic checks that a call's panic reaches the caller of
// Parallel, with its value, when the call ran on a worker's goroutine (a
// panic the worker did not carry back would end the test binary), and
// when it ran on the caller's; and that Parallel and shared products work
// as before afterwards.
//
// Which goroutine runs which call is decided at run time, and a call that
// panics at once takes a fraction of a microsecond: on a machine with one
// free core the caller could run all eight before a worker wakes. So the
// caller's own call waits (for up to a second, sleeping, so that a worker
// gets a processor even on one core) until a worker has started a call,
// and only the worker's calls panic: the value the caller recovers must
// then be one of theirs. The test does not depend on how fast the machine
// is, only on a worker coming within a second.
func TestParallelPanic(t *testing.T) {
	defer parallel.Reset()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	parallel.Reset()
	for round := range 20 {
		caller := goid()
		var onWorker [8]atomic.Bool
		var workerStarted atomic.Bool
		msg := recovered(func() {
			parallel.Do(8, 1e9, func(i int) {
				if goid() != caller {
					onWorker[i].Store(true)
					workerStarted.Store(true)
					panic(fmt.Sprintf("part %d", i))
				}
				for start := time.Now(); !workerStarted.Load() && time.Since(start) < time.Second; {
					time.Sleep(20 * time.Microsecond)
				}
			})
		})
		if !workerStarted.Load() {
			t.Fatalf("round %d: no worker ran a call within a second", round)
		}
		var part int
		if _, err := fmt.Sscanf(msg, "part %d", &part); err != nil || part < 0 || part >= 8 || !onWorker[part].Load() {
			t.Fatalf("round %d: recovered %q, want the panic of a call a worker ran", round, msg)
		}
	}
	// Every call panics, the caller's too.
	for range 20 {
		if msg := recovered(func() {
			parallel.Do(8, 1e9, func(i int) { panic(fmt.Sprintf("part %d", i)) })
		}); !strings.HasPrefix(msg, "part ") {
			t.Fatalf("got %q, want a part's panic", msg)
		}
	}
	if parallel.Depth() != 0 {
		t.Fatalf("parallel.Depth() = %d after the panics", parallel.Depth())
	}
	var calls atomic.Int32
	parallel.Do(4, 1e9, func(int) { calls.Add(1) })
	if calls.Load() != 4 {
		t.Fatalf("Parallel after the panics made %d calls, want 4", calls.Load())
	}
	rng := rand.New(rand.NewPCG(3, 4))
	a := RandUniform(rng, -1, 1, 64, 784)
	w := RandUniform(rng, -1, 1, 128, 784)
	want := New(64, 128)
	NaiveGemm(false, true, 64, 128, 784, 1, a.Data, w.Data, 0, want.Data)
	got := MatMulABT(nil, a, w)
	numtest.Slices(t, "a shared product after the panics", got.Data, want.Data, numtest.Tol{Abs: 1e-9})
}

// recovered calls f and returns the value it panicked with, as text, or a
// message saying it returned.
func recovered(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return "Parallel returned after its calls panicked"
}

// goid returns the calling goroutine's id, parsed from its stack header
// ("goroutine 18 [running]:"): only to tell the caller from a worker.
func goid() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	if len(f) < 2 {
		return ""
	}
	return f[1]
}
