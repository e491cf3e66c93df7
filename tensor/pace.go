package tensor

import (
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
//     the Zen 4 machine, sharing made the 784-128-10 epoch 1.2–1.4× slower
//     than one thread.
//
// No fixed rule gets all three right, so the caller measures. It runs
// paceWindow operations in each way (a probe), keeps the fastest for the
// next paceTrial operations, and then probes again. The ways:
//
//   - modeSpin: share, workers spin for spinFor between operations and
//     the caller spins for up to spinFor for the workers' parts;
//   - modePark: share, workers park at once and the caller blocks at once;
//   - modeSerial: the caller runs every part itself and the workers park.
//
// "Fastest" is the wall time from the start of a window's first operation
// to the end of its last, divided by the work in it (floating-point
// operations; see task.flops): the time between operations counts too,
// because a spinning worker also slows down whatever the caller does
// between products on a busy machine. A training loop repeats the same
// few operations, so every window holds the same mix.
//
// The mode only changes who runs a part and how the others wait, never
// what a part computes, so results stay bit-identical.
//
// A probe must be long against the operating system's time slices (a few
// milliseconds) or one unlucky slice decides it: 256 operations are 25–50
// ms of the homework's training. Probes every 16384 operations (about 12
// epochs of the 784-128-10 network) cost about 1.3% of the run when the
// two slower modes are 1.3× and 1.6× slower, as on a quiet machine. With
// one busy program beside it on the Zen 4 machine, the 2-thread epoch went
// from 1.2–1.3× the 1-thread time to within ±10% of it (four runs of each
// network; the rule chose modeSerial or modePark there).
const (
	modeSpin   = iota // share, spinning while waiting
	modePark          // share, parking at once
	modeSerial        // the caller runs every part itself
	modes
)

// paceWindow is the number of operations a probe of one mode lasts.
const paceWindow = 256

// paceTrial is how many operations the chosen mode runs before the next
// round of probes.
const paceTrial = 16384

// paceNow is time.Now, replaced by a fake clock in tests.
var paceNow = time.Now

var pace struct {
	mu      sync.Mutex
	mode    int            // the mode operations run in now
	probing bool           // whether this is a probe window (else a trial)
	left    int            // operations left in the window or trial
	start   time.Time      // when the probe window's first operation began
	work    float64        // floating-point operations in the probe window so far
	cost    [modes]float64 // nanoseconds per unit of work in each mode's last probe
	spin    atomic.Bool    // mode == modeSpin, readable without the lock
}

func init() { resetPace() }

// resetPace starts the rule afresh: a probe of every mode, spinning first.
func resetPace() {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	pace.mode, pace.probing, pace.left, pace.cost = modeSpin, true, paceWindow, [modes]float64{}
	pace.spin.Store(true)
}

// paceMode returns the mode the next operation runs in and, in a probe
// window, notes when the window began.
func paceMode() int {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	if pace.probing && pace.left == paceWindow {
		pace.start, pace.work = paceNow(), 0
	}
	return pace.mode
}

// paceDone records that an operation of the given work (floating-point
// operations) has finished, and moves the rule on: to the next mode to
// probe, to the trial of the fastest, or back to probing.
func paceDone(work float64) {
	pace.mu.Lock()
	defer pace.mu.Unlock()
	if pace.probing {
		pace.work += work
	}
	pace.left--
	if pace.left > 0 {
		return
	}
	switch {
	case !pace.probing: // the trial is over: probe every mode again
		pace.mode, pace.probing, pace.left = 0, true, paceWindow
	case pace.mode+1 < modes: // the next mode's probe
		pace.cost[pace.mode] = float64(paceNow().Sub(pace.start)) / pace.work
		pace.mode, pace.left = pace.mode+1, paceWindow
	default: // every mode probed: keep the fastest
		pace.cost[pace.mode] = float64(paceNow().Sub(pace.start)) / pace.work
		best := 0
		for m := range pace.cost {
			if pace.cost[m] < pace.cost[best] {
				best = m
			}
		}
		pace.mode, pace.probing, pace.left = best, false, paceTrial
	}
	pace.spin.Store(pace.mode == modeSpin)
}

// spinning reports whether workers and the caller should spin before
// they park. It reads pace.spin without the lock: a stale answer costs a
// worker one spin of at most spinFor, or one early park.
func spinning() bool { return pace.spin.Load() }
