//go:build unix

package diagnose

import (
	"syscall"
	"time"
)

// cpuTime returns the user and system CPU time the process has used, which
// a busy machine inflates much less than wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
