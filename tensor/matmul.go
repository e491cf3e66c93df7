package tensor

import (
	"fmt"
	"unsafe"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/tensor/internal/kernel"
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C in place, where op(X) is X,
// or Xᵀ when the matching trans flag is set. All three are 2-D tensors.
// With beta == 0 the old contents of C are ignored (even NaNs). As in BLAS,
// alpha == 0 (or an inner dimension of 0) skips the product altogether and
// only scales C by beta, so A and B are then not read: NaNs in them do not
// reach C.
//
// It panics, naming the operation and the shapes, if they do not fit.
func Gemm(transA, transB bool, alpha float64, a, b *Tensor, beta float64, c *Tensor) {
	notNil("Gemm", "A", a)
	notNil("Gemm", "B", b)
	notNil("Gemm", "C", c)
	m, k, n := gemmShapes("Gemm", transA, transB, a, b, c)
	checkAlias("Gemm", a, b, c)
	gemm(transA, transB, m, n, k, alpha, a.Data, b.Data, beta, c.Data)
}

// MatMul stores A·B in dst and returns it. If dst is nil a new tensor is
// allocated; passing the same dst every step is how training avoids
// allocating.
func MatMul(dst, a, b *Tensor) *Tensor { return product("MatMul", false, false, dst, a, b) }

// MatMulATB stores Aᵀ·B in dst without forming Aᵀ, and returns it.
// Backprop uses it for weight gradients: ∂L/∂W = Δᵀ·A.
func MatMulATB(dst, a, b *Tensor) *Tensor { return product("MatMulATB", true, false, dst, a, b) }

// MatMulABT stores A·Bᵀ in dst without forming Bᵀ, and returns it.
// A Linear layer's forward pass is Z = A·Wᵀ.
func MatMulABT(dst, a, b *Tensor) *Tensor { return product("MatMulABT", false, true, dst, a, b) }

func product(op string, transA, transB bool, dst, a, b *Tensor) *Tensor {
	notNil(op, "A", a)
	notNil(op, "B", b)
	if a.Dims() != 2 || b.Dims() != 2 {
		panic(fmt.Sprintf("tensor: %s: need 2-D tensors, have shapes %v and %v", op, a.Shape, b.Shape))
	}
	m, n := a.Shape[0], b.Shape[1]
	if transA {
		m = a.Shape[1]
	}
	if transB {
		n = b.Shape[0]
	}
	if dst == nil {
		dst = New(m, n)
	}
	m, k, n := gemmShapes(op, transA, transB, a, b, dst)
	checkAlias(op, a, b, dst)
	gemm(transA, transB, m, n, k, 1, a.Data, b.Data, 0, dst.Data)
	return dst
}

// gemmShapes checks that op(A) is m×k, op(B) is k×n and C is m×n.
func gemmShapes(op string, transA, transB bool, a, b, c *Tensor) (m, k, n int) {
	if a.Dims() != 2 || b.Dims() != 2 || c.Dims() != 2 {
		panic(fmt.Sprintf("tensor: %s: need 2-D tensors, have shapes %v, %v and %v", op, a.Shape, b.Shape, c.Shape))
	}
	m, k = a.Shape[0], a.Shape[1]
	if transA {
		m, k = k, m
	}
	kb, n := b.Shape[0], b.Shape[1]
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		panic(fmt.Sprintf("tensor: %s: inner dimensions differ: %s%v and %s%v", op, tname("A", transA), a.Shape, tname("B", transB), b.Shape))
	}
	if c.Shape[0] != m || c.Shape[1] != n {
		panic(fmt.Sprintf("tensor: %s: destination has shape %v, want [%d %d] for %s%v · %s%v", op, c.Shape, m, n, tname("A", transA), a.Shape, tname("B", transB), b.Shape))
	}
	return m, k, n
}

// checkAlias panics if C shares memory with A or B: the product reads A and
// B in blocks while it writes C, so an overlap would silently give a wrong
// answer.
func checkAlias(op string, a, b, c *Tensor) {
	if overlaps(c.Data, a.Data) || overlaps(c.Data, b.Data) {
		panic(fmt.Sprintf("tensor: %s: destination %v shares memory with an operand (A%v, B%v)", op, c.Shape, a.Shape, b.Shape))
	}
}

// overlaps reports whether two slices share any element.
func overlaps(x, y []float64) bool {
	if len(x) == 0 || len(y) == 0 {
		return false
	}
	const size = unsafe.Sizeof(float64(0))
	x0, y0 := uintptr(unsafe.Pointer(&x[0])), uintptr(unsafe.Pointer(&y[0]))
	return x0 < y0+uintptr(len(y))*size && y0 < x0+uintptr(len(x))*size
}

func tname(x string, trans bool) string {
	if trans {
		return x + "ᵀ"
	}
	return x
}

// kernelSet is a micro-kernel with its narrow twins and its strip version
// (nil when it has none).
type kernelSet struct {
	tile, cols10, rows10 kernel.Func
	strip                kernel.StripFunc
}

// namedKernels returns the kernel named name (a key of kernel.Available)
// with its twins.
func namedKernels(name string) kernelSet {
	cols10, rows10 := kernel.Narrow(name)
	return kernelSet{kernel.Available()[name], cols10, rows10, kernel.Strip(name)}
}

// fastKernels is what gemm runs: kernel.Fast, its twins and its strips.
var fastKernels = namedKernels(kernel.FastName)

// gemm is the kernel entry point on raw row-major slices:
// C (m×n) = alpha·op(A)·op(B) + beta·C, with op(A) m×k and op(B) k×n.
// A is stored m×k (or k×m if transA), B is k×n (or n×k if transB).
// It is the blocked, packed algorithm of gemm.go with the fastest
// micro-kernel for this machine (kernel.Fast, with its twins and strips:
// fastKernels), run in parallel for large products (parallel.go).
func gemm(transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	gemmWith(fastKernels, false, transA, transB, m, n, k, alpha, a, b, beta, c)
}

// gemmStep is gemm for the step of gemmSGD, W ← W − lr·op(A)·op(B) with C
// = W, which is always cut into row ranges of W when it is shared. W's
// next reader is the layer's forward product Z = A·Wᵀ, cut into column
// ranges of Z, that is the same row ranges of W: each core then packs the
// rows of W it has just updated, from its own cache. Measured on the Zen 4
// machine by bench/compare.sh, against the cut partition would choose for
// the homework's first layer's step (column ranges of W), 2-thread epochs
// × 0.94 for 784-128-10 and × 0.97–0.99 for 784-256-128-10.
func gemmStep(transA, transB bool, m, n, k int, alpha float64, a, b []float64, c []float64) {
	gemmWith(fastKernels, true, transA, transB, m, n, k, alpha, a, b, 1, c)
}

// NaiveGemm is the reference kernel: the textbook triple loop, one dot
// product per output element, summed in order p = 0, 1, …, k-1. It is slow
// and obviously correct; tests compare every fast kernel against it.
// It computes C = alpha·op(A)·op(B) + beta·C on raw row-major slices, with
// C m×n, op(A) m×k and op(B) k×n: a is stored m×k (k×m if transA), b k×n
// (n×k if transB). With beta == 0 the old C is not read.
func NaiveGemm(transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var x, y float64
				if transA {
					x = a[p*m+i]
				} else {
					x = a[i*k+p]
				}
				if transB {
					y = b[j*k+p]
				} else {
					y = b[p*n+j]
				}
				s += x * y
			}
			if beta == 0 {
				c[i*n+j] = alpha * s
			} else {
				c[i*n+j] = alpha*s + beta*c[i*n+j]
			}
		}
	}
}

func init() {
	fused.GemmSGD = gemmSGD
	fused.KBlock = kBlock
}

// gemmSGD is fused.GemmSGD: W ← W − lr·op(A)·op(B) as one product into W
// (C = W, alpha = −lr, beta = 1), without storing the gradient, with the
// bits of
//
//	gemm(transA, transB, m, n, k, 1, a, b, 1, g) // g = op(A)·op(B), from zero
//	AxpyZero(-lr, g, w)                          // W −= lr·g, then g = 0
//
// The kernel rounds alpha·Σ to a float64 and adds it to W with one more
// rounding, which is exactly what AxpyZero does with −lr·g, and Σ is the g
// that gemm would have stored, when the sum over k is a single k-block: k
// at most 256, a batch of up to 256 rows for a weight gradient. For a
// longer k, where gemm adds the blocks' sums into g one after another,
// gemmSGD runs the two lines above. g must be zero; it is left zero.
func gemmSGD(transA, transB bool, m, n, k int, lr float64, a, b, g, w []float64) {
	if overlaps(w, a) || overlaps(w, b) || overlaps(w, g) {
		panic(fmt.Sprintf("tensor: GemmSGD: W (%d×%d) shares memory with an operand", m, n))
	}
	if kBlock(k) < k {
		gemm(transA, transB, m, n, k, 1, a, b, 1, g)
		AxpyZero(-lr, &Tensor{Data: g[:m*n], Shape: []int{m, n}}, &Tensor{Data: w[:m*n], Shape: []int{m, n}})
		return
	}
	gemmStep(transA, transB, m, n, k, -lr, a, b, w)
}
