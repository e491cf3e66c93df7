package optim_test

import (
	"fmt"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/optim"
)

func TestSchedules(t *testing.T) {
	for _, c := range []struct {
		name string
		s    optim.Schedule
		want map[int]float64 // update → rate
	}{
		{"constant", optim.Constant(0.5), map[int]float64{1: 0.5, 1000: 0.5}},
		{"step", optim.StepDecay(0.2, 3, 0.1), map[int]float64{1: 0.2, 3: 0.2, 4: 0.02, 100: 0.02}},
		// cos(π·0) = 1, cos(π/2) = 0 at t = 1, 3 of 4; after the 4: lrMin.
		{"cosine", optim.Cosine(1, 0.1, 4), map[int]float64{1: 1, 3: 0.55, 5: 0.1, 9: 0.1}},
		{"cosine of one update", optim.Cosine(1, 0, 1), map[int]float64{1: 1, 2: 0}},
		{"linear", optim.Linear(0.25, 1, 4), map[int]float64{1: 0.25, 2: 0.5, 4: 1, 7: 1}},
		{"then", optim.Then(optim.Constant(1), 2, optim.StepDecay(0.5, 1, 0.5)),
			map[int]float64{1: 1, 2: 1, 3: 0.5, 4: 0.25}},
		// Warm-up over 4 updates to the cosine's start, then the whole cosine
		// from its own update 1.
		{"warmup cosine", optim.Warmup(4, optim.Cosine(1, 0, 2)),
			map[int]float64{1: 0.25, 2: 0.5, 3: 0.75, 4: 1, 5: 1, 6: 0.5, 7: 0, 8: 0}},
		{"no warmup", optim.Warmup(0, optim.Constant(3)), map[int]float64{1: 3}},
	} {
		for u, w := range c.want {
			numtest.Close(t, fmt.Sprintf("%s: update %d: rate", c.name, u), c.s(u), w, numtest.Tol{Abs: 1e-12})
		}
	}
}
