package parallel

import "sync"

// A Recycler keeps values for reuse, as a sync.Pool does, but allocates
// only when more values are in use at once than ever before. A sync.Pool
// allocates at times the runtime chooses: after every garbage collection
// (it rebuilds its per-processor array, and drops the values the
// collection before found unused), when GOMAXPROCS changes, and when a Get
// finds nothing on its processor (P) while the values sit in another's
// private slot. A training step that otherwise allocates nothing then
// allocates now and then; under emulation, where the collector runs in the
// middle of the steps, a few times in every ten steps.
//
// It holds the small per-call structs of the shared passes (a task, a
// product's cut, a layer's pass): as many as were ever in use at the same
// time, a few per goroutine that shares work. Buffers that can be large
// (tensor's packing workspaces) stay in a sync.Pool, which gives their
// memory back. The zero Recycler is empty and ready to use.
type Recycler[T any] struct {
	mu   sync.Mutex
	free []*T
}

// Get returns a value Put before, or a new zero value if none is left.
// The value is as Put left it: the caller resets what it needs.
func (r *Recycler[T]) Get() *T {
	r.mu.Lock()
	if n := len(r.free); n > 0 {
		v := r.free[n-1]
		r.free[n-1] = nil
		r.free = r.free[:n-1]
		r.mu.Unlock()
		return v
	}
	r.mu.Unlock()
	return new(T)
}

// Put keeps v for a later Get. v must not be used after Put.
func (r *Recycler[T]) Put(v *T) {
	r.mu.Lock()
	r.free = append(r.free, v)
	r.mu.Unlock()
}
