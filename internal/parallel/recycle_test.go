package parallel

import (
	"runtime"
	"sync"
	"testing"
)

// TestRecyclerReuses checks that a Recycler hands back what was Put, last
// in first out, and a new zero value once empty.
func TestRecyclerReuses(t *testing.T) {
	var r Recycler[[4]int]
	a, b := r.Get(), r.Get()
	if a == b || *a != [4]int{} || *b != [4]int{} {
		t.Fatalf("two Gets of an empty Recycler gave %p %v and %p %v, want two zero values", a, *a, b, *b)
	}
	a[0] = 7
	r.Put(a)
	r.Put(b)
	if got := r.Get(); got != b {
		t.Errorf("Get after Put(a), Put(b) gave %p, want b %p", got, b)
	}
	if got := r.Get(); got != a || got[0] != 7 {
		t.Errorf("second Get gave %p %v, want a %p as Put", got, *got, a)
	}
	if c := r.Get(); c == a || c == b || *c != [4]int{} {
		t.Errorf("Get of an emptied Recycler gave %p %v, want a new zero value", c, *c)
	}
}

// TestRecyclerKeepsThroughGC checks what sync.Pool does not promise: once
// it holds a value, Get and Put allocate nothing, garbage collections
// between them or not. The same loop on a sync.Pool allocates, which shows
// the test can fail.
func TestRecyclerKeepsThroughGC(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	var r Recycler[[4]int]
	r.Put(r.Get())
	if n := testing.AllocsPerRun(5, func() {
		v := r.Get()
		runtime.GC()
		runtime.GC()
		r.Put(v)
	}); n != 0 {
		t.Errorf("Get, two garbage collections and Put allocate %v times, want 0", n)
	}
	p := sync.Pool{New: func() any { return new([4]int) }}
	p.Put(p.Get())
	if n := testing.AllocsPerRun(5, func() {
		v := p.Get()
		runtime.GC()
		runtime.GC()
		p.Put(v)
	}); !(n > 0) {
		t.Errorf("the same loop on a sync.Pool allocates %v times, want some (else this test proves nothing)", n)
	}
}

// TestRecyclerConcurrent checks, under -race too, that goroutines sharing
// a Recycler never get the same value at once, and that it keeps no more
// values than were in use at the same time.
func TestRecyclerConcurrent(t *testing.T) {
	var r Recycler[int]
	const goroutines, rounds = 4, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				v := r.Get()
				*v = g*rounds + i // a value two goroutines held at once would show up under -race
				if *v != g*rounds+i {
					t.Errorf("goroutine %d: the value it got changed under it", g)
					return
				}
				r.Put(v)
			}
		}()
	}
	wg.Wait()
	if n := len(r.free); n < 1 || n > goroutines {
		t.Errorf("after %d goroutines, the Recycler holds %d values, want 1 to %d", goroutines, n, goroutines)
	}
}
