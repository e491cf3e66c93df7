package kernel

// Generic is the portable micro-kernel in pure Go: the kernel of every
// architecture but amd64 and arm64, and of those two under the build tag
// purego.
//
// Go keeps a float64 in a register only as a scalar, and amd64 gives the
// compiler 15 registers for them, far fewer than the 48 sums of a 6×8
// tile. So Generic walks the tile in 3×2 blocks, each kept in registers
// for the whole of k (six sums, three values of A, two of B; larger
// blocks measured slower, the compiler spills them), and the panels stay
// in the L1 cache between the eight passes.
//
// The loop over p takes four steps at a time, written out, so that the
// loop's own work (counting, moving the indices on, checking them) is paid
// once per 24 multiply-adds, not per 6. In the two layouts of A that
// package tensor passes, A read in place (csa == 1) and A packed (rsa ==
// 1, csa == MR), the compiler checks no index of A inside the loop: it
// reads three rows whose length it has checked once, or 3·MR+3
// consecutive values per four steps. B costs one check per step. Each
// step is its own statements, in order: the compiler schedules a block's
// instructions by source line, and one function for the step, inlined,
// would put every load first and spill them. The last k%4 steps, and A
// with other strides, take a plain loop.
//
// Every sum runs over p = 0, 1, …, k-1 in order. On amd64 a step is a
// multiplication and an addition, each rounded; on architectures with a
// fused multiply-add (arm64 among them) the compiler fuses the two.
func Generic(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	if k <= 0 {
		// No steps: C = alpha·0 + beta·C.
		for i := 0; i < MR; i++ {
			for j := 0; j < NR; j += 2 {
				store2(c[i*ldc+j:], alpha, beta, 0, 0)
			}
		}
		return
	}
	if rsa < 0 || csa < 0 || ldb < NR || ldc < NR {
		panic("kernel: negative stride, ldb < NR or ldc < NR")
	}
	_ = a[(MR-1)*rsa+(k-1)*csa]
	b = b[:(k-1)*ldb+NR]
	_ = c[(MR-1)*ldc+NR-1]
	for i := 0; i < MR; i += 3 {
		for j := 0; j < NR; j += 2 {
			var c00, c01, c10, c11, c20, c21 float64
			var a0, a1, a2, b0, b1 float64
			p, ib := 0, j
			switch {
			case csa == 1: // A in place: rows i, i+1, i+2
				r0 := a[i*rsa:][:k]
				r1 := a[(i+1)*rsa:][:len(r0)]
				r2 := a[(i+2)*rsa:][:len(r0)]
				for ; p < len(r0)-3; p, ib = p+4, ib+4*ldb {
					q0 := b[ib : ib+2 : ib+2]
					q1 := b[ib+ldb : ib+ldb+2 : ib+ldb+2]
					q2 := b[ib+2*ldb : ib+2*ldb+2 : ib+2*ldb+2]
					q3 := b[ib+3*ldb : ib+3*ldb+2 : ib+3*ldb+2]
					a0, a1, a2 = r0[p], r1[p], r2[p]
					b0, b1 = q0[0], q0[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
					a0, a1, a2 = r0[p+1], r1[p+1], r2[p+1]
					b0, b1 = q1[0], q1[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
					a0, a1, a2 = r0[p+2], r1[p+2], r2[p+2]
					b0, b1 = q2[0], q2[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
					a0, a1, a2 = r0[p+3], r1[p+3], r2[p+3]
					b0, b1 = q3[0], q3[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
				}
			case rsa == 1 && csa == MR: // A packed: steps MR values apart
				for ; p < k-3; p, ib = p+4, ib+4*ldb {
					ap := a[p*MR+i:][:3*MR+3]
					q0 := b[ib : ib+2 : ib+2]
					q1 := b[ib+ldb : ib+ldb+2 : ib+ldb+2]
					q2 := b[ib+2*ldb : ib+2*ldb+2 : ib+2*ldb+2]
					q3 := b[ib+3*ldb : ib+3*ldb+2 : ib+3*ldb+2]
					a0, a1, a2 = ap[0], ap[1], ap[2]
					b0, b1 = q0[0], q0[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
					a0, a1, a2 = ap[1*MR], ap[1*MR+1], ap[1*MR+2]
					b0, b1 = q1[0], q1[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
					a0, a1, a2 = ap[2*MR], ap[2*MR+1], ap[2*MR+2]
					b0, b1 = q2[0], q2[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
					a0, a1, a2 = ap[3*MR], ap[3*MR+1], ap[3*MR+2]
					b0, b1 = q3[0], q3[1]
					c00 += a0 * b0
					c01 += a0 * b1
					c10 += a1 * b0
					c11 += a1 * b1
					c20 += a2 * b0
					c21 += a2 * b1
				}
			}
			for ia := i*rsa + p*csa; p < k; p, ia, ib = p+1, ia+csa, ib+ldb {
				a0, a1, a2 = a[ia], a[ia+rsa], a[ia+2*rsa]
				b0, b1 = b[ib], b[ib+1]
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
