package layers

import (
	"math"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/tensor"
)

// normBlock is fused.Block: a BatchNorm2d, ReLU and MaxPool2d run as
// one pass per direction in a training step (speed only; package train
// uses it through internal/fused).
//
// Run one after the other, the three layers read or write arrays the
// size of their input 17 times in a step, 8 forward and 9 back (for 32
// channels of 28×28 and a batch of 64, 12.8 MB each, far beyond the
// cache), most of them outputs and gradients that the next layer reads
// once. The block does so 7 times (x three times and x̂ once forward, x̂
// twice and ∂L/∂X once back): it goes over each channel once in each
// direction, plane by plane, keeping a plane's intermediate values in a
// scratch plane of the channel's own:
//
//   - Forward: the channel's statistics as BatchNorm2d.Forward computes
//     them, then per plane x̂ (kept for Backward), y = γ x̂ + β and
//     max(0, y) into the scratch plane, and the plane's maxima from
//     there (maxPoolReLUPlane, which knows its inputs are ReLU's).
//   - Backward: per plane, ReLU's gradient of MaxPool2d's gradient
//     rebuilt in the scratch plane from the maxima alone (below), then
//     BatchNorm2d's sums and ∂L/∂X as its Backward computes them.
//
// Every value is computed by the same expression, and every sum added in
// the same order, as in the three layers' own passes, so the bits are
// theirs (block_test.go compares them). Neither BatchNorm2d's output nor
// ReLU's is written. ReLU's gradient needs no ReLU output: MaxPool2d's
// gradient is zero except at the windows' maxima, and at the maximum of
// window o, ReLU's output is the window's output Y[o] itself, so its
// mask 1[y > 0] there is 1[Y[o] > 0].
type normBlock struct {
	bn      *BatchNorm2d
	pool    *MaxPool2d // after the ReLU, which keeps nothing of a step here
	g       poolGeom
	scratch []float64      // two planes per channel
	in      *tensor.Tensor // the pass's x (Forward) or δ (Backward)
	back    bool
	job     spanJob
}

func init() {
	fused.NewBlock = func(bn, relu, pool any) fused.Block {
		b, ok1 := bn.(*BatchNorm2d)
		_, ok2 := relu.(*ReLU)
		p, ok3 := pool.(*MaxPool2d)
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		return &normBlock{bn: b, pool: p}
	}
}

// Forward is the three layers' Forward.
func (k *normBlock) Forward(xa any) any {
	x := xa.(*tensor.Tensor)
	b := k.bn
	n, hw := b.startForward(x)
	k.g = k.pool.start(x)
	k.scratch = resize(k.scratch, 2*b.c*hw)
	k.in, k.back = x, false
	shareCost(&k.job, k, b.c, n*hw, blockCost)
	k.in = nil
	b.endForward()
	return k.pool.y
}

// Backward is the three layers' Backward after the block's Forward.
func (k *normBlock) Backward(dya any) any {
	dy := dya.(*tensor.Tensor)
	g := k.pool.backwardGeom("MaxPool2d", dy)
	b := k.bn
	b.dx = ResizeShape(b.dx, k.pool.in...)
	k.in, k.back = dy, true
	shareCost(&k.job, k, b.c, g.n*g.h*g.w, blockCost)
	k.in = nil
	return b.dx
}

// resize returns s with length n, reusing its memory if it can.
func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func (k *normBlock) span(lo, hi int) {
	if k.back {
		k.backward(lo, hi)
	} else {
		k.forward(lo, hi)
	}
}

// forward is Forward over the channels lo, …, hi−1.
func (k *normBlock) forward(lo, hi int) {
	b, g := k.bn, k.g
	x := k.in
	hw, howo := g.h*g.w, g.ho*g.wo
	gamma, beta := b.Weight.Value.Data, b.Bias.Value.Data
	for c := lo; c < hi; c++ {
		b.stats(c, lo, hi)
		mu, s := b.mean[c], b.invStd[c]
		r := k.scratch[2*c*hw:][:hw]
		for i := range g.n {
			nc := i*b.c + c
			plane := nc * hw
			xs, xh := x.Data[plane:plane+hw], b.xhat.Data[plane:plane+hw]
			xh, r := xh[:len(xs)], r[:len(xs)]
			for j, v := range xs {
				xh[j] = (v - mu) * s          // BN3
				y := gamma[c]*xh[j] + beta[c] // BN4
				r[j] = max(y, 0)              // ReLU
			}
			maxPoolReLUPlane(g, r, k.pool.y.Data[nc*howo:(nc+1)*howo], k.pool.arg[nc*howo:(nc+1)*howo], plane) // P1
		}
	}
}

// backward is Backward over the channels lo, …, hi−1: BatchNorm2d's, over
// the planes of ReLU's gradient (gradPlane), computed into the channel's
// two scratch planes.
func (k *normBlock) backward(lo, hi int) {
	hw := k.g.h * k.g.w
	for c := lo; c < hi; c++ {
		k.bn.backwardChannel(c, k.g.n, k, k.scratch[2*c*hw:][:hw], k.scratch[(2*c+1)*hw:][:hw])
	}
}

// gradPlane writes plane nc of ReLU's gradient into dst and returns it
// (reluGrad).
func (k *normBlock) gradPlane(dst []float64, nc int) []float64 {
	k.reluGrad(dst, nc)
	return dst
}

// reluGrad writes into dst ReLU's gradient of plane nc (image n, channel
// c at n·C + c) of MaxPool2d's gradient k.in: MaxPool2d.Backward's sums
// (P2) with ReLU.Backward's mask, taken from the window's output (see
// normBlock).
func (k *normBlock) reluGrad(dst []float64, nc int) {
	g := k.g
	hw, howo := g.h*g.w, g.ho*g.wo
	clear(dst)
	dy := k.in.Data[nc*howo : (nc+1)*howo]
	arg := k.pool.arg[nc*howo : (nc+1)*howo]
	y := k.pool.y.Data[nc*howo : (nc+1)*howo]
	arg, y = arg[:len(dy)], y[:len(dy)]
	base := nc * hw
	for o, d := range dy {
		// P2, then ReLU's mask 1[y > 0] on the sum so far: windows
		// that share a maximum share its mask, so masking each partial
		// sum gives the masked whole sum.
		at := arg[o] - base
		dst[at] = math.Float64frombits(math.Float64bits(dst[at]+d) & positiveMask(y[o]))
	}
}

// nanKey is the key of every NaN in maxPoolReLUPlane: above the bits of
// +Inf, the largest number.
const nanKey = 0x7FF0000000000001

// maxPoolReLUPlane is maxPoolPlane for 2×2 windows of ReLU's outputs,
// numbers ≥ +0 or NaN, with the same results (ties to the first maximum,
// a NaN the maximum of its window). Such numbers are ordered as their
// bits are as integers, so a window's maximum takes integer comparisons
// (over), computed without a branch; every NaN's key is nanKey, so the
// first NaN of a window wins as in maxPoolPlane, whatever its sign and
// payload. Other windows go to maxPoolPlane.
func maxPoolReLUPlane(g poolGeom, x, y []float64, arg []int, base int) {
	if g.k != 2 {
		maxPoolPlane(g, x, y, arg, base)
		return
	}
	key := func(v float64) uint64 { return min(math.Float64bits(v), nanKey) }
	for i := 0; i < g.ho; i++ {
		top := g.s * i * g.w // X[n,c,s·i,0]
		yi, argi := y[i*g.wo:(i+1)*g.wo], arg[i*g.wo:(i+1)*g.wo]
		r0, r1 := x[top:top+g.w], x[top+g.w:top+2*g.w]
		for j := range yi {
			q := g.s * j
			// The larger of the top two, the larger of the bottom two,
			// then the larger of those: each earlier entry wins a tie,
			// as in row-major order, in two steps instead of three.
			top2, topAt := over(key(r0[q]), q, key(r0[q+1]), q+1)
			bottom2, bottomAt := over(key(r1[q]), g.w+q, key(r1[q+1]), g.w+q+1)
			_, at := over(top2, topAt, bottom2, bottomAt)
			argi[j] = base + top + at
			yi[j] = x[top+at] // P1
		}
	}
}

// over returns (v, vAt) if v > best and (best, at) otherwise, without a
// branch (a window's maximum lies anywhere: a branch on it would be
// mispredicted about once per window). Keys are below 2⁶³, so the sign
// of best − v as a signed integer says which is larger.
func over(best uint64, at int, v uint64, vAt int) (uint64, int) {
	m := int64(best-v) >> 63 // all ones if v > best
	return best ^ (best^v)&uint64(m), at ^ (at^vAt)&int(m)
}

// blockCost is what a value of the block's input costs in each
// direction, in floating-point operations of a product, for
// internal/parallel. Measured, not counted: on one core of the Zen 3 of
// docs/performance.md the block takes about 5 ns per value and direction
// (BenchmarkBlock: 4.8 ns for the second block, 5.7 ns for the first, on
// one core), as long as 150–230 operations of a product at its 40 GFLOPS
// as the machine's speed drifts; what the figure decides holds over that
// range. share's 8 per value, right for one pass over memory, would make
// a block of examples/cnn's network (4–9 ms a direction on one core)
// look like a product of a tenth of a millisecond; at its real length it
// is at or above parallel.PacedBelow, always shared.
const blockCost = 150
