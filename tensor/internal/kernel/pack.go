package kernel

// PackRows8 copies the first depth values of 8 rows of src, row j starting
// at src[j*ld], into dst as depth groups of 8, one value of each row:
//
//	dst[p*8+j] = src[j*ld+p],  p < depth, j < 8.
//
// It is the transposing copy in packing a transposed B, whose rows are
// columns of op(B), into NR-wide panels: package tensor does it for the
// forward product A·Wᵀ every step (or for the batch, when that product is
// swapped). Rows are read side by side and dst is written in order. On a
// CPU with AVX-512, PackRows8 moves 8×8 blocks through registers (it is
// chosen at start-up, like [Fast]); the values are the same either way.
var PackRows8 = packRows8Go

func packRows8Go(dst, src []float64, ld, depth int) {
	if depth <= 0 {
		return
	}
	_ = src[7*ld+depth-1]
	dst = dst[:depth*8]
	r0 := src[:depth]
	r1 := src[ld:][:len(r0)]
	r2 := src[2*ld:][:len(r0)]
	r3 := src[3*ld:][:len(r0)]
	r4 := src[4*ld:][:len(r0)]
	r5 := src[5*ld:][:len(r0)]
	r6 := src[6*ld:][:len(r0)]
	r7 := src[7*ld:][:len(r0)]
	for p := range r0 {
		// Element by element: an array copy would call memmove.
		o := (*[8]float64)(dst[p*8:])
		o[0], o[1], o[2], o[3] = r0[p], r1[p], r2[p], r3[p]
		o[4], o[5], o[6], o[7] = r4[p], r5[p], r6[p], r7[p]
	}
}

// Transpose8x8 writes the transposes of blocks 8×8 blocks side by side in
// 8 rows of src (row stride lds) into dst (row stride ldd), one under the
// other:
//
//	dst[p*ldd+j] = src[j*lds+p],  p < 8·blocks, j < 8.
//
// Package tensor transposes a product's result with it (see runSwapped).
// Like [PackRows8], it runs in ZMM registers on a CPU with AVX-512.
var Transpose8x8 = transpose8x8Go

func transpose8x8Go(dst []float64, ldd int, src []float64, lds int, blocks int) {
	if blocks <= 0 {
		return
	}
	_ = src[7*lds+8*blocks-1]
	_ = dst[(8*blocks-1)*ldd+7]
	for j := 0; j < 8; j++ {
		row := src[j*lds:][:8*blocks]
		for p, v := range row {
			dst[p*ldd+j] = v
		}
	}
}
