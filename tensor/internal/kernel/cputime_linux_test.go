package kernel

import "syscall"

// threadCPU returns the CPU time the calling thread has used so far, in
// seconds, or -1 where it cannot tell. On a shared machine a benchmark's
// wall-clock time also counts the time other processes held the core;
// its thread's CPU time does not.
func threadCPU() float64 {
	const rusageThread = 1 // RUSAGE_THREAD: this thread only
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return -1
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
