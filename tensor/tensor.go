package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Tensor is a dense, row-major array of float64 values with a shape.
//
// The element at index (i, j) of a 2-D tensor of shape [r, c] lives at
// Data[i*c+j]. Data is exported on purpose: layers and losses in this
// module read and write it with plain loops, and so can a student.
type Tensor struct {
	// Data holds the elements in row-major order; len(Data) is the product
	// of Shape.
	Data []float64
	// Shape lists the size of each dimension, outermost first.
	Shape []int
}

// New returns a tensor of the given shape filled with zeros.
func New(shape ...int) *Tensor {
	return &Tensor{Data: make([]float64, numel("New", shape)), Shape: cloneInts(shape)}
}

// FromData wraps data (without copying) as a tensor of the given shape.
// It panics if len(data) is not the product of shape.
func FromData(data []float64, shape ...int) *Tensor {
	if n := numel("FromData", shape); n != len(data) {
		panic(fmt.Sprintf("tensor: FromData: %d values do not fill shape %v (%d elements)", len(data), shape, n))
	}
	return &Tensor{Data: data, Shape: cloneInts(shape)}
}

// RandNormal returns a tensor whose elements are drawn from a normal
// distribution with the given mean and standard deviation. All randomness
// comes from rng, so the same seed gives the same tensor.
func RandNormal(rng *rand.Rand, mean, std float64, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.Data {
		t.Data[i] = mean + std*rng.NormFloat64()
	}
	return t
}

// RandUniform returns a tensor whose elements are drawn uniformly from
// [lo, hi) using rng.
func RandUniform(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// Len returns the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Dims returns the number of dimensions.
func (t *Tensor) Dims() int { return len(t.Shape) }

// Rows returns the size of the first dimension of a 2-D tensor.
// It panics if t is not 2-D.
func (t *Tensor) Rows() int { t.must2D("Rows"); return t.Shape[0] }

// Cols returns the size of the second dimension of a 2-D tensor.
// It panics if t is not 2-D.
func (t *Tensor) Cols() int { t.must2D("Cols"); return t.Shape[1] }

// Row returns row i of a 2-D tensor as a slice that shares t's memory.
func (t *Tensor) Row(i int) []float64 {
	t.must2D("Row")
	c := t.Shape[1]
	if i < 0 || i >= t.Shape[0] {
		panic(fmt.Sprintf("tensor: Row: index %d out of range for shape %v", i, t.Shape))
	}
	return t.Data[i*c : (i+1)*c : (i+1)*c]
}

// At returns the element at the given index, one coordinate per dimension.
func (t *Tensor) At(idx ...int) float64 { return t.Data[t.offset("At", idx)] }

// Set stores v at the given index, one coordinate per dimension.
func (t *Tensor) Set(v float64, idx ...int) { t.Data[t.offset("Set", idx)] = v }

// Reshape returns a tensor with a new shape that shares t's data (no copy).
// The product of the new shape must equal t.Len(). One dimension may be -1,
// in which case it is inferred.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = cloneInts(shape)
	infer := -1
	for i, s := range shape {
		switch {
		case s == -1 && infer < 0:
			infer = i
		case s < 0:
			panic(fmt.Sprintf("tensor: Reshape: bad shape %v for shape %v", shape, t.Shape))
		}
	}
	var rest []int // the known sizes
	for i, s := range shape {
		if i != infer {
			rest = append(rest, s)
		}
	}
	known, ok := count(rest)
	if !ok {
		panic(fmt.Sprintf("tensor: Reshape: shape %v overflows: more than %d elements", shape, math.MaxInt))
	}
	if infer >= 0 {
		if known == 0 || len(t.Data)%known != 0 {
			panic(fmt.Sprintf("tensor: Reshape: cannot infer -1 in %v from shape %v", shape, t.Shape))
		}
		shape[infer] = len(t.Data) / known
		known *= shape[infer]
	}
	if known != len(t.Data) {
		panic(fmt.Sprintf("tensor: Reshape: shape %v (%d elements) does not match shape %v (%d elements)", shape, known, t.Shape, len(t.Data)))
	}
	return &Tensor{Data: t.Data, Shape: shape}
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Data: append([]float64(nil), t.Data...), Shape: cloneInts(t.Shape)}
}

// SameShape reports whether t and u have identical shapes.
func (t *Tensor) SameShape(u *Tensor) bool {
	if len(t.Shape) != len(u.Shape) {
		return false
	}
	for i := range t.Shape {
		if t.Shape[i] != u.Shape[i] {
			return false
		}
	}
	return true
}

// String formats small tensors for printing, e.g. in examples.
func (t *Tensor) String() string {
	if len(t.Shape) == 2 {
		s := "["
		for i := 0; i < t.Shape[0]; i++ {
			if i > 0 {
				s += "\n "
			}
			s += fmt.Sprint(t.Row(i))
		}
		return s + "]"
	}
	return fmt.Sprint(t.Data)
}

func (t *Tensor) must2D(op string) {
	if len(t.Shape) != 2 {
		panic(fmt.Sprintf("tensor: %s: need a 2-D tensor, have shape %v", op, t.Shape))
	}
}

func (t *Tensor) offset(op string, idx []int) int {
	if len(idx) != len(t.Shape) {
		panic(fmt.Sprintf("tensor: %s: index %v does not match shape %v", op, idx, t.Shape))
	}
	off := 0
	for d, i := range idx {
		if i < 0 || i >= t.Shape[d] {
			panic(fmt.Sprintf("tensor: %s: index %v out of range for shape %v", op, idx, t.Shape))
		}
		off = off*t.Shape[d] + i
	}
	return off
}

// numel returns the number of elements of shape. It panics, naming op, on
// a negative dimension or a product that overflows int: New(1<<40, 1<<40)
// would otherwise wrap to 0 elements under a shape that claims 2⁸⁰.
func numel(op string, shape []int) int {
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("tensor: %s: negative dimension in shape %v", op, shape))
		}
	}
	n, ok := count(shape)
	if !ok {
		panic(fmt.Sprintf("tensor: %s: shape %v overflows: more than %d elements", op, shape, math.MaxInt))
	}
	return n
}

// count returns the product of the non-negative sizes in shape and whether
// it fits in an int. A 0 anywhere makes it 0, whatever the others are.
func count(shape []int) (n int, ok bool) {
	n, ok = 1, true
	for _, s := range shape {
		if s == 0 {
			return 0, true
		}
		if ok && n > math.MaxInt/s {
			ok = false
		}
		n *= s
	}
	return n, ok
}

func cloneInts(s []int) []int { return append([]int(nil), s...) }

// Resize returns a rows×cols tensor for an output or gradient buffer that
// is filled again on every call, such as a layer's. It reuses t (the
// buffer from the previous call) when its memory is large enough, so a
// training loop allocates only when the batch grows. A smaller batch (the
// last, partial one of an epoch) reslices the same memory, and the next
// full batch fits again without allocating. t may be nil (the first
// call), and the contents of the returned tensor are not cleared: write
// every entry.
func Resize(t *Tensor, rows, cols int) *Tensor {
	n := rows * cols
	if t == nil || cap(t.Data) < n || len(t.Shape) != 2 {
		return New(rows, cols)
	}
	t.Data = t.Data[:n]
	t.Shape[0], t.Shape[1] = rows, cols
	return t
}
