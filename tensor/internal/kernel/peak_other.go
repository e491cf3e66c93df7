//go:build !(amd64 || arm64) || purego

package kernel

// PeakLoops returns nil: there is no assembly here, and a loop in Go
// measures the compiler, not the machine.
func PeakLoops() []PeakLoop { return nil }
