//go:build !purego

package kernel

func init() {
	switch {
	case hasAVX512():
		Fast = AVX512
		FastName = "avx512"
		Transpose8x8 = transpose8x8AVX512
	case hasAVX2FMA():
		Fast = AVX2
		FastName = "avx2-fma"
	}
}

// addAsm adds the assembly kernels this CPU can run to m.
func addAsm(m map[string]Func) {
	if hasAVX2FMA() {
		m["avx2-fma"] = AVX2
	}
	if hasAVX512() {
		m["avx512"] = AVX512
	}
}

// AVX2 is the assembly micro-kernel (AVX2 + FMA3). Calling it on a CPU
// without those extensions crashes with an illegal instruction; use [Fast],
// which is AVX2 only when the CPU has them.
//
// The k loop is unrolled four times; each step loads one row of the B panel
// into two YMM registers, broadcasts the six A values one by one, and does
// twelve VFMADD231PD into the twelve accumulators. The tile is written back
// once at the end, scaled by alpha and, unless beta == 0, added to beta·C
// with one more fused multiply-add.
func AVX2(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	if !checkTile(k, a, rsa, csa, b, ldb, c, ldc) {
		Generic(k, a, rsa, csa, b, ldb, alpha, beta, c, ldc)
		return
	}
	kern6x8(k, &a[0], rsa, csa, &b[0], ldb, &c[0], ldc, alpha, beta)
}

//go:noescape
func kern6x8(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)

// cpuid executes the CPUID instruction with the given leaf and sub-leaf.
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads extended control register 0, which says which register
// states the operating system saves on a context switch.
func xgetbv() (eax, edx uint32)

// hasAVX512 reports whether the CPU has AVX-512F (and AVX2/FMA, which the
// CPUs that have it all do) and the operating system saves the opmask and
// the full ZMM registers (XCR0 bits 5, 6 and 7).
func hasAVX512() bool {
	if !hasAVX2FMA() {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0b1110_0110 != 0b1110_0110 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	return ebx7&avx512f != 0
}

// hasAVX2FMA reports whether both the CPU and the operating system support
// AVX2 and FMA3. The CPU must advertise AVX, FMA and OSXSAVE (leaf 1) and
// AVX2 (leaf 7), and the OS must have enabled saving of the XMM and YMM
// register halves (XCR0 bits 1 and 2); otherwise the upper halves of the YMM
// registers could be lost when the goroutine's thread is preempted.
func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0b110 != 0b110 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

// AVX512 is the AVX-512 micro-kernel (AVX-512F). Like [AVX2] it must only
// be called when the CPU has the extension; [Fast] is AVX512 only then.
//
// A row of the 6×8 tile is one 512-bit ZMM register, so a step p is six
// VFMADD231PD, each broadcasting its A value straight from memory. Six
// chains of dependent FMAs are too few to hide the FMA latency, so even
// steps accumulate into one set of six registers and odd steps into
// another, added together at the end: the sum over p runs in a different
// (but fixed) order than in [AVX2] and [Generic].
func AVX512(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	if !checkTile(k, a, rsa, csa, b, ldb, c, ldc) {
		Generic(k, a, rsa, csa, b, ldb, alpha, beta, c, ldc)
		return
	}
	kern6x8avx512(k, &a[0], rsa, csa, &b[0], ldb, &c[0], ldc, alpha, beta, 1, 0)
}

// avx512Strip is the strip version of [AVX512] (see [StripFunc]).
func avx512Strip(panels, bstep, k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	if panels <= 0 {
		return
	}
	if k <= 0 || bstep < 0 {
		panic("kernel: strip with k <= 0 or a negative panel step")
	}
	// The last tile's operands reach furthest; checkTile checks the
	// strides and lengths.
	checkTile(k, a, rsa, csa, b[(panels-1)*bstep:], ldb, c[(panels-1)*NR:], ldc)
	kern6x8avx512(k, &a[0], rsa, csa, &b[0], ldb, &c[0], ldc, alpha, beta, panels, bstep)
}

//go:noescape
func kern6x8avx512(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, panels, bstep int)

// hasAVX512VL reports whether the CPU has AVX-512VL, which the 6×10 kernel
// needs for its XMM registers X16–X31 (every AVX-512 CPU since Skylake has
// it; the Xeon Phi did not).
func hasAVX512VL() bool {
	if !hasAVX512() {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512vl = 1 << 31
	return ebx7&avx512vl != 0
}

// strip returns the strip version of the kernel named name.
func strip(name string) StripFunc {
	if name == "avx512" {
		return avx512Strip
	}
	return nil
}

// narrowTwins returns the 6×10 and 10×8 twins of the kernel named name.
func narrowTwins(name string) (cols10, rows10 Func) {
	if name == "avx512" && hasAVX512VL() {
		return avx512Cols10, avx512Rows10
	}
	return nil, nil
}

// checkShape is checkTile for a rows×cols tile, for the twins: it panics
// on a non-positive k (the twins, unlike the kernels, do not scale C for
// k = 0: package tensor never calls them so), a stride too small or an
// operand too short.
func checkShape(rows, cols, k int, a []float64, rsa, csa int, b []float64, ldb int, c []float64, ldc int) {
	if k <= 0 || rsa < 0 || csa < 0 || ldb < cols || ldc < cols {
		panic("kernel: k <= 0, negative stride, or ldb or ldc shorter than a row of the tile")
	}
	_ = a[(rows-1)*rsa+(k-1)*csa]
	_ = b[(k-1)*ldb+cols-1]
	_ = c[(rows-1)*ldc+cols-1]
}

// avx512Cols10 is the 6×10 twin of [AVX512]: b and c hold 10 columns.
func avx512Cols10(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	checkShape(MR, Wide, k, a, rsa, csa, b, ldb, c, ldc)
	kern6x10avx512(k, &a[0], rsa, csa, &b[0], ldb, &c[0], ldc, alpha, beta)
}

// avx512Rows10 is the 10×8 twin of [AVX512]: a and c hold 10 rows.
func avx512Rows10(k int, a []float64, rsa, csa int, b []float64, ldb int, alpha, beta float64, c []float64, ldc int) {
	checkShape(Wide, NR, k, a, rsa, csa, b, ldb, c, ldc)
	kern10x8avx512(k, &a[0], rsa, csa, &b[0], ldb, &c[0], ldc, alpha, beta)
}

//go:noescape
func kern6x10avx512(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)

//go:noescape
func kern10x8avx512(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)

// transpose8x8AVX512 is [Transpose8x8] in ZMM registers.
func transpose8x8AVX512(dst []float64, ldd int, src []float64, lds int, blocks int) {
	if blocks <= 0 {
		return
	}
	if ldd < 8 || lds < 0 {
		panic("kernel: Transpose8x8 with dst's rows under 8 apart, or a negative stride")
	}
	_ = src[7*lds+8*blocks-1]
	_ = dst[(8*blocks-1)*ldd+7]
	transpose8avx512(&dst[0], ldd, &src[0], lds, blocks)
}

//go:noescape
func transpose8avx512(dst *float64, ldd int, src *float64, lds int, blocks int)
