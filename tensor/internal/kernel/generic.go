package kernel

// Generic is the portable micro-kernel in pure Go.
//
// Go keeps float64 scalars in registers, and amd64 gives it only 15 of
// them, so it cannot hold all 48 accumulators of a 6×8 tile. Instead it
// walks the tile in 3×2 blocks: 6 accumulators, 3 elements of A and 2 of B
// in registers (larger blocks measured slower: the compiler spills them),
// and runs over the whole of k for each block. The panels are small enough
// (see package tensor) to stay in the L1 cache between these passes.
func Generic(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	if k > 0 {
		b = b[:(k-1)*ldb+NR]
	} else {
		b = nil // no steps: C = beta·C
	}
	_ = c[(MR-1)*ldc+NR-1]
	for i := 0; i < MR; i += 3 {
		for j := 0; j < NR; j += 2 {
			var c00, c01, c10, c11, c20, c21 float64
			for ia, ib := i*rsa, j; ib < len(b); ia, ib = ia+csa, ib+ldb {
				a0, a1, a2 := a[ia], a[ia+rsa], a[ia+2*rsa]
				bp := b[ib : ib+2 : ib+2]
				b0, b1 := bp[0], bp[1]
				c00 += a0 * b0
				c01 += a0 * b1
				c10 += a1 * b0
				c11 += a1 * b1
				c20 += a2 * b0
				c21 += a2 * b1
			}
			store2(c[i*ldc+j:], alpha, beta, c00, c01)
			store2(c[(i+1)*ldc+j:], alpha, beta, c10, c11)
			store2(c[(i+2)*ldc+j:], alpha, beta, c20, c21)
		}
	}
}

// store2 writes alpha·s + beta·c into two consecutive elements of c,
// ignoring c when beta == 0. alpha·s is rounded on its own, as in the
// assembly kernels: float64() stops the compiler from fusing it into the
// sum where it would (on arm64).
func store2(c []float64, alpha, beta, s0, s1 float64) {
	c = c[:2]
	if beta == 0 {
		c[0], c[1] = alpha*s0, alpha*s1
		return
	}
	c[0] = float64(alpha*s0) + beta*c[0]
	c[1] = float64(alpha*s1) + beta*c[1]
}
