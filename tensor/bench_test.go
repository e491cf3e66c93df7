package tensor

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backprop-go/backprop/tensor/internal/kernel"

	"github.com/backprop-go/backprop/internal/parallel"
)

// benchShape is one product to time: C (m×n) = op(A)·op(B) with inner size k.
type benchShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// benchShapes are the homework's products (a 784-128-10 MLP on batches of
// 64) and a few square ones. Names give the operands as stored.
var benchShapes = []benchShape{
	{"AB_64x784_784x128", false, false, 64, 128, 784},   // X·W₁ᵀ with W₁ᵀ stored
	{"ABT_64x784_128x784", false, true, 64, 128, 784},   // Linear forward Z = X·W₁ᵀ
	{"ATB_64x128_64x784", true, false, 128, 784, 64},    // weight gradient Δᵀ·X
	{"AB_64x128_128x784", false, false, 64, 784, 128},   // input gradient Δ·W₁
	{"AB_64x128_128x10", false, false, 64, 10, 128},     // output layer
	{"ABT_64x128_10x128", false, true, 64, 10, 128},     // its Linear forward
	{"ATB_64x10_64x128", true, false, 10, 128, 64},      // its weight gradient
	{"AB_64x10_10x128", false, false, 64, 128, 10},      // its input gradient
	{"AB_64x784_784x256", false, false, 64, 256, 784},   // a wider hidden layer
	{"AB_256x256_256x256", false, false, 256, 256, 256}, //
	{"AB_512x512_512x512", false, false, 512, 512, 512},
	{"AB_1024x1024_1024x1024", false, false, 1024, 1024, 1024},
}

// BenchmarkGemm times every shape with the fast path (what MatMul uses),
// the blocked algorithm with each other micro-kernel this machine can run
// ("blocked-generic" is what -tags purego uses) and, for the smaller shapes,
// the naive reference. It reports GFLOPS: 2·m·n·k floating-point operations
// per product.
func BenchmarkGemm(b *testing.B) {
	paths := []struct {
		name string
		f    gemmFunc
	}{{"fast", gemm}}
	for _, name := range sortedKernelNames() {
		if name == kernel.FastName {
			continue // that is "fast"
		}
		ks := namedKernels(name)
		paths = append(paths, struct {
			name string
			f    gemmFunc
		}{"blocked-" + name, func(tA, tB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
			gemmWith(ks, false, tA, tB, m, n, k, alpha, a, b, beta, c)
		}})
	}
	paths = append(paths, struct {
		name string
		f    gemmFunc
	}{"naive", NaiveGemm})
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes {
		a, bb := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		for _, p := range paths {
			if p.name == "naive" && s.m*s.n*s.k > 1<<25 {
				continue // seconds per product; nothing to learn
			}
			b.Run(fmt.Sprintf("%s/%s", s.name, p.name), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					p.f(s.transA, s.transB, s.m, s.n, s.k, 1, a, bb, 0, c)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}

// BenchmarkPackB times the products of a row-major B with B packed (/1)
// and read in place (/-1), the measurement behind shouldPackB:
//
//	go test -run XXX -bench PackB -cpu 1 ./tensor
func BenchmarkPackB(b *testing.B) {
	shapes := append([]benchShape{}, benchShapes...) // the ones with transB are skipped
	shapes = append(shapes,
		benchShape{"ATB_64x256_64x784", true, false, 256, 784, 64},
		benchShape{"AB_64x256_256x784", false, false, 64, 784, 256},
		benchShape{"ATB_64x128_64x256", true, false, 128, 256, 64},
		benchShape{"AB_64x128_128x256", false, false, 64, 256, 128},
		// B's rows 2, 4 and 8 KiB apart: the L1 cache aliasing of shouldPackB.
		benchShape{"AB_64x256_256x256", false, false, 64, 256, 256},
		benchShape{"AB_64x512_512x512", false, false, 64, 512, 512},
		benchShape{"AB_64x1024_1024x1024", false, false, 64, 1024, 1024},
	)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
		if s.transB {
			continue
		}
		a, bb := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		for _, mode := range []int{1, -1} {
			b.Run(fmt.Sprintf("%s/%d", s.name, mode), func(b *testing.B) {
				packBMode = mode
				defer func() { packBMode = 0 }()
				for i := 0; i < b.N; i++ {
					gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, bb, 0, c)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}

// BenchmarkSwap times the Linear layers' forward products Z = A·Wᵀ + Z
// computed directly (/direct, Wᵀ packed) and as (W·Aᵀ + Zᵀ)ᵀ (/swapped,
// A packed), the measurement behind shouldSwap; the last shape, the
// output layer's 64×128·(10×128)ᵀ, shows why a narrow product is not
// swapped: packing the batch costs more than the padded 8-wide tiles of
// its 10 columns. Only a product that one goroutine runs is ever swapped,
// so run it on one thread:
//
//	go test -run XXX -bench Swap -cpu 1 ./tensor
func BenchmarkSwap(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{64, 128, 784}, {64, 256, 784}, {64, 128, 256}, {64, 10, 128}} {
		m, n, k := s[0], s[1], s[2]
		a, w := randSlice(rng, m*k), randSlice(rng, n*k)
		c := make([]float64, m*n)
		for _, mode := range []struct {
			name string
			swap int
		}{{"direct", -1}, {"swapped", 1}} {
			b.Run(fmt.Sprintf("ABT_%dx%d_%dx%d/%s", m, k, n, k, mode.name), func(b *testing.B) {
				swapMode = mode.swap
				defer func() { swapMode = 0 }()
				for i := 0; i < b.N; i++ {
					gemm(false, true, m, n, k, 1, a, w, 1, c) // beta = 1, as Linear.Forward
				}
				flops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}

// BenchmarkPace times the forward product 64×784·(128×784)ᵀ with each of
// the pacing rule's modes forced (see package internal/parallel), the measurement a probe
// makes; it means something only on more than one thread:
//
//	go test -run XXX -bench Pace -cpu 2 ./tensor
func BenchmarkPace(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, n, k := 64, 128, 784
	a, w := randSlice(rng, m*k), randSlice(rng, n*k)
	c := make([]float64, m*n)
	defer parallel.Reset()
	for _, mode := range []struct {
		name string
		mode int
	}{{"spin", parallel.Spin}, {"park", parallel.Park}, {"serial", parallel.Serial}} {
		b.Run(mode.name, func(b *testing.B) {
			parallel.Force(mode.mode)
			for i := 0; i < b.N; i++ {
				gemm(false, true, m, n, k, 1, a, w, 0, c)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// BenchmarkHandoff times the least a shared product costs: two goroutines
// pass a counter back and forth through one cache line, each spinning
// until it sees the other's write, as a spinning worker waits for an offer
// and the caller for the last part. ns/op is one round trip. On a virtual
// machine it tells where the host has put the two virtual CPUs at the
// moment: close (tens of nanoseconds) or far apart (hundreds), and runs a
// few seconds apart can land on either, which is why 2-thread timings
// spread so much more than 1-thread ones:
//
//	go test -run XXX -bench Handoff -cpu 2 -count 20 -benchtime 200000x ./tensor
func BenchmarkHandoff(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs two threads: on one, each spin waits for the scheduler to preempt the other")
	}
	var line atomic.Int64
	done := make(chan struct{})
	n := int64(b.N)
	go func() {
		for i := int64(1); i < 2*n; i += 2 {
			for line.Load() != i {
			}
			line.Store(i + 1)
		}
		close(done)
	}()
	for i := int64(0); i < 2*n; i += 2 {
		for line.Load() != i {
		}
		line.Store(i + 1)
	}
	<-done
}

// BenchmarkCut times products shared by two goroutines cut into row ranges
// (/rows) and into column ranges (/cols) of C, whatever partition's rule
// would choose: the homework's weight gradient (64×128)ᵀ·64×784, plain
// (beta = 0) and added into W as the fused SGD step does (beta = 1), the
// same for a 256-unit layer, and the forward product of an evaluation
// batch of 1000 rows, A·Wᵀ with beta = 1, for 128 and 256 units. The
// measurement behind partition; bench/cut.sh runs the two cuts in
// interleaved rounds, which a machine whose speed drifts needs (run back
// to back, one cut's runs can all fall in a slow patch):
//
//	cd bench && ./cut.sh
//	go test -run XXX -bench Cut -cpu 2 -count 14 -benchtime 150ms ./tensor   # back to back
func BenchmarkCut(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
		beta           float64
	}{
		{"ATB_64x128_64x784", true, false, 128, 784, 64, 0},
		{"ATB_64x128_64x784_beta1", true, false, 128, 784, 64, 1},
		{"ATB_64x256_64x784_beta1", true, false, 256, 784, 64, 1},
		{"ABT_1000x784_128x784_beta1", false, true, 1000, 128, 784, 1},
		{"ABT_1000x784_256x784_beta1", false, true, 1000, 256, 784, 1},
	} {
		a, bb := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		for _, cut := range []struct {
			name string
			mode int
		}{{"rows", -1}, {"cols", 1}} {
			b.Run(s.name+"/"+cut.name, func(b *testing.B) {
				cutMode = cut.mode
				defer func() { cutMode = 0 }()
				parallel.Reset() // every cut starts spinning, none inherits a probe
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					gemm(s.transA, s.transB, s.m, s.n, s.k, 1e-9, a, bb, s.beta, c)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}

// BenchmarkBeside times a product run by one goroutine alone (/alone),
// and the same product run at once by two goroutines, each on data of its
// own (/beside), with nothing shared between them: what a core loses when
// the other works beside it. The products run inside parallel.Do, so neither
// is cut again; each part times itself, and GFLOPS is per core, so a part
// that waited for the other to finish would not count its wait. The
// shapes: half the rows of the homework's weight gradient, (64×64)ᵀ·64×784
// (a 2-thread weight gradient cut into row ranges gives each core one),
// and a product whose operands fit the L1 cache, 12×64·64×32. Built once
// and run in rounds, so that alone and beside take turns:
//
//	go test -c ./tensor && for i in 1 2 3 4 5 6; do ./tensor.test -test.run XXX -test.bench Beside -test.cpu 2; done
func BenchmarkBeside(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs two threads")
	}
	defer parallel.Reset()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct {
		name    string
		transA  bool
		m, n, k int
	}{
		{"ATB_64x64_64x784", true, 64, 784, 64},
		{"AB_12x64_64x32", false, 12, 32, 64},
	} {
		var a, bb, c [2][]float64
		for i := range 2 {
			a[i], bb[i], c[i] = randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), make([]float64, s.m*s.n)
		}
		for _, workers := range []int{1, 2} {
			name := s.name + "/alone"
			if workers == 2 {
				name = s.name + "/beside"
			}
			b.Run(name, func(b *testing.B) {
				var start, end [2]time.Time
				var ready atomic.Int32                            // parts that have started
				var alone atomic.Bool                             // a part waited in vain for the other
				parallel.Do(2, parallel.PacedBelow, func(i int) { // past the pacing rule: always shared
					if i >= workers {
						return
					}
					// Start together: a short product could
					// otherwise be done before the other part
					// is picked up.
					ready.Add(1)
					for t0 := time.Now(); ready.Load() < int32(workers); {
						if time.Since(t0) > time.Second {
							alone.Store(true)
							break
						}
						runtime.Gosched()
					}
					start[i] = time.Now()
					for range b.N {
						gemm(s.transA, false, s.m, s.n, s.k, 1e-9, a[i], bb[i], 0, c[i])
					}
					end[i] = time.Now()
				})
				if alone.Load() {
					b.Fatal("the two parts did not start together")
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				var gflops float64
				for i := range workers {
					gflops += flops / end[i].Sub(start[i]).Seconds() / 1e9 / float64(workers)
				}
				b.ReportMetric(gflops, "GFLOPS/core")
			})
		}
	}
}
