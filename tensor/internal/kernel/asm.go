//go:build (amd64 || arm64) && !purego

package kernel

// Accelerated reports whether [Fast] is an assembly kernel.
func Accelerated() bool { return FastName != "generic" }

// checkTile checks the bounds of a tile's operands once, in Go, so that the
// assembly can trust its pointers: it panics if a stride is negative, ldb
// or ldc is below NR, or a, b or c is too short for an MR×NR tile over k
// steps. It reports false for k <= 0, where there is nothing for the
// assembly to multiply and Generic just scales C.
func checkTile(k int, a []float64, rsa, csa int, b []float64, ldb int, c []float64, ldc int) bool {
	if k <= 0 {
		return false
	}
	if rsa < 0 || csa < 0 || ldb < NR || ldc < NR {
		panic("kernel: negative stride, ldb < NR or ldc < NR")
	}
	_ = a[(MR-1)*rsa+(k-1)*csa]
	_ = b[(k-1)*ldb+NR-1]
	_ = c[(MR-1)*ldc+NR-1]
	return true
}
