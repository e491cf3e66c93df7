package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

func mustPanicWith(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		msg, _ := recover().(string)
		if !strings.Contains(msg, want) {
			t.Errorf("panic %q, want one mentioning %q", msg, want)
		}
	}()
	f()
}

func TestArgmaxRows(t *testing.T) {
	nan := math.NaN()
	x := FromData([]float64{
		1, 3, 2,
		5, 5, 0, // tie: the first wins
		-1, -3, -2,
		nan, 1, 2, // a NaN is the largest, wherever it is
		1, nan, 2,
		1, 2, nan,
		math.Inf(-1), math.Inf(-1), math.Inf(-1),
	}, 7, 3)
	got := ArgmaxRows(nil, x)
	if want := []int{1, 0, 0, 0, 1, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("ArgmaxRows = %v, want %v", got, want)
	}
	// A large enough dst is reused, a short one grown.
	buf := make([]int, 10)
	if got := ArgmaxRows(buf, x); &got[0] != &buf[0] || len(got) != 7 {
		t.Errorf("ArgmaxRows did not reuse a large enough dst")
	}
	if got := ArgmaxRows(buf[:1:1], x); len(got) != 7 {
		t.Errorf("ArgmaxRows with a short dst returned %d values", len(got))
	}
}

func TestRowVectorOps(t *testing.T) {
	x := FromData([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	AddRowVector(x, []float64{10, 20, 30})
	if want := []float64{11, 22, 33, 14, 25, 36}; !slices.Equal(x.Data, want) {
		t.Errorf("AddRowVector: %v, want %v", x.Data, want)
	}
	sum := []float64{1, 1, 1}
	SumRows(sum, x) // accumulates
	if want := []float64{26, 48, 70}; !slices.Equal(sum, want) {
		t.Errorf("SumRows: %v, want %v", sum, want)
	}
	mustPanicWith(t, "AddRowVector: vector of length 2 does not fit rows of shape [2 3]", func() { AddRowVector(x, []float64{1, 2}) })
	mustPanicWith(t, "SumRows: destination of length 4", func() { SumRows(make([]float64, 4), x) })
}

func TestElementwiseOps(t *testing.T) {
	y := FromData([]float64{1, 2, 3, 4}, 2, 2)
	Axpy(-0.5, FromData([]float64{2, 4, 6, 8}, 2, 2), y)
	if want := []float64{0, 0, 0, 0}; !slices.Equal(y.Data, want) {
		t.Errorf("Axpy: %v, want %v", y.Data, want)
	}
	mustPanicWith(t, "Axpy: shapes differ: [4] and [2 2]", func() { Axpy(1, New(4), y) })
}

// TestAxpyZero checks the fused update against Axpy then Zero, bit for bit,
// on values where a fused multiply-add would round differently.
func TestAxpyZero(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(3, 3))
	// Small ones run serially, the large ones in parts with odd ends.
	shapes := [][]int{{1}, {7}, {64}, {1001}, {128, 784}, {3, 50001}, {200003}}
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, sh := range shapes {
			x, y := RandUniform(rng, -1, 1, sh...), RandUniform(rng, -1, 1, sh...)
			x2, y2 := x.Clone(), y.Clone()
			AxpyZero(-0.1, x, y)
			Axpy(-0.1, x2, y2)
			what := fmt.Sprintf("GOMAXPROCS=%d shape %v: ", procs, sh)
			if !numtest.SameSlices(t, what+"y of AxpyZero against Axpy", y.Data, y2.Data) ||
				!numtest.SameSlices(t, what+"x after AxpyZero", x.Data, make([]float64, len(x.Data))) {
				t.FailNow()
			}
		}
		x, y := New(128, 784), New(128, 784)
		if n := testing.AllocsPerRun(20, func() { AxpyZero(0.5, x, y) }); n != 0 && !raceEnabled {
			t.Errorf("GOMAXPROCS=%d: AxpyZero allocates %v times per call", procs, n)
		}
	}
	y := New(2, 2)
	mustPanicWith(t, "AxpyZero: shapes differ: [4] and [2 2]", func() { AxpyZero(1, New(4), y) })
	mustPanicWith(t, "AxpyZero: x and y share memory", func() { AxpyZero(1, y, y) })
	y.Fill(3)
	y.Scale(2)
	if want := []float64{6, 6, 6, 6}; !slices.Equal(y.Data, want) {
		t.Errorf("Fill and Scale: %v, want %v", y.Data, want)
	}
	z := New(2, 2)
	z.CopyFrom(y)
	y.Zero()
	if !slices.Equal(z.Data, []float64{6, 6, 6, 6}) || !slices.Equal(y.Data, []float64{0, 0, 0, 0}) {
		t.Errorf("CopyFrom then Zero: copy %v, original %v", z.Data, y.Data)
	}
	mustPanicWith(t, "CopyFrom: shapes differ", func() { z.CopyFrom(New(4, 1)) })
}

func TestTensorBasics(t *testing.T) {
	x := FromData([]float64{0, 1, 2, 3, 4, 5}, 2, 3)
	if x.At(1, 2) != 5 || x.Rows() != 2 || x.Cols() != 3 || x.Len() != 6 || x.Dims() != 2 {
		t.Errorf("At/Rows/Cols/Len/Dims wrong for %v", x)
	}
	x.Set(9, 0, 1)
	if x.Data[1] != 9 {
		t.Errorf("Set(9, 0, 1) wrote %v", x.Data)
	}
	x.Row(1)[0] = 7 // Row shares memory
	if x.Data[3] != 7 {
		t.Errorf("Row does not share memory: %v", x.Data)
	}
	r := x.Reshape(3, -1)
	if !slices.Equal(r.Shape, []int{3, 2}) || &r.Data[0] != &x.Data[0] {
		t.Errorf("Reshape(3, -1) gave shape %v (shared %v)", r.Shape, &r.Data[0] == &x.Data[0])
	}
	c := x.Clone()
	c.Data[0] = 42
	if x.Data[0] == 42 {
		t.Error("Clone shares memory")
	}
	shape := []int{2, 3}
	y := New(shape...)
	shape[0] = 5 // New copies the shape
	if y.Shape[0] != 2 {
		t.Error("New kept the caller's shape slice")
	}
	mustPanicWith(t, "FromData: 5 values do not fill shape [2 3]", func() { FromData(make([]float64, 5), 2, 3) })
	mustPanicWith(t, "Reshape: shape [4 2] (8 elements) does not match", func() { x.Reshape(4, 2) })
	mustPanicWith(t, "Reshape: cannot infer -1", func() { x.Reshape(4, -1) })
	mustPanicWith(t, "Reshape: bad shape [-1 -1]", func() { x.Reshape(-1, -1) })
	mustPanicWith(t, "At: index [2 0] out of range for shape [2 3]", func() { x.At(2, 0) })
	mustPanicWith(t, "Set: index [0] does not match shape [2 3]", func() { x.Set(1, 0) })
	mustPanicWith(t, "Row: index 2 out of range", func() { x.Row(2) })
	mustPanicWith(t, "New: negative dimension", func() { New(2, -1) })
	mustPanicWith(t, "Rows: need a 2-D tensor", func() { New(6).Rows() })
}

// A shape whose element count overflows int and a nil operand panic with a
// named message, like every other shape error (issue #9, case 7).
func TestShapeOverflowAndNilPanic(t *testing.T) {
	mustPanicWith(t, "tensor: New: shape [1099511627776 1099511627776] overflows", func() { New(1<<40, 1<<40) })
	mustPanicWith(t, "tensor: FromData: shape [4294967296 4294967296 4] overflows", func() { FromData(nil, 1<<32, 1<<32, 4) })
	mustPanicWith(t, "tensor: Reshape: shape [1099511627776 1099511627776] overflows", func() { New(0).Reshape(1<<40, 1<<40) })
	if n := New(1<<40, 1<<40, 0).Len(); n != 0 { // a 0 makes the product 0: no overflow
		t.Errorf("New(2⁴⁰, 2⁴⁰, 0) has %d elements", n)
	}
	b := New(2, 2)
	mustPanicWith(t, "tensor: MatMul: A is nil", func() { MatMul(nil, nil, b) })
	mustPanicWith(t, "tensor: MatMul: B is nil", func() { MatMul(nil, b, nil) })
	mustPanicWith(t, "tensor: MatMulABT: A is nil", func() { MatMulABT(nil, nil, nil) })
	mustPanicWith(t, "tensor: Gemm: C is nil", func() { Gemm(false, false, 1, b, b, 0, nil) })
	mustPanicWith(t, "tensor: Axpy: x is nil", func() { Axpy(1, nil, b) })
	mustPanicWith(t, "tensor: CopyFrom: source is nil", func() { b.CopyFrom(nil) })
}
