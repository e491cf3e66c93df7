// Package kernel holds the micro-kernel of the tensor package's matrix
// product: the innermost piece of code, which multiplies one packed
// MR×k panel of A by one packed k×NR panel of B into an MR×NR tile of C.
//
// Everything else in the product (blocking for the caches, packing,
// splitting work across goroutines) lives in package tensor and is plain Go.
// Only this kernel differs between machines: on amd64 processors with AVX2
// and FMA it is written in assembly (one YMM register holds four float64s,
// and VFMADD231PD does four multiply-adds per instruction), and on those
// with AVX-512 in assembly using the 512-bit ZMM registers (eight float64s);
// on arm64 it is written in assembly with NEON (two float64s per register,
// FMLA); everywhere else, and under the build tag purego, it is [Generic].
//
// # Layout
//
// A packed B panel holds, for each p = 0, 1, …, k-1, the NR values of row
// p: b[p*NR+j] = B[p,j]. It is read front to back exactly once, which is what
// makes the loop fast: memory is streamed, never jumped over. B is read
// through a row stride, b[p*ldb+j] = B[p,j], so the kernel can also read NR
// columns of a row-major B where they lie (ldb = its row length): package
// tensor does that when packing would cost more than it saves.
//
// A is read through two strides: A[i,p] = a[i*rsa+p*csa]. A packed A panel
// (the MR values of each column one after another) has rsa = 1, csa = MR; a
// row-major matrix read in place has rsa = its row length, csa = 1; a
// transposed one has rsa = 1, csa = its row length. At each step p the
// kernel needs only MR scalars of A, which it broadcasts, so A is cheap to
// read in place; B's NR values are loaded as vectors and must be contiguous.
package kernel

// MR and NR are the tile shape: a micro-kernel computes MR rows by NR
// columns of C at once. 6×8 is the classic choice for AVX2 (the BLIS
// "haswell" kernel uses it too): the 6×8 = 48 accumulators fill 12 of the
// 16 YMM registers, leaving two for a row of B and two for broadcast
// elements of A, and 12 independent FMA chains hide the FMA latency
// (4 cycles, 2 units: at least 8 chains are needed).
const (
	MR = 6
	NR = 8
)

// Func is the signature of a micro-kernel. It computes, for i < MR, j < NR,
//
//	c[i*ldc+j] = alpha·Σ_p a[i*rsa+p*csa]·b[p*ldb+j] + beta·c[i*ldc+j]
//
// summing p = 0, 1, …, k-1 in order. When beta == 0 the old value of c is
// not read at all, so NaNs in it do not leak into the result.
//
// ldb and ldc must be at least NR; a packed panel has ldb = NR.
type Func func(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int)

// Fast is the fastest micro-kernel for this machine, chosen once at start-up
// from what the CPU and the operating system support: on amd64 AVX512, else
// AVX2 (which needs FMA too), else [Generic]; on arm64 NEON; elsewhere, and
// under the build tag purego, Generic.
var Fast Func = Generic

// FastName names the kernel behind [Fast]: "avx512", "avx2-fma", "neon" or
// "generic".
var FastName = "generic"

// Available returns the micro-kernels this machine can run, by name:
// "generic" always, and the assembly kernels the CPU supports.
func Available() map[string]Func {
	m := map[string]Func{"generic": Generic}
	addAsm(m)
	return m
}

// Wide is the other side of the two narrow tiles, 6×Wide and Wide×8: the
// ten classes of an output layer (MNIST, FashionMNIST, CIFAR-10). Its
// products have 10 columns (the forward pass, Z = A·Wᵀ) or 10 rows (the
// weight gradient, Δᵀ·A), and tiles of 6×8 would spend 3/8 of their work
// on the padding of the second 8-wide panel (or 1/6 on a padded
// 6-row one).
const Wide = 10

// Narrow returns the twins of the kernel named name (a key of
// [Available]) for tiles of MR×Wide and Wide×NR, or nil for a shape it has
// no twin for. A twin has the signature of [Func] with the tile's shape in
// place of MR×NR, and computes every element of C with the very operations,
// in the very order, that the kernel itself uses: a product gives the same
// bits whichever of them computed which tile. Only the AVX-512 kernel has
// twins (its 32 registers hold the larger tiles' accumulators).
func Narrow(name string) (cols10, rows10 Func) { return narrowTwins(name) }

// A StripFunc runs a micro-kernel over panels tiles side by side: tile j
// multiplies the same MR×k panel of A by the panel of B that starts at
// b[j*bstep:] into the tile of C at c[j*NR:], exactly as the kernel called
// once per tile would. Calling the kernel costs a few dozen cycles beside
// its 6·k cycles of multiply-adds, which matters when k is short (the
// output layer's input gradient has k = 10); a strip pays it once.
type StripFunc func(panels, bstep, k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int)

// Strip returns the strip version of the kernel named name, or nil when it
// has none (only the AVX-512 kernel has one).
func Strip(name string) StripFunc { return strip(name) }
