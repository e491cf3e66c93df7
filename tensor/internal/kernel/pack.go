package kernel

// PackRows8 copies the first depth values of 8 rows of src, row j starting
// at src[j*ld], into dst as depth groups of 8, one value of each row:
//
//	dst[p*8+j] = src[j*ld+p],  p < depth, j < 8.
//
// It is the transposing copy in packing a transposed B, whose rows are
// columns of op(B), into NR-wide panels: package tensor does it for the
// forward product A·Wᵀ every step (or for the batch, when that product is
// swapped). It is [Transpose8x8] with dst's rows 8 values long, and a
// last depth%8 columns copied one by one.
func PackRows8(dst, src []float64, ld, depth int) {
	if depth <= 0 {
		return
	}
	_ = src[7*ld+depth-1] // both operands checked before anything is written
	_ = dst[depth*8-1]
	blocks := depth / 8
	Transpose8x8(dst, 8, src, ld, blocks)
	for p := blocks * 8; p < depth; p++ {
		o := (*[8]float64)(dst[p*8:])
		for j := range o {
			o[j] = src[j*ld+p]
		}
	}
}

// Transpose8x8 writes the transposes of blocks 8×8 blocks side by side in
// 8 rows of src (row stride lds) into dst (row stride ldd), one under the
// other:
//
//	dst[p*ldd+j] = src[j*lds+p],  p < 8·blocks, j < 8.
//
// Package tensor packs a transposed B with it (through PackRows8) and
// transposes the result of a swapped product (see runSwapped). On a CPU
// with AVX-512 it moves each block through ZMM registers: an unpack, then
// two rounds of lane shuffles (it is chosen at start-up, like [Fast]);
// elsewhere it reads the 8 rows side by side in Go. Only values move, so
// the result is the same either way.
var Transpose8x8 = transpose8x8Go

func transpose8x8Go(dst []float64, ldd int, src []float64, lds int, blocks int) {
	if blocks <= 0 {
		return
	}
	_ = src[7*lds+8*blocks-1]
	_ = dst[(8*blocks-1)*ldd+7]
	r0 := src[:8*blocks]
	r1 := src[lds:][:len(r0)]
	r2 := src[2*lds:][:len(r0)]
	r3 := src[3*lds:][:len(r0)]
	r4 := src[4*lds:][:len(r0)]
	r5 := src[5*lds:][:len(r0)]
	r6 := src[6*lds:][:len(r0)]
	r7 := src[7*lds:][:len(r0)]
	for p := range r0 {
		// Element by element: an array copy would call memmove.
		o := (*[8]float64)(dst[p*ldd:])
		o[0], o[1], o[2], o[3] = r0[p], r1[p], r2[p], r3[p]
		o[4], o[5], o[6], o[7] = r4[p], r5[p], r6[p], r7[p]
	}
}
