package kernel

// PeakLoop is one loop of the peak benchmark: n iterations of FMAs per
// iteration independent fused multiply-adds of Width float64s each, with no
// memory traffic. Timing it gives the machine's measured float64 peak,
// 2·Width·FMAs·n floating-point operations per run, against which the
// kernels' speed is quoted as a fraction.
type PeakLoop struct {
	Name        string
	Width, FMAs int
	Run         func(n int)
}
