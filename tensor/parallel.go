package tensor

import (
	"runtime"

	"github.com/backprop-go/backprop/internal/parallel"
)

// Parallel products.
//
// C is cut into a fixed number of parts, all rows by a range of columns (or
// all columns by a range of rows), with borders on multiples of the tile
// size (or, for rows, on even rows when the kernel has tall panels: see
// rowCut). The number of parts depends only on the shape and GOMAXPROCS.
// Each part runs the whole serial algorithm on its rectangle with its own
// packing buffers, so parts never wait for each other, and each element of
// C is computed by exactly the same arithmetic as in a serial run: same
// k-blocks, same order of summation, the same operations of the kernel or
// its twins. That is why the result is bit-identical for every GOMAXPROCS.
//
// The parts are handed out by the internal package parallel: the caller
// and long-lived workers take parts from a shared counter until none are
// left, and whether the workers spin, park or leave everything to the
// caller is measured while the program runs. Who runs a part never
// changes its result.
//
// A product shorter than parallel.PacedBelow, like the homework's, is cut
// into two parts per goroutine (see partsPerGoroutine), so that a core that
// is slow to come or slow to finish holds up at most a quarter of it on two
// cores: the other takes the parts left. Longer ones have one part per
// goroutine.

// minFlopsPerPart is the least work (2·m·n·k floating-point operations)
// worth a part of its own: some 30 µs of one core's time, well above the
// fraction of a microsecond it costs to hand a part to a spinning worker.
// Smaller products, like the homework's 64×128·128×10 output layer, run
// on the calling goroutine.
const minFlopsPerPart = 2 << 20

// partsPerGoroutine is how many parts a shared product shorter than
// parallel.PacedBelow is cut into for each goroutine that may run them.
// On a virtual machine a core often runs a part 10–30% slower than the
// other, or comes late, and with one part each the caller then waits; with
// two, it takes the other's second part instead. Measured on the Zen 4
// machine by bench/compare.sh (interleaved), against one part per
// goroutine: 2-thread epochs × 0.95, 0.93 and 0.96 (784-128-10), × 0.95,
// 0.96 and 0.91 (784-256-128-10) in three runs; the homework's products
// alone moved × 0.92–1.07, within the noise of such runs. For the long
// products past PacedBelow every extra part reads the uncut operand again
// for little gain (1024³ × 0.91 with two parts each), so they keep one.
const partsPerGoroutine = 2

// gemmTask is a product shared by package parallel: the job and how C is
// cut.
type gemmTask struct {
	job    gemmJob
	byCols bool // cut C into column ranges (else row ranges)
}

var gemmTasks parallel.Recycler[gemmTask]

// Part runs part i of parts: the i-th of parts nearly equal ranges of
// tiles along the cut dimension.
func (t *gemmTask) Part(i, parts int) {
	g := &t.job
	ws := workspaces.Get().(*workspace)
	if t.byCols {
		tiles := (g.n + nr - 1) / nr
		j0, j1 := min(i*tiles/parts*nr, g.n), min((i+1)*tiles/parts*nr, g.n)
		g.run(0, g.m, j0, j1, ws)
	} else {
		g.run(g.rowCut(i, parts), g.rowCut(i+1, parts), 0, g.n, ws)
	}
	workspaces.Put(ws)
}

// Whole computes all of C on the calling goroutine, as one goroutine runs
// a product too small to share: in one piece, swapped if that packs less,
// not part by part with each part packing its own share.
func (t *gemmTask) Whole() { t.job.runWhole() }

// rowCut returns the first row of part i of parts when C is cut into row
// ranges (and g.m for i = parts). The cuts lie on tile borders, multiples
// of MR rows, or on any even row when tallRows lets a part end in tall
// panels: then the parts have as nearly the same number of rows as can
// be, and none ends in a padded panel. The fused weight step of a 256-unit
// layer, 256 rows of C, is cut 128 and 128 (each 18 panels of 6 rows and
// 2 of 10), where tile borders give 126 and 130, and the second part does
// 22 panels' work to the first one's 21.
func (g *gemmJob) rowCut(i, parts int) int {
	if i >= parts {
		return g.m
	}
	if g.hasTall() {
		return i * g.m / parts &^ 1
	}
	tiles := (g.m + mr - 1) / mr
	return min(i*tiles/parts*mr, g.m)
}

// partition decides how many parts an m×n×k product is cut into, for
// procs goroutines (see partsPerGoroutine), and whether C is cut into
// column ranges (byCols) or row ranges.
//
// A part reads its own share of one operand and the whole of the other:
// cut into column ranges, every part reads all of op(A) (m×k values), and
// packs them if A is packed; cut into row ranges, every part reads all of
// op(B) (k×n). It cuts so that the values read again by every part are
// the fewer, a packed value counting twice (it is read, then written and
// read again), and along the longer side of C when that is a tie.
//
// Measured on the Zen 4 machine, two threads, by bench/cut.sh
// (BenchmarkCut in interleaved runs): the weight gradient
// (64×128)ᵀ·64×784, whose Aᵀ (8,192 values) is packed and whose B (50,176)
// is read in place, ran at 84.6 GFLOPS cut into column ranges and 75.3
// into row ranges with one part per goroutine; with two
// (partsPerGoroutine) the columns' median was 1.00–1.04 times the rows' in
// four runs, and the rows had the slower worst runs. Counting packed
// values alone would cut it into rows. The forward product of an
// evaluation batch of 1000 rows, A·Wᵀ with A read in place (784,000
// values) and Wᵀ packed (100,352 for 128 units), is cut into row ranges,
// each part packing all of Wᵀ; it measured as fast either way.
//
// byRows asks for row ranges whatever the rule says (see gemmStep).
func partition(m, n, k, procs int, packA, packB, byRows bool) (parts int, byCols bool) {
	dupCols, dupRows := m*k, k*n // values each part reads again
	if packA {
		dupCols *= 2
	}
	if packB {
		dupRows *= 2
	}
	byCols = !byRows && (dupCols < dupRows || dupCols == dupRows && n >= m)
	if cutMode != 0 {
		byCols = cutMode > 0
	}
	tiles := (m + mr - 1) / mr
	if byCols {
		tiles = (n + nr - 1) / nr
	}
	flops := 2 * float64(m) * float64(n) * float64(k)
	if procs > 1 && flops < parallel.PacedBelow {
		procs *= partsPerGoroutine
	}
	return max(1, min(procs, parallel.MaxParts, tiles, int(flops/minFlopsPerPart))), byCols
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

// packBMode overrides shouldPackB in tests: 0 decides by the arguments,
// 1 always packs B, -1 reads it in place whenever it can.
var packBMode = 0

// shouldPackB decides whether blocks of op(B) are packed into NR-column
// panels or, for a row-major B, read where they lie.
//
// The kernel loads NR contiguous values of a row of op(B) per step, so a
// row-major B can be read in place with its row length as stride (only a
// right-edge panel narrower than NR is still packed, zero-padded). Packing
// copies every value of B once, and pays back only when each packed panel
// is read by many MR-row panels of A: C must have many rows. For the
// homework's batches of 64 rows it does not pay. Measured on the Zen 4
// machine, one thread, GFLOPS packed → in place, medians of 3
// (BenchmarkPackB): the input gradient 64×128·128×784 46 → 54, the output
// layer's weight gradient (64×10)ᵀ·64×128 20 → 35 and its input gradient
// 64×10·10×128 34 → 35; for C with 1024 rows, 54 → 30.
//
// How far apart B's rows lie matters too. The L1 cache puts a line in one
// of 64 sets by its address, so rows a multiple of 4 KiB apart all fall in
// one set, and a panel's rows evict each other: with 64 rows of C and B
// 512×512 or 1024×1024, in place gave 30 GFLOPS against 45 packed. Rows
// 2 KiB apart (B 256 wide) use 2 sets, which was still fine for 64 rows
// (46 → 52) but not for 128 (the weight gradient (64×128)ᵀ·64×256,
// 48 → 41).
//
// So B is read in place for C of up to blockM rows, where a B panel is
// read by at most blockM/MR panels of A, unless its rows are a multiple of
// 4 KiB apart; and, whatever m, for a B of at most 64 rows (the batch in a
// weight gradient Δᵀ·A) whose rows are not a multiple of 512 bytes apart.
// Measured the same way, the weight gradient (64×128)ᵀ·64×784 went from 49
// to 53 GFLOPS, and (64×256)ᵀ·64×784 from 52 to 54. A transposed B is
// always packed: its rows are not contiguous.
func shouldPackB(transB bool, m, n, k int) bool {
	if transB {
		return true
	}
	switch packBMode {
	case 1:
		return true
	case -1:
		return false
	}
	if m <= blockM {
		return n%512 == 0 // rows 4 KiB apart
	}
	return k > 64 || n%64 == 0 // deep, or rows 512 bytes apart
}

// cutMode overrides partition's choice of cut in benchmarks: 0 decides by
// the rule, 1 cuts C into column ranges, -1 into row ranges (BenchmarkCut).
var cutMode = 0

// swapMode overrides shouldSwap in tests: 0 decides by the arguments,
// 1 swaps every A·Bᵀ that one goroutine runs, -1 never swaps.
var swapMode = 0

// shouldSwap decides whether C = A·Bᵀ is computed as Cᵀ = B·Aᵀ, then
// transposed into C. A Linear layer's forward pass is Z = A·Wᵀ, with A
// the batch (m×k) and W the weights (n×k). Computed as it stands, op(B) =
// Wᵀ is packed, n·k values read across W's rows, on every step. Computed
// as Zᵀ = W·Aᵀ, W becomes the A operand, read in place, and the batch
// becomes the packed one: m·k values, plus m·n to transpose the result
// (and m·n more to transpose C in first when beta ≠ 0, as in the Linear
// forward pass, which starts Z as the bias). For 64×784 batches and a
// 256×784 W that is 82,000 values moved instead of 200,000, and the product
// went from 46 to 51 GFLOPS on one core (BenchmarkSwap).
//
// The result is bit-identical: element (i, j) is the same sum of the same
// products A[i,p]·W[j,p], in the same k-blocks and the same order, by the
// same kernel, scaled and added to beta·C[i,j] the same way, whichever
// operand is packed.
//
// Only a product that one goroutine runs is swapped (gemmWith asks only
// then). Shared between two, the product alone was as fast either way, but
// the 2-thread 784-128-10 epoch got 20–40% slower. The likely reason is
// where the weights lie: the SGD update (the fused weight-gradient
// product, gemmSGD, cut into the same halves of W's rows) leaves each half
// of W in the cache of the core that updated it, and the direct product
// gives each core the same half to pack, while the swapped one has both
// cores read all of W.
func shouldSwap(transA, transB bool, m, n, k int, beta float64) bool {
	if transA || !transB {
		return false
	}
	switch swapMode {
	case 1:
		return true
	case -1:
		return false
	}
	moved := m*k + m*n
	if beta != 0 {
		moved += m * n
	}
	return moved < n*k
}

// gemmWith computes C = alpha·op(A)·op(B) + beta·C with the given
// micro-kernel, in parallel when the product is large enough: C is cut as
// partition decides, or into row ranges when byRows is set (see
// gemmStep).
func gemmWith(ks kernelSet, byRows, transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	if m == 0 || n == 0 {
		return
	}
	c = c[:m*n]
	if k == 0 || alpha == 0 {
		scaleC(beta, c)
		return
	}
	job := gemmJob{micro: ks.tile, cols10: ks.cols10, rows10: ks.rows10, strip: ks.strip, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b, c: c}
	job.packA, job.packB = shouldPackA(transA), shouldPackB(transB, m, n, k)

	parts, byCols := partition(m, n, k, runtime.GOMAXPROCS(0), job.packA, job.packB, byRows)
	if parts <= 1 {
		job.runWhole()
		return
	}

	t := gemmTasks.Get()
	t.job, t.byCols = job, byCols
	parallel.Run(t, parts, 2*float64(m)*float64(n)*float64(k))
	t.job = gemmJob{} // drop references to the caller's slices
	gemmTasks.Put(t)
}

// runWhole computes all of C on the calling goroutine, swapped when
// shouldSwap says so: how a product too small to share is run, and how the
// serial mode of the pacing rule runs a shared one.
func (g *gemmJob) runWhole() {
	ws := workspaces.Get().(*workspace)
	if shouldSwap(g.transA, g.transB, g.m, g.n, g.k, g.beta) {
		g.runSwapped(ws)
	} else {
		g.run(0, g.m, 0, g.n, ws)
	}
	workspaces.Put(ws)
}
