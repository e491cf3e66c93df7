package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor"
)

// BatchNorm2d, which shares its channels between cores (share.go), and
// MaxPool2d, whose Forward is shaped for speed, and ReLU, both also
// shared as package train runs them (share.go), against the plain loops
// that state their equations: the same bits (for every number of
// goroutines), on shapes that do and do not split evenly, with guard
// values around every buffer they write.

// sharedShapes are N×C×H×W inputs: batch 1, odd sizes, one channel and
// several, and two large enough (over 2·minSharedValues values) for
// BatchNorm2d to cut into parts, one of them unevenly.
var sharedShapes = [][4]int{
	{1, 1, 1, 2}, {1, 3, 5, 7}, {2, 4, 7, 5}, {3, 2, 9, 8}, {1, 5, 1, 1}, {64, 5, 6, 6},
	{16, 8, 28, 28}, {9, 7, 31, 29},
}

// eachProcs runs f with GOMAXPROCS set to 1, 2, 3 and 4 in turn (more
// goroutines than cores is allowed), so that the passes are cut into 1 to
// 4 parts, and restores it.
func eachProcs(t *testing.T, f func(procs int)) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for procs := 1; procs <= 4; procs++ {
		runtime.GOMAXPROCS(procs)
		f(procs)
	}
}

// guardedTensor returns a tensor of the given shape whose data, all NaN
// (so that an entry a layer forgets to write fails the comparison), lies
// in a guarded array (see guarded): installed as a layer's buffer, which
// ResizeShape then reuses, it catches writes outside the buffer.
func guardedTensor(t *testing.T, shape [4]int) (*tensor.Tensor, func(what string)) {
	data, check := guarded(t, shape[0]*shape[1]*shape[2]*shape[3], math.NaN())
	return &tensor.Tensor{Data: data, Shape: shape[:]}, check
}

// awkwardValues returns n values that test a layer's edge cases: normal
// numbers, repeated small integers (ties), ±0, and, if special, ±Inf and
// NaN.
func awkwardValues(rng *rand.Rand, n int, special bool) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch r := rng.IntN(20); {
		case r < 10:
			x[i] = rng.NormFloat64()
		case r < 16:
			x[i] = float64(rng.IntN(3) - 1)
		case r == 16:
			x[i] = math.Copysign(0, -1)
		case r == 17 && special:
			x[i] = math.Inf(1 - 2*rng.IntN(2))
		case r == 18 && special:
			x[i] = math.NaN()
		default:
			x[i] = 0
		}
	}
	return x
}

// TestMaxPoolSameBits compares MaxPool2d, whose Forward is shaped for
// speed (maxPoolPlane), with the loop over windows in output order
// (poolGeom.windows) that states P1 and P2, on inputs full of ties, NaN
// and ±Inf, with windows that overlap (s < k), tile (s = k) and skip
// pixels (s > k).
func TestMaxPoolSameBits(t *testing.T) {
	for _, s := range sharedShapes {
		for _, ks := range [][2]int{{2, 2}, {1, 1}, {3, 2}, {3, 1}, {2, 3}, {1, 2}, {3, 3}} {
			k, stride := ks[0], ks[1]
			if s[2] < k || s[3] < k {
				continue
			}
			rng := rand.New(rand.NewPCG(uint64(k), uint64(s[3])))
			x := tensor.FromData(awkwardValues(rng, s[0]*s[1]*s[2]*s[3], true), s[:]...)
			g := geomOf(s, k, stride)
			dy := tensor.FromData(awkwardValues(rng, g.n*g.c*g.ho*g.wo, false), g.n, g.c, g.ho, g.wo)
			wantY, wantDx := refMaxPool(g, x.Data, dy.Data)
			eachProcs(t, func(procs int) {
				for _, shared := range []bool{false, true} {
					m := NewMaxPool2d(k, stride)
					var checkY, checkDx func(string)
					m.y, checkY = guardedTensor(t, [4]int{g.n, g.c, g.ho, g.wo})
					m.dx, checkDx = guardedTensor(t, s)
					what := fmt.Sprintf("MaxPool2d(%d, %d) %v, GOMAXPROCS %d, shared %v", k, stride, s, procs, shared)
					forward, backward := m.Forward, m.Backward
					if shared {
						forward, backward = sharedLayer(t, m)
					}
					numtest.SameSlices(t, what+": forward", forward(x).Data, wantY)
					numtest.SameSlices(t, what+": backward", backward(dy).Data, wantDx)
					numtest.SameSlices(t, what+": backward again", backward(dy).Data, wantDx) // ∂L/∂X cleared first
					checkY(what + " forward")
					checkDx(what + " backward")
				}
			})
		}
	}
}

// sharedLayer returns the shared passes of l (ReLU or MaxPool2d) as
// package train reaches them, through fused.Forward and fused.Backward.
func sharedLayer(t *testing.T, l Layer) (forward, backward func(*tensor.Tensor) *tensor.Tensor) {
	forward = func(x *tensor.Tensor) *tensor.Tensor {
		y, ok := fused.Forward(l, x)
		if !ok {
			t.Fatalf("fused.Forward does not share %v", l)
		}
		return y.(*tensor.Tensor)
	}
	backward = func(dy *tensor.Tensor) *tensor.Tensor {
		dx, ok := fused.Backward(l, dy)
		if !ok {
			t.Fatalf("fused.Backward does not share %v", l)
		}
		return dx.(*tensor.Tensor)
	}
	return forward, backward
}

// TestReLUSharedSameBits compares ReLU's Forward and Backward, on one
// core and shared (fused.Forward, fused.Backward), with max(0, x) (NaN
// for NaN, +0 for −0) and δ ⊙ 1[x > 0] element by element, on inputs
// with ±0, ±Inf and NaN.
func TestReLUSharedSameBits(t *testing.T) {
	for _, s := range sharedShapes {
		rng := rand.New(rand.NewPCG(4, uint64(s[3])))
		x := tensor.FromData(awkwardValues(rng, s[0]*s[1]*s[2]*s[3], true), s[:]...)
		dy := tensor.FromData(awkwardValues(rng, len(x.Data), true), s[:]...)
		wantY, wantDx := make([]float64, len(x.Data)), make([]float64, len(x.Data))
		for i, v := range x.Data {
			switch {
			case v > 0:
				wantY[i], wantDx[i] = v, dy.Data[i]
			case math.IsNaN(v):
				wantY[i] = v // max propagates NaN; its gradient is blocked
			}
		}
		eachProcs(t, func(procs int) {
			for _, shared := range []bool{false, true} {
				r := NewReLU()
				var checkY, checkDx func(string)
				r.y, checkY = guardedTensor(t, s)
				r.dx, checkDx = guardedTensor(t, s)
				what := fmt.Sprintf("ReLU %v, GOMAXPROCS %d, shared %v", s, procs, shared)
				forward, backward := r.Forward, r.Backward
				if shared {
					forward, backward = sharedLayer(t, r)
				}
				numtest.SameSlices(t, what+": forward", forward(x).Data, wantY)
				numtest.SameSlices(t, what+": backward", backward(dy).Data, wantDx)
				checkY(what + " forward")
				checkDx(what + " backward")
			}
		})
	}
	for _, l := range []Layer{NewLinear(2, 2, He, rand.New(rand.NewPCG(1, 1))), NewAvgPool2d(2, 2), NewBatchNorm2d(1)} {
		if _, ok := fused.Forward(l, tensor.New(2, 1, 2, 2)); ok {
			t.Errorf("fused.Forward shares %v", l)
		}
		if _, ok := fused.Backward(l, tensor.New(2, 1, 2, 2)); ok {
			t.Errorf("fused.Backward shares %v", l)
		}
	}
}

func geomOf(s [4]int, k, stride int) poolGeom {
	return poolGeom{n: s[0], c: s[1], h: s[2], w: s[3], k: k, s: stride, ho: (s[2]-k)/stride + 1, wo: (s[3]-k)/stride + 1}
}

// refMaxPool is max pooling as P1 and P2 state it, window after window in
// output order: Y, and ∂L/∂X for the gradient dy.
func refMaxPool(g poolGeom, x, dy []float64) (y, dx []float64) {
	y, dx = make([]float64, g.n*g.c*g.ho*g.wo), make([]float64, len(x))
	g.windows(func(o, at0 int) {
		best := at0
		for u := 0; u < g.k; u++ {
			for at := at0 + u*g.w; at < at0+u*g.w+g.k; at++ {
				if x[at] > x[best] || (math.IsNaN(x[at]) && !math.IsNaN(x[best])) {
					best = at
				}
			}
		}
		y[o] = x[best]
		dx[best] += dy[o]
	})
	return y, dx
}

// TestBatchNorm2dSharedSameBits compares BatchNorm2d with the loops over
// the whole batch that state BN1–BN9 (refBatchNorm2d), over three
// training steps and one evaluation step, so that the running statistics
// and the accumulated ∂L/∂γ, ∂L/∂β are compared too.
func TestBatchNorm2dSharedSameBits(t *testing.T) {
	for _, s := range sharedShapes {
		if s[0]*s[2]*s[3] < 2 {
			continue
		}
		rng := rand.New(rand.NewPCG(3, uint64(s[3])))
		var xs, gs []*tensor.Tensor
		for range 4 {
			x := tensor.FromData(awkwardValues(rng, s[0]*s[1]*s[2]*s[3], false), s[:]...)
			for i := range x.Data {
				x.Data[i] = 3*x.Data[i] + 2 // a mean and variance away from 0 and 1
			}
			xs = append(xs, x)
			gs = append(gs, tensor.FromData(awkwardValues(rng, len(x.Data), false), s[:]...))
		}
		gamma, beta := tensor.RandNormal(rng, 1, 0.5, s[1]), tensor.RandNormal(rng, 0, 0.5, s[1])
		want := newRefBatchNorm2d(gamma.Data, beta.Data)
		// After each step: y, ∂L/∂X, ∂L/∂γ, ∂L/∂β, running mean and variance.
		var wants [][6][]float64
		for step := range xs {
			y, dx := want.step(xs[step], gs[step].Data, step < 3)
			wants = append(wants, [6][]float64{y, dx, slices.Clone(want.dgamma), slices.Clone(want.dbeta), slices.Clone(want.runMean), slices.Clone(want.runVar)})
		}
		eachProcs(t, func(procs int) {
			b := NewBatchNorm2d(s[1])
			copy(b.Weight.Value.Data, gamma.Data)
			copy(b.Bias.Value.Data, beta.Data)
			var checkY, checkXhat, checkDx func(string)
			b.y, checkY = guardedTensor(t, s)
			b.xhat, checkXhat = guardedTensor(t, s)
			b.dx, checkDx = guardedTensor(t, s)
			for step := range xs {
				b.SetTraining(step < 3)
				what := fmt.Sprintf("BatchNorm2d %v, GOMAXPROCS %d, step %d", s, procs, step)
				w := wants[step]
				numtest.SameSlices(t, what+": y", b.Forward(xs[step]).Data, w[0])
				numtest.SameSlices(t, what+": ∂L/∂X", b.Backward(gs[step]).Data, w[1])
				numtest.SameSlices(t, what+": ∂L/∂γ", b.Weight.Grad.Data, w[2])
				numtest.SameSlices(t, what+": ∂L/∂β", b.Bias.Grad.Data, w[3])
				numtest.SameSlices(t, what+": running mean", b.RunningMean.Data, w[4])
				numtest.SameSlices(t, what+": running variance", b.RunningVar.Data, w[5])
				checkY(what + " y")
				checkXhat(what + " x̂")
				checkDx(what + " ∂L/∂X")
			}
			if b.NumBatchesTracked != 3 {
				t.Errorf("BatchNorm2d %v, GOMAXPROCS %d: NumBatchesTracked = %d, want 3", s, procs, b.NumBatchesTracked)
			}
		})
	}
}

// refBatchNorm2d is BatchNorm2d written as BN1–BN9 over the whole batch,
// one pass after the other, each sum in the order n, then h and w, the
// plane's sum added to the channel's (as the layer sums).
type refBatchNorm2d struct {
	gamma, beta, dgamma, dbeta, runMean, runVar []float64
}

func newRefBatchNorm2d(gamma, beta []float64) *refBatchNorm2d {
	c := len(gamma)
	r := &refBatchNorm2d{gamma: gamma, beta: beta, dgamma: make([]float64, c), dbeta: make([]float64, c), runMean: make([]float64, c), runVar: make([]float64, c)}
	for i := range r.runVar {
		r.runVar[i] = 1
	}
	return r
}

// step runs Forward on x and Backward on g, in training mode or not, and
// returns y and ∂L/∂X.
func (r *refBatchNorm2d) step(x *tensor.Tensor, g []float64, training bool) (y, dx []float64) {
	n, C, hw := x.Shape[0], x.Shape[1], x.Shape[2]*x.Shape[3]
	m := float64(n * hw)
	mean, invStd := make([]float64, C), make([]float64, C)
	if training {
		variance := make([]float64, C)
		for nc := 0; nc < n*C; nc++ {
			for _, v := range x.Data[nc*hw : (nc+1)*hw] {
				mean[nc%C] += v
			}
		}
		for c := range mean {
			mean[c] /= m // BN1
		}
		for nc := 0; nc < n*C; nc++ {
			var s float64
			for _, v := range x.Data[nc*hw : (nc+1)*hw] {
				s += (v - mean[nc%C]) * (v - mean[nc%C])
			}
			variance[nc%C] += s
		}
		for c := range variance {
			variance[c] /= m // BN2
			r.runMean[c] = (1-DefaultBatchNormMomentum)*r.runMean[c] + DefaultBatchNormMomentum*mean[c]
			r.runVar[c] = (1-DefaultBatchNormMomentum)*r.runVar[c] + DefaultBatchNormMomentum*variance[c]*(m/(m-1)) // BN8
			invStd[c] = 1 / math.Sqrt(variance[c]+DefaultBatchNormEps)
		}
	} else {
		for c := range mean { // BN9
			mean[c] = r.runMean[c]
			invStd[c] = 1 / math.Sqrt(r.runVar[c]+DefaultBatchNormEps)
		}
	}
	xhat, y := make([]float64, len(x.Data)), make([]float64, len(x.Data))
	for i, v := range x.Data {
		c := i / hw % C
		xhat[i] = (v - mean[c]) * invStd[c]   // BN3
		y[i] = r.gamma[c]*xhat[i] + r.beta[c] // BN4
	}
	sumG, sumGX := make([]float64, C), make([]float64, C)
	for nc := 0; nc < n*C; nc++ {
		var sg, sgx float64
		for i := nc * hw; i < (nc+1)*hw; i++ {
			sg += g[i]
			sgx += g[i] * xhat[i]
		}
		sumG[nc%C] += sg
		sumGX[nc%C] += sgx
	}
	for c := range C {
		r.dgamma[c] += sumGX[c] // BN5
		r.dbeta[c] += sumG[c]
	}
	dx = make([]float64, len(x.Data))
	for i := range dx {
		c := i / hw % C
		gs := r.gamma[c] * invStd[c]
		if training {
			dx[i] = gs * (g[i] - (1/m)*sumG[c] - xhat[i]*((1/m)*sumGX[c])) // BN7
		} else {
			dx[i] = gs * g[i] // BN9's gradient
		}
	}
	return y, dx
}
