package kernel

import "testing"

// BenchmarkPeak measures the float64 peak of this machine: a loop of
// independent FMAs in registers (see PeakLoops), on every goroutine the
// benchmark runs, so
//
//	go test -run XXX -bench Peak -cpu 1,2 ./tensor/internal/kernel
//
// gives the peak of one core and of two. GFLOPS counts 2 per multiply-add.
// The kernels' GFLOPS divided by this is the "fraction of peak" of
// docs/performance.md.
func BenchmarkPeak(b *testing.B) {
	loops := PeakLoops()
	if len(loops) == 0 {
		b.Skip("no FMA loop for this machine or build")
	}
	const n = 1 << 14 // iterations per call: about 50–200 µs
	for _, l := range loops {
		b.Run(l.Name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					l.Run(n)
				}
			})
			flops := 2 * float64(l.Width*l.FMAs) * n * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// TestPeakLoops runs each loop briefly: it must return, whatever n.
func TestPeakLoops(t *testing.T) {
	for _, l := range PeakLoops() {
		for _, n := range []int{-1, 0, 1, 100} {
			l.Run(n)
		}
	}
}
