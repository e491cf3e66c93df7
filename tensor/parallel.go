package tensor

import (
	"runtime"
	"sync"

	"github.com/backprop-go/backprop/tensor/internal/kernel"
)

// Parallel products.
//
// C is cut into a few rectangles, all rows by a range of columns (or all
// columns by a range of rows), one per goroutine, with borders on multiples
// of the tile size. Each goroutine runs the whole serial algorithm on its
// rectangle with its own packing buffers, so goroutines never wait for each
// other until the end, and each element of C is computed by exactly the same
// arithmetic as in a serial run: same k-blocks, same order of summation,
// same kernel. That is why the result is bit-identical for every GOMAXPROCS.
//
// The goroutines are long-lived workers fed through a channel, and the
// per-call bookkeeping comes from a sync.Pool, so a parallel product
// allocates nothing in steady state (starting a goroutine per call would).

// minFlopsPerPart is the least work (2·m·n·k floating-point operations)
// worth handing to another goroutine: about 30 µs of one core's time, well
// above the few microseconds it costs to wake a worker. Smaller products, like
// the homework's 64×128·128×10 output layer, run on the calling goroutine.
const minFlopsPerPart = 2 << 20

// task is one parallel product: the job and how C is cut.
type task struct {
	job    gemmJob
	parts  int
	byCols bool // cut C into column ranges (else row ranges)
	wg     sync.WaitGroup
}

var tasks = sync.Pool{New: func() any { return new(task) }}

// part is the message a worker receives: run part i of task t.
type part struct {
	t *task
	i int
}

var workers struct {
	mu    sync.Mutex
	count int
	queue chan part
}

// startWorkers makes sure at least n workers are running. Workers live for
// the rest of the program, blocked on the queue when there is no work.
func startWorkers(n int) {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	if workers.queue == nil {
		workers.queue = make(chan part, 64)
	}
	for ; workers.count < n; workers.count++ {
		go func() {
			for p := range workers.queue {
				p.t.runPart(p.i)
				p.t.wg.Done()
			}
		}()
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
	return max(1, min(procs, tiles, int(flops/minFlopsPerPart))), byCols
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
	t.job, t.parts, t.byCols = job, parts, byCols
	t.wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		workers.queue <- part{t, i}
	}
	t.runPart(0) // the caller does a share too
	t.wg.Wait()
	t.job = gemmJob{} // drop references to the caller's slices
	tasks.Put(t)
}
