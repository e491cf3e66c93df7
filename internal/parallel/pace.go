package parallel

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Pacing: how the parts of a shared operation are run.
//
// Sharing a product between two cores pays on a quiet machine, and how
// the goroutines should wait for each other depends on the machine:
//
//   - Quiet: workers that spin between products start a part within a
//     fraction of a microsecond, where waking a parked one costs 40–80 µs
//     on a virtual machine, as long as the half-product it would save.
//   - Very busy (load average 15–17 on 2 cores, measured): the operating
//     system deschedules a spinning worker in the middle of its part
//     anyway, and a thread that spins looks CPU-bound to the scheduler
//     (Linux's CFS), which then runs it later when it has work. Workers
//     that park at once made the 2-thread epoch 35% faster than spinning
//     ones there.
//   - One busy program beside us on two cores: three runnable threads
//     (ours two, its one) share two cores, so each of ours gets about two
//     thirds of a core and the parts, cut in halves, rarely finish
//     together. A single thread would have a core to itself. Measured on
//     the Zen 4 machine, sharing made the 784-128-10 epoch 1.17–1.27×
//     slower than one thread.
//
// No fixed rule gets all three right, so the caller measures. It runs
// every way in turn for paceBlock operations, paceRounds times over (a
// probe: interleaved, so that a slow minute of the machine hits every way
// alike), keeps the fastest for the next paceTrial operations, and then
// probes again. A mode that shares must beat the serial one by a margin
// (paceMargin) to be chosen. The ways:
//
//   - modeSpin: share, workers spin for spinFor between operations and
//     the caller spins for up to spinFor for the workers' parts;
//   - modePark: share, workers park at once and the caller blocks at once;
//   - modeSerial: the caller runs every part itself and the workers park.
//
// "Fastest" compares the modes kind by kind: a kind is the operations of
// one size (the same work, as Run and Do are told it: a training step
// repeats the same few products and passes), and a mode's time for a kind
// is the mean over the kind's operations it ran, times how many the whole
// probe ran. Summed over the kinds that every mode ran, that is the time
// the probe's operations would have taken in the mode, whatever mix of
// kinds each mode's blocks happened to hold: a block of 32 operations
// cuts a training step anywhere, and a pass over memory declared at a
// tenth of its cost must not make the mode that ran it look slow. The
// work only tells the kinds apart (and decides PacedBelow). A probe in
// which no kind ran in every mode (operations of ever-changing sizes)
// compares time per unit of work instead. The time between operations
// counts too, with the operation after it, up to paceMaxGap each, because
// a spinning worker also slows down whatever the caller does between
// products on a busy machine.
//
// The mode only changes who runs a part and how the others wait, never
// what a part computes, so results stay bit-identical.
//
// A probe must be long against the operating system's time slices (a few
// milliseconds) or one unlucky slice decides it: 8 rounds of 32
// operations per way are 25–50 ms of the homework's training for each.
// A program spins for its first 2048 operations, then probes; the mode
// chosen runs for 16384 operations (about 12 epochs of the 784-128-10
// network, whose training step shares three: the first layer's forward
// product, the rest of the network cut by rows through Parallel, and the
// first layer's fused weight update), and each probe that confirms the
// mode before doubles that, up to 16 times. Probing then costs about 1.3%
// of the run at first and 0.1% later, when the two slower ways are 1.3×
// and 1.6× slower, as on a quiet machine.
const (
	modeSpin   = iota // share, spinning while waiting
	modePark          // share, parking at once
	modeSerial        // the caller runs every part itself
	modes
)

// paceBlock, paceRounds and paceTrial size the rule: a probe runs each
// mode for paceBlock operations in turn, paceRounds times, and the chosen
// mode then runs paceTrial operations.
const (
	paceBlock  = 32
	paceRounds = 8
	paceTrial  = 16384
	// paceMaxTrial bounds the trial, which doubles each time a probe
	// chooses the same mode as the one before.
	paceMaxTrial = 16 * paceTrial
	// paceKinds bounds the kinds of operation (sizes) a probe tells
	// apart; the operations of further kinds count only in the fallback,
	// time per unit of work.
	paceKinds = 64
)

// PacedBelow is the size (in floating-point operations) from which an
// operation is always shared and left out of the rule: 64 MFLOP, about 0.6 ms on two cores. Sharing costs
// a few microseconds whatever the size, and an operation that long gives
// a worker that shares its core with another program its fair share of
// time before the end, so sharing beats running alone even then. (It also
// keeps a probe of 768 operations short: 1024×1024 products take 20 ms
// each.)
const PacedBelow = 64 << 20

// paceMaxGap is the longest time between two operations that a probe
// counts. The time a caller spends between operations belongs to the
// measurement (a spinning worker on a busy machine slows down what the
// caller does there too), but a long pause is something else, the program
// doing other work or a benchmark harness between runs, and would decide
// the probe by itself.
const paceMaxGap = time.Millisecond

// paceFirstTrial is how many operations a program runs spinning before
// its first probe. The first operations of a program are slower than the
// rest (buffers are allocated and touched for the first time, workers
// started), and a probe that timed them would hold that against whichever
// mode they ran in: measured, the first probe of a training benchmark
// chose the serial mode in one run of four on a quiet machine.
const paceFirstTrial = 2048

// paceMargin is how much faster than the serial mode a mode that shares
// must measure to be chosen. Sharing takes a second core, which should buy
// a clear gain: on the quiet Zen 4 machine spinning beat the serial mode
// by 18–65% in the probes we logged. A close call goes to the serial
// mode, which is never slower than one thread, for a reason beyond the
// probe's noise: with a busy program beside it, a probe can rate parking a
// little ahead of the serial mode and the trial then run it far slower.
// The likely cause is the Linux scheduler, which runs a thread that has
// slept at once when it is woken, ahead of the busy program, for a few
// milliseconds: as long as a probe's block, but not a whole trial. Set
// BACKPROP_PACE_LOG (see pace.log) to see what the probes measure.
const paceMargin = 0.95

// paceNow is time.Now, replaced by a fake clock in tests.
var paceNow = time.Now

var pace struct {
	mu      sync.Mutex
	mode    int       // the mode operations run in now
	probing bool      // whether this is a probe (else a trial)
	round   int       // the probe's round, 0 to paceRounds-1
	left    int       // operations left in the block or trial
	lastEnd time.Time // when the probe's last operation ended
	elapsed [modes]time.Duration
	work    [modes]float64 // the probe's time and work in each mode so far
	kinds   [paceKinds]paceKind
	nkinds  int         // kinds[:nkinds] are the probe's kinds so far
	chosen  int         // the mode the last probe chose
	trial   int         // the length of the trial after the last probe
	spin    atomic.Bool // mode == modeSpin, readable without the lock
	// log, if not nil, receives a line for every probe: what each mode
	// measured and which was chosen. It is os.Stderr when the environment
	// variable BACKPROP_PACE_LOG is set (to anything but ""), the way to
	// see how a program's products are run on a given machine.
	log io.Writer
}

// paceKind is the time and the count of a probe's operations of one
// size (work) in each mode.
type paceKind struct {
	work    float64
	elapsed [modes]time.Duration
	ops     [modes]int
}

// modeNames says how operations run in each mode, for pace.log.
var modeNames = [modes]string{"shared, spinning", "shared, parking", "on the calling goroutine"}

func init() {
	resetPace()
	if os.Getenv("BACKPROP_PACE_LOG") != "" {
		pace.log = os.Stderr
	}
}

// resetPace starts the rule afresh: paceFirstTrial operations spinning,
// then the first probe.
func resetPace() {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	pace.chosen, pace.trial = -1, paceTrial
	pace.mode, pace.probing, pace.left = modeSpin, false, paceFirstTrial
	pace.spin.Store(true)
}

// startProbe starts a probe: its first block, spinning. pace.mu is held.
func startProbe() {
	pace.mode, pace.probing, pace.round, pace.left = modeSpin, true, 0, paceBlock
	pace.elapsed, pace.work, pace.lastEnd = [modes]time.Duration{}, [modes]float64{}, time.Time{}
	pace.nkinds = 0
	pace.spin.Store(true)
}

// paceMode returns the mode the next operation runs in and, in a probe,
// the time it starts (else the zero time), for paceDone: the end of the
// operation before, when that is less than paceMaxGap ago, so that the
// gap counts with this operation.
func paceMode() (mode int, start time.Time) {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	if pace.probing {
		start = paceNow()
		if gap := start.Sub(pace.lastEnd); !pace.lastEnd.IsZero() && gap < paceMaxGap {
			start = pace.lastEnd // the gap counts with this operation
		}
	}
	return pace.mode, start
}

// paceDone records that an operation of the given work (floating-point
// operations), started at start, has finished, and moves the rule on: to
// the next block of a probe, to the trial of the fastest mode, or to the
// next probe.
func paceDone(work float64, start time.Time) {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	if pace.probing && !start.IsZero() {
		end := paceNow()
		took := end.Sub(start)
		pace.work[pace.mode] += work
		pace.elapsed[pace.mode] += took
		pace.lastEnd = end
		if k := paceKindOf(work); k != nil {
			k.elapsed[pace.mode] += took
			k.ops[pace.mode]++
		}
	}
	pace.left--
	if pace.left > 0 {
		return
	}
	if !pace.probing { // the trial is over
		startProbe()
		return
	}
	pace.mode, pace.left = pace.mode+1, paceBlock
	if pace.mode == modes {
		pace.mode, pace.round = 0, pace.round+1
	}
	if pace.round == paceRounds { // every mode probed: keep the fastest
		best := modeSerial
		cost, byKind := probeCosts()
		for _, m := range []int{modeSpin, modePark} {
			if cost[m] < paceMargin*cost[modeSerial] && (best == modeSerial || cost[m] < cost[best]) {
				best = m
			}
		}
		// A probe that confirms the last choice doubles the next trial,
		// up to paceMaxTrial: a steady machine is probed rarely.
		if best == pace.chosen {
			pace.trial = min(2*pace.trial, paceMaxTrial)
		} else {
			pace.trial = paceTrial
		}
		pace.chosen = best
		pace.mode, pace.probing, pace.left = best, false, pace.trial
		if pace.log != nil {
			what, scale := "ms for the probe's operations", 1e-6 // ns to ms
			if !byKind {
				what, scale = "ns per unit of work", 1
			}
			fmt.Fprintf(pace.log, "backprop: pacing probe: spin %.4g, park %.4g, serial %.4g %s (gaps included); the next %d operations %s\n",
				scale*cost[modeSpin], scale*cost[modePark], scale*cost[modeSerial], what, pace.trial, modeNames[best])
		}
	}
	pace.spin.Store(pace.mode == modeSpin)
}

// paceKindOf returns the probe's kind of the operations of the given
// work, adding it if there is room, or nil. pace.mu is held.
func paceKindOf(work float64) *paceKind {
	for i := range pace.kinds[:pace.nkinds] {
		if pace.kinds[i].work == work {
			return &pace.kinds[i]
		}
	}
	if pace.nkinds == paceKinds {
		return nil
	}
	pace.nkinds++
	k := &pace.kinds[pace.nkinds-1]
	*k = paceKind{work: work}
	return k
}

// probeCosts returns what the probe's operations cost in each mode: for
// each kind that ran in every mode, the mean time of its operations in
// the mode times their number in the whole probe, summed, in ns; or, if
// no kind ran in every mode, time per unit of work (byKind false).
// pace.mu is held.
func probeCosts() (cost [modes]float64, byKind bool) {
	complete := 0
	for _, k := range pace.kinds[:pace.nkinds] {
		if slices.Contains(k.ops[:], 0) {
			continue // not run in every mode
		}
		total := 0
		for _, n := range k.ops {
			total += n
		}
		complete++
		for m := range cost {
			cost[m] += float64(total) * float64(k.elapsed[m]) / float64(k.ops[m])
		}
	}
	if complete > 0 {
		return cost, true
	}
	for m := range cost {
		cost[m] = float64(pace.elapsed[m]) / pace.work[m]
	}
	return cost, false
}

// spinning reports whether workers and the caller should spin before
// they park. It reads pace.spin without the lock: a stale answer costs a
// worker one spin of at most spinFor, or one early park.
func spinning() bool { return pace.spin.Load() }

// Reset starts the rule afresh, as at the start of the program: for tests
// and benchmarks that must not inherit a probe.
func Reset() { resetPace() }

// The modes, for Force.
const (
	Spin   = modeSpin
	Park   = modePark
	Serial = modeSerial
)

// Force runs every operation in mode (Spin, Park or Serial) until Reset:
// for tests and benchmarks that compare the modes.
func Force(mode int) {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	pace.mode, pace.probing, pace.left = mode, false, 1<<30
	pace.spin.Store(mode == modeSpin)
}
