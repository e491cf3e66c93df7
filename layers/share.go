package layers

import (
	"runtime"

	"github.com/backprop-go/backprop/internal/parallel"
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
// ReLU and MaxPool2d could share their elements and image planes the same
// way, but cmd/kit hands their code out to students as it is, helpers
// included, into a module that cannot import internal packages; they stay
// on one core.

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
	values := n * perPiece
	parts := min(runtime.GOMAXPROCS(0), n, parallel.MaxParts, values/minSharedValues)
	if parts <= 1 {
		pass.span(0, n)
		return
	}
	*job = spanJob{pass: pass, n: n}
	parallel.Run(job, parts, 8*float64(values))
	*job = spanJob{}
}
