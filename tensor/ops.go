package tensor

import (
	"fmt"
	"runtime"

	"github.com/backprop-go/backprop/internal/parallel"
)

// Zero sets every element of t to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// Fill sets every element of t to v.
func (t *Tensor) Fill(v float64) {
	for i := range t.Data {
		t.Data[i] = v
	}
}

// CopyFrom copies u's elements into t. The shapes must match.
func (t *Tensor) CopyFrom(u *Tensor) {
	notNil("CopyFrom", "source", u)
	mustSame("CopyFrom", t, u)
	copy(t.Data, u.Data)
}

// Scale multiplies every element of t by s.
func (t *Tensor) Scale(s float64) {
	for i := range t.Data {
		t.Data[i] *= s
	}
}

// Axpy computes y += alpha·x element-wise (the BLAS name: "a x plus y").
// An SGD step is Axpy(-lr, grad, param).
func Axpy(alpha float64, x, y *Tensor) {
	notNil("Axpy", "x", x)
	notNil("Axpy", "y", y)
	mustSame("Axpy", x, y)
	yd := y.Data[:len(x.Data)]
	for i, v := range x.Data {
		yd[i] += float64(alpha * v) // float64(): rounded, never fused with the sum (arm64 would)
	}
}

// AxpyZero computes y += alpha·x and then sets x to zero, in one pass over
// both. It is the plain SGD update with the gradient reset fused in,
// θ ← θ − lr·g; g ← 0, as AxpyZero(-lr, g, θ): Axpy followed by x.Zero()
// would read x twice and write it once more. Each y[i] gets exactly the
// arithmetic of Axpy (a product, then a sum; no fused multiply-add), so
// the two ways give the same bits. x and y must not share memory.
//
// A large x (at least 64K elements with 2 goroutines) is updated in
// parallel, in contiguous ranges, by the workers of the matrix product.
// Each element's arithmetic is the same, so the result is too.
func AxpyZero(alpha float64, x, y *Tensor) {
	mustSame("AxpyZero", x, y)
	if overlaps(x.Data, y.Data) {
		panic(fmt.Sprintf("tensor: AxpyZero: x and y share memory (shapes %v)", x.Shape))
	}
	parts := max(1, min(runtime.GOMAXPROCS(0), parallel.MaxParts, len(x.Data)/minElemsPerPart))
	if parts <= 1 {
		job := axpyJob{alpha: alpha, x: x.Data, y: y.Data}
		job.Whole()
		return
	}
	job := axpyJobs.Get()
	*job = axpyJob{alpha: alpha, x: x.Data, y: y.Data}
	// 8 flops per element: AxpyZero is bound by memory and takes about as
	// long per element as 8 floating-point operations of a product.
	parallel.Run(job, parts, 8*float64(len(x.Data)))
	*job = axpyJob{} // drop references to the caller's slices
	axpyJobs.Put(job)
}

var axpyJobs parallel.Recycler[axpyJob]

// minElemsPerPart is the least number of elements worth a part of their
// own in AxpyZero: some 10 µs of one core's time, well above the cost of
// handing a part to a spinning worker.
const minElemsPerPart = 1 << 15

// axpyJob is AxpyZero on slices, a part at a time.
type axpyJob struct {
	alpha float64
	x, y  []float64
}

// Whole updates all of x and y.
func (j *axpyJob) Whole() { j.Part(0, 1) }

// Part updates the i-th of parts equal ranges, on 8-element (64-byte)
// borders so that two parts never share a cache line.
func (j *axpyJob) Part(i, parts int) {
	blocks := (len(j.x) + 7) / 8
	lo, hi := min(i*blocks/parts*8, len(j.x)), min((i+1)*blocks/parts*8, len(j.x))
	x, y := j.x[lo:hi], j.y[lo:hi]
	y = y[:len(x)]
	for k, v := range x {
		y[k] += float64(j.alpha * v) // as in Axpy: no fused multiply-add
		x[k] = 0
	}
}

// AddRowVector adds the vector v to every row of the 2-D tensor t:
// t[i,j] += v[j]. This is the "+ b" of Z = A·Wᵀ + b, broadcast over the batch.
func AddRowVector(t *Tensor, v []float64) {
	t.must2D("AddRowVector")
	if len(v) != t.Shape[1] {
		panic(fmt.Sprintf("tensor: AddRowVector: vector of length %d does not fit rows of shape %v", len(v), t.Shape))
	}
	c := t.Shape[1]
	for i := 0; i < t.Shape[0]; i++ {
		row := t.Data[i*c : (i+1)*c]
		for j := range row {
			row[j] += v[j]
		}
	}
}

// SumRows adds up the rows of the 2-D tensor t into dst: dst[j] += Σᵢ t[i,j].
// It accumulates, so zero dst first for a plain sum. This is ∂L/∂b = Σ δ
// over the batch.
func SumRows(dst []float64, t *Tensor) {
	t.must2D("SumRows")
	if len(dst) != t.Shape[1] {
		panic(fmt.Sprintf("tensor: SumRows: destination of length %d does not fit rows of shape %v", len(dst), t.Shape))
	}
	c := t.Shape[1]
	for i := 0; i < t.Shape[0]; i++ {
		row := t.Data[i*c : (i+1)*c]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// ArgmaxRows stores in dst[i] the column of the largest element of row i
// (the first one on ties) and returns dst; a nil or short dst is grown.
// For logits it gives the predicted class of each sample.
//
// A NaN counts as larger than any number, so a row holding NaNs gives the
// column of its first NaN, wherever it is (as NumPy's argmax does). With a
// plain v > best comparison a NaN would win only in column 0, since no
// comparison with NaN is true.
func ArgmaxRows(dst []int, t *Tensor) []int {
	t.must2D("ArgmaxRows")
	r, c := t.Shape[0], t.Shape[1]
	if cap(dst) < r {
		dst = make([]int, r)
	}
	dst = dst[:r]
	for i := 0; i < r; i++ {
		dst[i] = argmax(t.Data[i*c : (i+1)*c])
	}
	return dst
}

// argmax returns the index of the first largest value of row, or of its
// first NaN; 0 for an empty row.
func argmax(row []float64) int {
	best := 0
	for j, v := range row {
		if v != v { // NaN
			return j
		}
		if v > row[best] {
			best = j
		}
	}
	return best
}

// notNil panics, naming op and the operand, if t is nil, instead of a
// nil-pointer dereference deep inside op.
func notNil(op, name string, t *Tensor) {
	if t == nil {
		panic(fmt.Sprintf("tensor: %s: %s is nil", op, name))
	}
}

func mustSame(op string, a, b *Tensor) {
	if !a.SameShape(b) {
		panic(fmt.Sprintf("tensor: %s: shapes differ: %v and %v", op, a.Shape, b.Shape))
	}
}
