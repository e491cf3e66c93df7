package diagnose

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// BenchmarkRecorderOverhead measures what recording costs: each iteration
// trains one epoch of the default network (784-256-128-10, 30,000 samples,
// batch 64) without hooks and one with a Recorder sampling every 50
// updates, interleaved so that a busy machine slows both alike, and reports
// the time of each and the overhead in per cent, in wall-clock time and in
// the process's CPU time (less disturbed by other jobs). Run it with
//
//	go test -run XXX -bench RecorderOverhead -benchtime 5x ./diagnose
//
// The bar is an overhead under 10%.
func BenchmarkRecorderOverhead(b *testing.B) {
	const n, batch = 30000, 64
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.RandUniform(rng, 0, 1, n, 784)
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(10)
	}
	probe := &train.Set{X: tensor.FromData(x.Data[:256*784], 256, 784), Y: y[:256]}
	plainModel := layers.NewMLP([]int{784, 256, 128, 10}, layers.He, rand.New(rand.NewPCG(1, 1)))
	recModel := layers.NewMLP([]int{784, 256, 128, 10}, layers.He, rand.New(rand.NewPCG(1, 1)))
	var plainCPU, recordedCPU time.Duration
	epoch := func(model *layers.Sequential, hooks []train.Hook) time.Duration {
		loader := data.NewLoader(x, y, data.LoaderOptions{BatchSize: batch})
		start, cpu := time.Now(), cpuTime()
		if _, err := train.Run(model, loader, nil, train.Config{LR: 0.01, Epochs: 1, Hooks: hooks}); err != nil {
			b.Fatal(err)
		}
		if hooks == nil {
			plainCPU += cpuTime() - cpu
		} else {
			recordedCPU += cpuTime() - cpu
		}
		return time.Since(start)
	}
	rec := func() []train.Hook {
		return []train.Hook{NewRecorder(RecorderOptions{Every: 50, Probe: probe, Model: recModel}).Hook()}
	}
	epoch(plainModel, nil) // make the buffers
	epoch(recModel, rec())
	var plain, recorded time.Duration
	plainCPU, recordedCPU = 0, 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 { // alternate which goes first
			plain += epoch(plainModel, nil)
			recorded += epoch(recModel, rec())
		} else {
			recorded += epoch(recModel, rec())
			plain += epoch(plainModel, nil)
		}
	}
	b.ReportMetric(plain.Seconds()/float64(b.N), "s/plain-epoch")
	b.ReportMetric(recorded.Seconds()/float64(b.N), "s/recorded-epoch")
	b.ReportMetric(100*(recorded.Seconds()/plain.Seconds()-1), "%overhead")
	if plainCPU > 0 {
		b.ReportMetric(100*(recordedCPU.Seconds()/plainCPU.Seconds()-1), "%cpu-overhead")
	}
}
