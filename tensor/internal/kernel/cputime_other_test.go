//go:build !linux

package kernel

// threadCPU returns -1: only Linux tells a thread's own CPU time.
func threadCPU() float64 { return -1 }
