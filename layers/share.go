package layers

import (
	"runtime"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/internal/parallel"
	"github.com/backprop-go/backprop/tensor"
)

// Sharing a layer's work between cores (speed only; nothing here is
// exported).
//
// The layers around a convolution do no products, but on a convolutional
// network's feature maps they pass over millions of numbers per step,
// about as long as the convolutions' products take. BatchNorm2d's work
// falls into pieces that do not depend on each other, its channels (each
// channel's sums run over its own values only); it cuts them into
// contiguous ranges, one per part, and parallel.Run hands the parts to
// the workers of the matrix products. A piece is computed by the same
// loop, in the same order, whichever part it falls in and whichever
// goroutine runs that part, so the results are the same bits for every
// GOMAXPROCS.
//
// Conv2d's Backward shares the copies of a chunk of images (im2col.go)
// the same way: im2col's rows of X_col, col2im's channels of ∂L/∂X,
// each computed by the same loop whichever part it falls in.
//
// ReLU and MaxPool2d share their elements and image planes the same way,
// but not in their own Forward and Backward: cmd/kit hands that code out
// to students as it is, helpers included, into a module that cannot
// import internal packages. Their methods run their loops (reluForward,
// MaxPool2d.forwardPlanes, …) over all the elements or planes on one
// core; package train reaches the shared passes below through
// internal/fused, which run the same loops over ranges of them. An
// element's result, or a plane's, does not depend on the range it falls
// in, so the bits are the same either way.
//
// A BatchNorm2d followed by a ReLU and a MaxPool2d runs in package
// train's steps as one pass each way over the channels (block.go), shared
// the same way as BatchNorm2d.

// spanner is a layer's pass over pieces lo, …, hi−1 of its work. A layer
// with two passes declares a named type for each (as batchNorm2dForward
// is BatchNorm2d), so that a pass converts to a spanner without
// allocating.
type spanner interface {
	span(lo, hi int)
}

// spanJob is a pass over n pieces as a parallel.Job.
type spanJob struct {
	pass spanner
	n    int
}

// Whole runs the pass over every piece.
func (j *spanJob) Whole() { j.pass.span(0, j.n) }

// Part runs the pass over the i-th of parts contiguous ranges of pieces.
func (j *spanJob) Part(i, parts int) { j.pass.span(i*j.n/parts, (i+1)*j.n/parts) }

// minSharedValues is the least number of values (each read or written
// once or a few times) worth a part of its own: some 10 µs of one core's
// time, well above the cost of handing a part to a spinning worker, as
// tensor's AxpyZero counts it.
const minSharedValues = 1 << 15

// share runs pass over n pieces of perPiece values each, cut into as
// many parts as there are goroutines to run them and the work is worth,
// on the layer's job (which holds no reference once share returns). Like
// AxpyZero, it tells the pacing rule that a value costs about as much as
// 8 floating-point operations of a product: the passes are bound by
// memory.
func share(job *spanJob, pass spanner, n, perPiece int) {
	shareCost(job, pass, n, perPiece, 8)
}

// shareCost is share for a pass that costs about flopsPerValue
// floating-point operations of a product per value.
func shareCost(job *spanJob, pass spanner, n, perPiece int, flopsPerValue float64) {
	values := n * perPiece
	parts := min(runtime.GOMAXPROCS(0), n, parallel.MaxParts, values/minSharedValues)
	if parts <= 1 {
		pass.span(0, n)
		return
	}
	*job = spanJob{pass: pass, n: n}
	parallel.Run(job, parts, flopsPerValue*float64(values))
	*job = spanJob{}
}

func init() {
	fused.Forward = func(layer, x any) (any, bool) {
		switch l := layer.(type) {
		case *ReLU:
			return l.forwardShared(x.(*tensor.Tensor)), true
		case *MaxPool2d:
			return l.forwardShared(x.(*tensor.Tensor)), true
		}
		return nil, false
	}
	fused.Backward = func(layer, dy any) (any, bool) {
		switch l := layer.(type) {
		case *ReLU:
			return l.backwardShared(dy.(*tensor.Tensor)), true
		case *MaxPool2d:
			return l.backwardShared(dy.(*tensor.Tensor)), true
		}
		return nil, false
	}
}

// A sharedPass is one shared Forward or Backward of a ReLU or a
// MaxPool2d: the layer's loop over a range of its elements or planes. The
// passes are recycled (parallel.Recycler), so that the layers, whose code
// students get, hold no fields for them and a step allocates nothing.
type sharedPass struct {
	job      spanJob
	relu     *ReLU
	pool     *MaxPool2d
	g        poolGeom
	backward bool
	in       []float64 // x for Forward, δ for Backward
}

var sharedPasses parallel.Recycler[sharedPass]

// run shares p over n pieces of perPiece values each and recycles it.
func (p *sharedPass) run(n, perPiece int) {
	share(&p.job, p, n, perPiece)
	*p = sharedPass{}
	sharedPasses.Put(p)
}

// span runs the pass over elements (ReLU) or planes (MaxPool2d) lo, …,
// hi−1.
func (p *sharedPass) span(lo, hi int) {
	switch {
	case p.relu != nil && !p.backward:
		reluForward(p.relu.y.Data[lo:hi], p.in[lo:hi])
	case p.relu != nil:
		reluBackward(p.relu.dx.Data[lo:hi], p.in[lo:hi], p.relu.y.Data[lo:hi])
	case !p.backward:
		p.pool.forwardPlanes(p.g, p.in, lo, hi)
	default:
		hw := p.g.h * p.g.w
		clear(p.pool.dx.Data[lo*hw : hi*hw])
		p.pool.backwardPlanes(p.g, p.in, lo, hi)
	}
}

// forwardShared is Forward with the elements shared between the cores.
func (r *ReLU) forwardShared(x *tensor.Tensor) *tensor.Tensor {
	mustBatch("ReLU.Forward", x)
	r.y = ResizeShape(r.y, x.Shape...)
	p := sharedPasses.Get()
	p.relu, p.in = r, x.Data
	p.run(len(x.Data), 1)
	return r.y
}

// backwardShared is Backward with the elements shared between the cores.
func (r *ReLU) backwardShared(dout *tensor.Tensor) *tensor.Tensor {
	checkBackward("ReLU", dout, r.y)
	r.dx = ResizeShape(r.dx, dout.Shape...)
	p := sharedPasses.Get()
	p.relu, p.in, p.backward = r, dout.Data, true
	p.run(len(dout.Data), 1)
	return r.dx
}

// forwardShared is Forward with the image planes shared between the
// cores.
func (m *MaxPool2d) forwardShared(x *tensor.Tensor) *tensor.Tensor {
	g := m.start(x)
	p := sharedPasses.Get()
	p.pool, p.g, p.in = m, g, x.Data
	p.run(g.n*g.c, g.h*g.w)
	return m.y
}

// backwardShared is Backward with the image planes shared between the
// cores, each part clearing its planes of ∂L/∂X.
func (m *MaxPool2d) backwardShared(dy *tensor.Tensor) *tensor.Tensor {
	g := m.backwardGeom("MaxPool2d", dy)
	p := sharedPasses.Get()
	p.pool, p.g, p.in, p.backward = m, g, dy.Data, true
	p.run(g.n*g.c, g.h*g.w)
	return m.dx
}

// colPass is im2col (pieces: the rows of X_col) or col2im (pieces: the
// channels of ∂L/∂X) of a chunk of images as share's pass.
type colPass struct {
	job    spanJob
	g      convGeom
	x, col []float64 // X and X_col, or ∂L/∂X and ∂L/∂X_col
	back   bool      // col2im
}

func (p *colPass) span(lo, hi int) {
	if p.back {
		col2imChannels(p.g, p.col, p.x, lo, hi)
	} else {
		im2colRows(p.g, p.x, p.col, lo, hi)
	}
}

// shareCols runs im2col(g, x, col), or with back col2im(g, col, x),
// shared between the cores.
func (c *Conv2d) shareCols(g convGeom, x, col []float64, back bool) {
	p := &c.cols
	p.g, p.x, p.col, p.back = g, x, col, back
	kk, np := g.c*g.k*g.k, g.n*g.ho*g.wo
	if back {
		share(&p.job, p, g.c, kk/g.c*np)
	} else {
		share(&p.job, p, kk, np)
	}
	p.x, p.col = nil, nil
}
