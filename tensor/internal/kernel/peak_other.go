//go:build !amd64 || purego

package kernel

// PeakLoop is one loop of the peak benchmark; see the amd64 version. There
// is none off amd64 or under purego: a loop in Go measures the compiler,
// not the machine.
type PeakLoop struct {
	Name        string
	Width, FMAs int
	Run         func(n int)
}

// PeakLoops returns nil: no assembly here.
func PeakLoops() []PeakLoop { return nil }
