package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/backprop-go/backprop/tensor/internal/kernel"
)

// Parallel products.
//
// C is cut into a fixed number of parts, all rows by a range of columns (or
// all columns by a range of rows), with borders on multiples of the tile
// size. The number of parts depends only on the shape and GOMAXPROCS. Each
// part runs the whole serial algorithm on its rectangle with its own packing
// buffers, so parts never wait for each other, and each element of C is
// computed by exactly the same arithmetic as in a serial run: same
// k-blocks, same order of summation, same kernel. That is why the result is
// bit-identical for every GOMAXPROCS.
//
// Which goroutine runs which part is decided at run time: the caller and
// the workers it wakes take parts from a shared counter until none are left.
// If a worker is slow to wake (the machine is busy), the caller simply does
// its part too instead of waiting idle. Who runs a part never changes its
// result.
//
// The workers are long-lived goroutines fed through a channel, and the
// per-call bookkeeping comes from a sync.Pool, so a parallel product
// allocates nothing in steady state (starting a goroutine per call would).

// minFlopsPerPart is the least work (2·m·n·k floating-point operations)
// worth a part of its own: some 50 µs of one core's time, well above the
// few microseconds it costs to wake a worker. Smaller products, like the
// homework's 64×128·128×10 output layer, run on the calling goroutine.
const minFlopsPerPart = 2 << 20

// maxParts bounds the number of parts; it must fit the 16-bit fields of
// task.state.
const maxParts = 1 << 12

// task is one parallel product: the job, how C is cut, and which parts
// have been claimed.
type task struct {
	job    gemmJob
	parts  int
	byCols bool // cut C into column ranges (else row ranges)

	// state packs generation<<32 | parts<<16 | next part to claim. The
	// generation tells a worker whose message arrives late, after the
	// task was finished and recycled for another product, to leave it
	// alone.
	state atomic.Uint64
	wg    sync.WaitGroup // counts parts not yet finished
}

var tasks = sync.Pool{New: func() any { return new(task) }}

// generation numbers tasks; see task.state.
var generation atomic.Uint32

// message asks a worker to help with task t of the given generation.
type message struct {
	t   *task
	gen uint32
}

var workers struct {
	mu    sync.Mutex
	count int
	queue chan message
}

// startWorkers makes sure at least n workers are running. Workers live for
// the rest of the program, blocked on the queue when there is no work.
func startWorkers(n int) {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	if workers.queue == nil {
		workers.queue = make(chan message, maxParts)
	}
	for ; workers.count < n; workers.count++ {
		go func() {
			for msg := range workers.queue {
				msg.t.help(msg.gen)
			}
		}()
	}
}

// help runs parts of t until none are left to claim.
func (t *task) help(gen uint32) {
	for {
		s := t.state.Load()
		g, parts, next := uint32(s>>32), int(s>>16&0xffff), int(s&0xffff)
		if g != gen || next >= parts {
			return
		}
		if t.state.CompareAndSwap(s, s+1) {
			t.runPart(next)
			t.wg.Done()
		}
	}
}

// runPart runs part i of t: the i-th of t.parts nearly equal ranges of
// tiles along the cut dimension.
func (t *task) runPart(i int) {
	g := &t.job
	ws := workspaces.Get().(*workspace)
	if t.byCols {
		tiles := (g.n + nr - 1) / nr
		j0, j1 := min(i*tiles/t.parts*nr, g.n), min((i+1)*tiles/t.parts*nr, g.n)
		g.run(0, g.m, j0, j1, ws)
	} else {
		tiles := (g.m + mr - 1) / mr
		i0, i1 := min(i*tiles/t.parts*mr, g.m), min((i+1)*tiles/t.parts*mr, g.m)
		g.run(i0, i1, 0, g.n, ws)
	}
	workspaces.Put(ws)
}

// partition decides how many goroutines share an m×n×k product, at most
// procs, and whether C is cut into column ranges (byCols) or row ranges.
//
// It cuts along the longer side of C: every part packs the whole of the
// other operand, so cutting columns repacks A (m×k) in every part and
// cutting rows repacks B (k×n); repack the smaller one.
func partition(m, n, k, procs int) (parts int, byCols bool) {
	byCols = n >= m
	tiles := (m + mr - 1) / mr
	if byCols {
		tiles = (n + nr - 1) / nr
	}
	flops := 2 * float64(m) * float64(n) * float64(k)
	return max(1, min(procs, maxParts, tiles, int(flops/minFlopsPerPart))), byCols
}

// packAMode overrides shouldPackA in tests: 0 decides by the arguments,
// 1 always packs A, -1 never does.
var packAMode = 0

// shouldPackA decides whether blocks of A are packed or read in place.
//
// The micro-kernel reads only MR scalars of A per step and broadcasts them,
// so it can read A where it lies: six short runs along six rows of a
// row-major A, or six neighbours in a row of a stored Aᵀ. Measured on the
// shapes of BenchmarkGemm, skipping the copy wins for row-major A (up to
// 40% on the 64×128·128×10 product, where packing A is a large part of the
// work, and nothing lost on 1024×1024); for Aᵀ, whose step p jumps a whole
// row of the stored matrix, packing wins by a few per cent. Either way the
// arithmetic is the same, so the choice never changes a result.
func shouldPackA(transA bool) bool {
	switch packAMode {
	case 1:
		return true
	case -1:
		return false
	}
	return transA
}

// gemmWith computes C = alpha·op(A)·op(B) + beta·C with the given
// micro-kernel, in parallel when the product is large enough.
func gemmWith(micro kernel.Func, transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	if m == 0 || n == 0 {
		return
	}
	c = c[:m*n]
	if k == 0 || alpha == 0 {
		scaleC(beta, c)
		return
	}
	job := gemmJob{micro: micro, transA: transA, transB: transB, packA: shouldPackA(transA), m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b, c: c}

	parts, byCols := partition(m, n, k, runtime.GOMAXPROCS(0))
	if parts <= 1 {
		ws := workspaces.Get().(*workspace)
		job.run(0, m, 0, n, ws)
		workspaces.Put(ws)
		return
	}

	startWorkers(parts - 1)
	t := tasks.Get().(*task)
	gen := generation.Add(1)
	t.job, t.parts, t.byCols = job, parts, byCols
	t.wg.Add(parts)
	t.state.Store(uint64(gen)<<32 | uint64(parts)<<16)
	for i := 1; i < parts; i++ {
		select {
		case workers.queue <- message{t, gen}:
		default: // the queue is full: the caller will do more itself
		}
	}
	t.help(gen)       // the caller takes parts too
	t.wg.Wait()       // for the parts workers took
	t.job = gemmJob{} // drop references to the caller's slices
	tasks.Put(t)
}
