//go:build !purego

package kernel

// PeakLoops returns the NEON FMA loop ("neon", as the kernel): 24
// independent FMLA on pairs per iteration, the NEON kernel's 24
// accumulators, which is more chains than any current arm64 core needs to
// hide its FMA latency (4 cycles on 4 pipes in Apple's cores: 16).
func PeakLoops() []PeakLoop {
	return []PeakLoop{{"neon", 2, 24, fmaLoopNEON}}
}

//go:noescape
func fmaLoopNEON(n int)
