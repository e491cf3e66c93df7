//go:build !purego

package kernel

// Every arm64 processor has NEON (Advanced SIMD, with fused multiply-add on
// float64 pairs): ARMv8-A requires it and Go needs it, so unlike the amd64
// kernels this one needs no test of the CPU.
func init() {
	Fast = NEON
	FastName = "neon"
}

// addAsm adds the NEON kernel to m.
func addAsm(m map[string]Func) { m["neon"] = NEON }

// NEON is the arm64 micro-kernel (Advanced SIMD).
//
// A V register holds two float64s, so the 6×8 tile takes 24 of the 32 as
// accumulators, four for a row of B and four for broadcast values of A.
// Each step p loads the eight B values (one 64-byte load), broadcasts the
// six A values one by one, and does 24 FMLA, each a fused multiply-add on
// a pair: the same operations in the same order as the AVX2 kernel on
// amd64, so the two give the same bits. The k loop is unrolled four
// times. The tile is written back once at the end, scaled by alpha and,
// unless beta == 0, added to beta·C with one more fused multiply-add.
func NEON(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	if !checkTile(k, a, rsa, csa, b, ldb, c, ldc) {
		Generic(k, a, rsa, csa, b, ldb, alpha, beta, c, ldc)
		return
	}
	kern6x8neon(k, &a[0], rsa, csa, &b[0], ldb, &c[0], ldc, alpha, beta)
}

//go:noescape
func kern6x8neon(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)

// The AVX-512 kernel's strip and narrow twins have no NEON version: its 32
// registers are all taken by the 6×8 tile already.
func strip(string) StripFunc { return nil }

func narrowTwins(string) (cols10, rows10 Func) { return nil, nil }
