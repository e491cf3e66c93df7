//go:build !purego

package kernel

// PeakLoops returns the FMA loops this CPU can run: "avx512" (ZMM) and
// "avx2-fma" (YMM), as the kernels of the same names.
func PeakLoops() []PeakLoop {
	var loops []PeakLoop
	if hasAVX512() {
		loops = append(loops, PeakLoop{"avx512", 8, 12, fmaLoop512})
	}
	if hasAVX2FMA() {
		loops = append(loops, PeakLoop{"avx2-fma", 4, 12, fmaLoop256})
	}
	return loops
}

//go:noescape
func fmaLoop512(n int)

//go:noescape
func fmaLoop256(n int)
