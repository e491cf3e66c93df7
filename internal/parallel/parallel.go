// Package parallel shares work between the calling goroutine and a few
// long-lived workers, and decides by measurement how they wait for each
// other (pace.go). It is the machinery behind tensor's parallel products
// and AxpyZero, and behind train's step cut by the rows of the batch; it
// exists only for speed, so it is internal: the teaching packages export
// maths, not scheduling. It sits below tensor and imports only the
// standard library.
//
// A job is cut into parts by its owner (tensor cuts a product into ranges
// of C's rows or columns); this package only hands the parts out. Which
// goroutine runs a part never changes what the part computes, so a caller
// whose parts compute fixed things gets the same bits for every
// GOMAXPROCS.
//
// # Waking the workers
//
// The homework's products take 0.1–0.3 ms. Waking a parked goroutine
// whose thread sleeps in the kernel (a futex) costs 40–80 µs on a virtual
// machine, about as long as the half-product it would save, and so does
// waking the caller when it parks to wait for the last part. So neither
// side parks at once:
//
//   - an idle worker spins on the offer (an atomic pointer to the job
//     being shared) for up to spinFor before it parks; a training step
//     offers a job every few tens of microseconds, so the worker is
//     usually still looking when the next one comes, and starts within
//     a fraction of a microsecond;
//   - the caller, once no part is left to claim, spins for up to spinFor
//     on the count of unfinished parts before it blocks on them.
//
// Parking the caller at once is worse than it looks: the worker that
// finishes the last part readies the caller on its own processor (P) and
// goes on running there, so the caller waits for another thread to be woken
// and steal it; the futex wake-up is paid on both sides.
//
// Spinning is bounded so that it costs little when it does not pay: a
// worker that finds nothing for spinFor parks, so a program that stops
// multiplying matrices gets its second core back, and the caller that
// waits longer than spinFor for a worker (descheduled by a busy operating
// system) parks too. A spinning worker calls runtime.Gosched now and then,
// so goroutines queued behind it (timers, the progress printer, a
// program's own goroutines) do not wait the 10 ms it takes the runtime to
// preempt a busy goroutine. Yielding the thread to the operating system
// between looks (sched_yield) is much worse on a busy machine: the
// yielding thread goes to the back of the queue and waits a whole turn of
// the other programs before it looks again.
package parallel

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Job is an operation cut into parts by its owner.
type Job interface {
	// Part runs part i of parts. Parts run at the same time on different
	// goroutines, so each must write only memory no other part touches.
	Part(i, parts int)
	// Whole runs the whole operation on the calling goroutine: how Run
	// runs it when the pacing rule says one goroutine is faster, or when
	// it is called from inside Do. It must compute what the parts do.
	Whole()
}

// MaxParts bounds the number of parts; it must fit the 16-bit fields of
// task.state.
const MaxParts = 1 << 12

// spinFor is how long an idle worker looks for work, and the caller waits
// for the workers' last parts, before parking. See the package doc.
const spinFor = 50 * time.Microsecond

// task is one shared job: the job, how many parts it has, and which parts
// have been claimed.
type task struct {
	job   Job            // the job, or nil for Do's f
	do    func(part int) // the job instead, when job is nil (see Do)
	flops float64        // the work, for the pacing rule
	parts int

	// state packs generation<<32 | parts<<16 | next part to claim. The
	// generation tells a worker that loaded a task just before it was
	// finished and recycled for another job that its claim is stale
	// (its CompareAndSwap fails).
	state   atomic.Uint64
	pending atomic.Int32   // parts not yet finished
	wg      sync.WaitGroup // the same count, for a caller that gave up spinning

	panicked atomic.Pointer[any] // the first part's panic value, if one panicked (see catch)
}

// tasks recycles the tasks, so that sharing a job allocates nothing.
var tasks Recycler[task]

// generation numbers tasks; see task.state.
var generation atomic.Uint32

var workers struct {
	mu     sync.Mutex
	count  int
	offer  atomic.Pointer[task] // the job the workers should help with
	parked atomic.Int32         // workers blocked on wake
	wake   chan struct{}
}

// startWorkers makes sure at least n workers are running. Workers live for
// the rest of the program, spinning briefly and then parked when there is
// no work.
func startWorkers(n int) {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	if workers.wake == nil {
		workers.wake = make(chan struct{}, MaxParts)
	}
	for ; workers.count < n; workers.count++ {
		go worker()
	}
}

// worker helps with every job offered, spinning for up to spinFor
// between them and then parking until woken.
func worker() {
	for {
		if t := awaitOffer(); t != nil {
			t.help()
			continue
		}
		workers.parked.Add(1)
		// The caller stores the offer and then looks at parked; we
		// count ourselves parked and then look at the offer. With
		// sequentially consistent atomics at least one of us sees the
		// other, so a wake-up is never lost. A stale token only makes
		// a worker spin once for nothing.
		if t := workers.offer.Load(); t == nil || !t.claimable() {
			<-workers.wake
		}
		workers.parked.Add(-1)
	}
}

// awaitOffer spins for up to spinFor until a job with parts left to
// claim is offered, and returns it, or nil if none came.
func awaitOffer() *task {
	start := time.Now()
	for i := 1; ; i++ {
		if t := workers.offer.Load(); t != nil && t.claimable() {
			return t
		}
		if !spinning() {
			return nil
		}
		if i%64 == 0 {
			if time.Since(start) > spinFor {
				return nil
			}
			if i%1024 == 0 {
				runtime.Gosched()
			}
		}
	}
}

// claimable reports whether t has parts nobody has claimed yet.
func (t *task) claimable() bool {
	s := t.state.Load()
	return s&0xffff < s>>16&0xffff
}

// help runs parts of t until none are left to claim.
func (t *task) help() {
	for {
		s := t.state.Load()
		parts, next := int(s>>16&0xffff), int(s&0xffff)
		if next >= parts {
			return
		}
		// The generation is part of s: if t was finished and reused
		// since the Load, the swap fails and we look again.
		if t.state.CompareAndSwap(s, s+1) {
			t.runPart(next)
			t.wg.Done()
			t.pending.Add(-1)
		}
	}
}

// wait returns once every part of t is finished: it spins for up to
// spinFor (unless the pacing rule says not to), then blocks.
func (t *task) wait() {
	if spinning() {
		start := time.Now()
		for i := 1; t.pending.Load() > 0; i++ {
			if i%64 == 0 && time.Since(start) > spinFor {
				break
			}
		}
	}
	t.wg.Wait() // at once when pending is 0: Done comes before the decrement
}

// runPart runs part i of t. A panic in the part is kept for the caller
// (see catch).
func (t *task) runPart(i int) {
	defer t.catch()
	if t.job == nil {
		t.do(i)
		return
	}
	t.job.Part(i, t.parts)
}

// catch recovers a panic in a part and keeps the value of the first one,
// which task.run raises again on the caller once every part has finished.
// A panic on a worker's goroutine could not be recovered by the caller and
// would end the program; caught, it reaches the caller as if the part had
// run there, and the worker goes on serving.
func (t *task) catch() {
	if r := recover(); r != nil {
		t.keep(r)
	}
}

// keep keeps r as the panic value unless a part's is kept already. It is
// apart from catch because &r moves r to the heap where r is declared:
// in catch, that would allocate for every part, panic or not.
func (t *task) keep(r any) { t.panicked.CompareAndSwap(nil, &r) }

// rethrow raises again, on the caller, the panic a part had (see catch),
// and forgets it, so the task can be used again.
func (t *task) rethrow() {
	if r := t.panicked.Swap(nil); r != nil {
		panic(*r)
	}
}

// Run runs job, cut into parts (at most MaxParts), sharing the parts
// between the calling goroutine and the workers, and returns when all are
// done. flops is the job's work in floating-point operations as a product
// counts them (2·m·n·k), for the pacing rule: below PacedBelow, the rule
// may run the whole job on the caller (Job.Whole). Called from inside Do,
// Run also runs the whole job on the caller: the other goroutines are busy
// with parts of their own. A panic in a part reaches the caller, as in Do.
func Run(job Job, parts int, flops float64) {
	if parts <= 1 || inDo.Load() > 0 {
		job.Whole()
		return
	}
	t := tasks.Get()
	t.job, t.flops, t.parts = job, flops, parts
	t.run()
	t.job = nil // drop the reference to the caller's job
	tasks.Put(t)
}

// run shares the parts of t between the caller and the workers, and
// returns when all are done.
func (t *task) run() {
	parts := t.parts
	defer t.rethrow()
	paced := t.flops < PacedBelow
	var start time.Time
	if paced {
		var mode int
		if mode, start = paceMode(); mode == modeSerial {
			t.runAlone()
			paceDone(t.flops, start)
			return
		}
	}
	startWorkers(parts - 1)
	gen := generation.Add(1)
	t.wg.Add(parts)
	t.pending.Store(int32(parts))
	t.state.Store(uint64(gen)<<32 | uint64(parts)<<16)
	workers.offer.Store(t)
	for i := min(int(workers.parked.Load()), parts-1); i > 0; i-- {
		select {
		case workers.wake <- struct{}{}:
		default: // enough tokens already: the caller will do more itself
		}
	}
	t.help() // the caller takes parts too
	t.wait() // for the parts workers took
	workers.offer.CompareAndSwap(t, nil)
	if paced {
		paceDone(t.flops, start)
	}
}

// runAlone runs all of t on the calling goroutine: Do's calls one after
// the other, a job in one piece (a product too small to share runs
// swapped if that packs less, not part by part with each part packing its
// own share).
func (t *task) runAlone() {
	if t.job == nil {
		for i := 0; i < t.parts; i++ {
			t.runPart(i)
		}
		return
	}
	t.job.Whole()
}

// inDo counts the calls of Do in progress.
var inDo atomic.Int32

// Do calls f(0), f(1), …, f(parts−1), each once, sharing the calls
// between the calling goroutine and the workers, and returns when all have
// returned. The calls run at the same time, in no set order, so each must
// write only memory that no other call reads or writes. Package train uses
// it to cut a training step's small layers into row ranges of the batch,
// which no single product there is large enough to share.
//
// work is the work of all the calls, in floating-point operations as a
// product counts them (2·m·n·k): like a shared product, Do obeys the
// pacing rule (pace.go), which on a busy machine runs the calls one after
// the other on the caller, and weighs each operation's time by its work.
// Jobs Run inside f are not shared again: they run whole on the goroutine
// that runs them (so do those of other goroutines while Do runs). Who
// runs a call never changes what it computes. parts must be at most
// MaxParts.
//
// If a call panics, Do panics on the calling goroutine with the same value
// (the first one, if several calls panic), once the calls under way have
// returned, wherever the call ran: a worker's panic does not end the
// program, and the caller can recover it. Which of the other calls have
// run by then is not defined.
func Do(parts int, work float64, f func(part int)) {
	if parts <= 0 {
		return
	}
	if parts > MaxParts {
		panic(fmt.Sprintf("parallel: Do: %d parts, more than %d", parts, MaxParts))
	}
	if parts == 1 || runtime.GOMAXPROCS(0) == 1 || inDo.Load() > 0 {
		for i := 0; i < parts; i++ {
			f(i)
		}
		return
	}
	inDo.Add(1)
	defer inDo.Add(-1)
	t := tasks.Get()
	t.do, t.flops, t.parts = f, work, parts
	t.run()
	t.do = nil // drop the reference to the caller's closure
	tasks.Put(t)
}

// Depth returns the number of calls of Do in progress, for tests.
func Depth() int { return int(inDo.Load()) }
