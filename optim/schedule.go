package optim

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate of each update t = 1, 2, …. It is a plain
// function, so any func(int) float64 is one, and train.Config.Schedule
// accepts it. The constructors below combine: Then runs one schedule after
// another, Warmup puts a linear ramp in front of any schedule.
type Schedule func(t int) float64

// Constant returns lr for every update.
func Constant(lr float64) Schedule {
	return func(int) float64 { return lr }
}

// StepDecay trains at lr for the first updates and at lr·factor after them,
// for example StepDecay(0.2, 7000, 0.1), the homework's -decay. A large rate
// moves fast, but the noise of small batches keeps the weights bouncing
// around the minimum; the smaller one lets them settle.
func StepDecay(lr float64, first int, factor float64) Schedule {
	return func(t int) float64 {
		if t <= first {
			return lr
		}
		return lr * factor
	}
}

// Cosine anneals from lr at t = 1 towards lrMin along half a cosine over
// total updates,
//
//	η_t = lrMin + (lr − lrMin)·(1 + cos(π (t−1)/total))/2,   t = 1 … total,
//
// and is lrMin after them. It is PyTorch's CosineAnnealingLR (T_max = total,
// stepped after every update): the last update still has a small positive
// rate, and lrMin would be the rate of update total+1.
func Cosine(lr, lrMin float64, total int) Schedule {
	if total < 1 {
		panic(fmt.Sprintf("optim: Cosine: total %d updates, want at least 1", total))
	}
	return func(t int) float64 {
		if t > total {
			return lrMin
		}
		frac := float64(max(t, 1)-1) / float64(total)
		return lrMin + (lr-lrMin)*(1+math.Cos(math.Pi*frac))/2
	}
}

// Linear ramps the rate in a straight line from start at t = 1 to end at
// t = n, and stays at end after that. Linear(lr/n, lr, n) is a warm-up.
func Linear(start, end float64, n int) Schedule {
	if n < 1 {
		panic(fmt.Sprintf("optim: Linear: %d updates, want at least 1", n))
	}
	return func(t int) float64 {
		if n == 1 || t >= n {
			return end
		}
		return start + (end-start)*float64(max(t, 1)-1)/float64(n-1)
	}
}

// Then runs first for updates 1 … n and second after them, with second's
// count restarting at 1 (PyTorch's SequentialLR).
func Then(first Schedule, n int, second Schedule) Schedule {
	return func(t int) float64 {
		if t <= n {
			return first(t)
		}
		return second(t - n)
	}
}

// Warmup ramps the rate linearly over the first n updates, from s(1)/n up to
// s(1), and then runs s from its start: Warmup(n, Cosine(lr, 0, total−n)) is
// the usual warm-up and cosine. n = 0 returns s unchanged.
func Warmup(n int, s Schedule) Schedule {
	if n < 0 {
		panic(fmt.Sprintf("optim: Warmup: %d updates, want ≥ 0", n))
	}
	if n == 0 {
		return s
	}
	lr := s(1)
	return Then(Linear(lr/float64(n), lr, n), n, s)
}
