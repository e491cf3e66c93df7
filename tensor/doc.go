// Package tensor provides the dense arrays and the matrix products that
// the rest of backprop is built on.
//
// # Tensors
//
// A [Tensor] is a flat []float64 plus a shape. Storage is row-major: the
// element (i, j) of a 2-D tensor with shape [r, c] is Data[i*c+j], so a row
// is a contiguous run of c values and [Tensor.Row] can return it without
// copying. [Tensor.Reshape] reinterprets the same data with another shape.
// Data is exported so that layers, losses and students can write the
// arithmetic as plain loops.
//
// A batch of B samples with d features each is a B×d tensor, one sample per
// row. This is why the code looks transposed compared with the course
// notation.
//
// # Three products, and why backprop needs them
//
// The homework writes a Linear layer for one sample a ∈ ℝᵈ as z = W a + b,
// with W of shape m×d. Stacking a batch of samples as the rows of A (B×d)
// and their outputs as the rows of Z (B×m) turns this into
//
//	Z = A·Wᵀ + b        (b added to every row)
//
// which is [MatMulABT]: A times the transpose of W, without forming Wᵀ.
//
// Backward, the layer receives Δ = ∂L/∂Z (B×m, row s is δ for sample s).
// For one sample, ∂L/∂W = δ aᵀ and ∂L/∂a = Wᵀ δ. Summed over the batch
// and written with rows:
//
//	∂L/∂W = Σ_s δ_s a_sᵀ = Δᵀ·A    (m×d)   MatMulATB
//	∂L/∂A = Δ·W                    (B×d)   MatMul
//	∂L/∂b = Σ_s δ_s                (m)     SumRows
//
// So one training step needs all three forms A·B, Aᵀ·B and A·Bᵀ. All are
// instances of [Gemm], C = alpha·op(A)·op(B) + beta·C, the BLAS routine of
// the same name. [NaiveGemm] is its textbook definition, kept as the
// reference every fast kernel is tested against.
//
// Plain SGD uses ∂L/∂W only to move W, W ← W − lr·∂L/∂W, so the weight
// gradient need not be stored at all: with C = W, alpha = −lr and beta = 1,
// Gemm computes W − lr·Δᵀ·A in place. Package train's training step does
// that (through an internal package: it is speed, not maths), with the
// bits of the gradient product followed by [AxpyZero], and saves the passes
// over ∂L/∂W that writing it, reading it back and zeroing it cost.
//
// # How the product is computed
//
// The product is cache-blocked (Goto and van de Geijn, "Anatomy of
// high-performance matrix multiplication", 2008; the BLIS design):
//
//   - C is computed in tiles of 6 rows by 8 columns by a micro-kernel that
//     keeps the 48 sums in registers for the whole inner loop over k.
//   - k is cut into blocks of at most 256, so the slice of B a tile needs
//     (256×8 values, 16 KiB) stays in the L1 cache while the micro-kernel
//     runs across the rows of A, and a block of A (at most 96×256 values,
//     192 KiB) stays in L2 while it is reused for every 8 columns of B.
//   - Before use, each block of op(B) is packed: copied into the exact order
//     the micro-kernel reads it, so the inner loop streams contiguous
//     memory. A transposed B is handled here, by reading it with other
//     strides while packing; no transpose is ever formed. When C has few
//     rows (up to 96, like the homework's batches of 64) a row-major B is
//     read in place instead: each packed value would be used too few
//     times to pay for the copy. The micro-kernel reads A through a row
//     stride and a column stride, so row-major A is used in place and a
//     transposed A (the weight gradient) is packed like B.
//   - On one goroutine, the Linear forward pass Z = A·Wᵀ is computed as
//     Zᵀ = W·Aᵀ when that packs fewer values (the batch instead of the
//     weights), and Zᵀ is written transposed into Z. Each element is the
//     same sum of the same products in the same order, so the bits are the
//     same.
//   - On amd64 the micro-kernel is assembly, chosen at start-up by CPUID:
//     with AVX2 and FMA, each step loads 8 values of B into two 256-bit
//     registers and does 12 fused multiply-adds (VFMADD231PD), 48
//     multiply-adds per step; with AVX-512, a row of the tile fits one
//     512-bit register and each step is 6 wider FMAs. Elsewhere, and when
//     built with -tags purego, the same blocked algorithm runs with a
//     micro-kernel in plain Go.
//   - The AVX-512 kernel has twins for tiles of 6×10 and 10×8, so that the
//     products of a 10-class output layer (10 columns forward, 10 rows in
//     the weight gradient) are not cut into an 8-wide tile and a padded
//     one (narrow.go), and a strip version that runs a row of tiles in
//     one call, for products whose k is too short to pay for a call per
//     tile (the output layer's input gradient, k = 10; see macroStrips).
//     Both compute every element exactly as the kernel does. The 10×8
//     twin also ends a block of rows that is 4 or 2 more than a multiple
//     of 6 (the homework's 64, 128 and 256) in one or two 10-row "tall"
//     panels, where a last panel of 4 or 2 rows would be padded to 6
//     (see tallRows); products cut into row ranges are then cut on even
//     rows, so that the parts do the same work.
//   - Packing a transposed B, and transposing the result of the swapped
//     product, move 8×8 blocks through AVX-512 registers when the CPU has
//     them (kernel.PackRows8, kernel.Transpose8x8).
//
// # Parallelism and determinism
//
// Large products are split across goroutines by cutting C into a fixed
// number of column (or row) ranges on tile borders (or even rows; see
// rowCut); small ones (below about four million floating-point
// operations, such as the homework's 64×128·128×10 output layer) run on
// the calling goroutine. The work goes to long-lived workers, and packing
// buffers are recycled, so a product into a preallocated destination
// allocates nothing. Whether the workers spin between products, park, or
// leave every part to the caller (when another program keeps a core busy,
// one thread is faster than two) is measured while the program runs. The
// workers and that rule live in the module's internal package parallel,
// which package train also uses to cut the small layers of a training step
// into row ranges of the batch.
//
// Every element of C is computed by the same arithmetic whatever the number
// of goroutines: the k-blocks depend only on k, the sum over each block runs
// p = 0, 1, … in order inside one micro-kernel call, and the blocks are
// added in order. Edge tiles run the same micro-kernel on a padded copy
// (or, where C is not read, on the last 6 rows, computing some rows twice
// with the same bits), and the narrow twins, tall panels and strips
// compute each element as the kernel does, so where a part's rows begin
// does not matter either.
// So results are bit-identical for every GOMAXPROCS, and a training run
// with a fixed seed is reproducible on a given machine. (Different kernels
// round differently: the assembly ones fuse multiply and add, and the
// AVX-512 one sums even and odd p separately. They agree to about 1e-15
// relative, not bit for bit, so a machine with another kernel, or a purego
// build, may differ in the last bits.)
//
// Shape mismatches panic with a message naming the operation and the
// shapes, as gonum does.
package tensor
