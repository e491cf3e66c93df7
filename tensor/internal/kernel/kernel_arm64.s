//go:build !purego

#include "textflag.h"

// The 6×8 micro-kernel in NEON. A 128-bit V register holds two float64s, so
// a row of the 6×8 tile is four registers and the tile is 24: row i of C
// lives in V(4i)..V(4i+3), columns 0-1, 2-3, 4-5 and 6-7. V24..V27 hold the
// eight values B[p,0..7] of step p, and V28..V31 take turns holding a value
// A[i,p] broadcast to both lanes (LD1R), so all 32 registers are in use.
//
// R1..R6 point at A[0,p]..A[5,p] and each moves on by A's column stride (R8
// bytes) as it is read; R7 points at B[p,0] and moves on by B's row stride
// (R9 bytes). A step is one 64-byte load of B, six broadcast loads of A and
// 24 fused multiply-adds: 3.4 multiply-adds per load instruction.
//
// Go's operand order is the reverse of Arm's: VFMLA V24.D2, V28.D2, V0.D2
// computes V0 += V28·V24, one rounding per lane, as FMLA V0.2D, V28.2D,
// V24.2D does.

// FMAROW does the four multiply-adds of row r's accumulators (a0..a3) with
// the broadcast A value in v.
#define FMAROW(v, a0, a1, a2, a3) \
	VFMLA V24.D2, v, a0 \
	VFMLA V25.D2, v, a1 \
	VFMLA V26.D2, v, a2 \
	VFMLA V27.D2, v, a3

// One step p. A[4,p] and A[5,p] are loaded after rows 0 and 1 have used
// V28 and V29, with rows 2 and 3 to do while they arrive.
#define STEP \
	VLD1.P  (R7)(R9), [V24.D2, V25.D2, V26.D2, V27.D2] \
	VLD1R.P (R1)(R8), [V28.D2] \
	VLD1R.P (R2)(R8), [V29.D2] \
	VLD1R.P (R3)(R8), [V30.D2] \
	VLD1R.P (R4)(R8), [V31.D2] \
	FMAROW(V28.D2, V0.D2, V1.D2, V2.D2, V3.D2) \
	FMAROW(V29.D2, V4.D2, V5.D2, V6.D2, V7.D2) \
	VLD1R.P (R5)(R8), [V28.D2] \
	VLD1R.P (R6)(R8), [V29.D2] \
	FMAROW(V30.D2, V8.D2, V9.D2, V10.D2, V11.D2) \
	FMAROW(V31.D2, V12.D2, V13.D2, V14.D2, V15.D2) \
	FMAROW(V28.D2, V16.D2, V17.D2, V18.D2, V19.D2) \
	FMAROW(V29.D2, V20.D2, V21.D2, V22.D2, V23.D2)

// SCALE sets V24..V27 to alpha (in V30) times row r's accumulators a0..a3,
// rounded once. NEON's multiply is not in Go's assembler, so it is a fused
// multiply-add onto -0 (in R14): -0 + x is x for every x, +0 and -0
// included, so the result is exactly the product's.
#define SCALE(a0, a1, a2, a3) \
	VDUP  R14, V24.D2 \
	VDUP  R14, V25.D2 \
	VDUP  R14, V26.D2 \
	VDUP  R14, V27.D2 \
	VFMLA a0, V30.D2, V24.D2 \
	VFMLA a1, V30.D2, V25.D2 \
	VFMLA a2, V30.D2, V26.D2 \
	VFMLA a3, V30.D2, V27.D2

// STOREROW writes row r of the tile, alpha·acc, to C at R10, which then
// moves on to the next row (R11 bytes).
#define STOREROW(a0, a1, a2, a3) \
	SCALE(a0, a1, a2, a3) \
	VST1.P [V24.D2, V25.D2, V26.D2, V27.D2], (R10)(R11)

// ACCROW writes alpha·acc + beta·C instead, beta in V31: the accumulators,
// no longer needed, receive the old row of C, and one more fused
// multiply-add per pair adds beta·C, as the AVX2 kernel does.
#define ACCROW(a0, a1, a2, a3) \
	SCALE(a0, a1, a2, a3) \
	VLD1  (R10), [a0, a1, a2, a3] \
	VFMLA a0, V31.D2, V24.D2 \
	VFMLA a1, V31.D2, V25.D2 \
	VFMLA a2, V31.D2, V26.D2 \
	VFMLA a3, V31.D2, V27.D2 \
	VST1.P [V24.D2, V25.D2, V26.D2, V27.D2], (R10)(R11)

// func kern6x8neon(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)
TEXT ·kern6x8neon(SB), NOSPLIT, $0-80
	MOVD k+0(FP), R0
	MOVD a+8(FP), R1
	MOVD rsa+16(FP), R13
	LSL  $3, R13                  // row stride of A in bytes
	ADD  R13, R1, R2              // R2 = &A[1,0]
	ADD  R13, R2, R3
	ADD  R13, R3, R4
	ADD  R13, R4, R5
	ADD  R13, R5, R6              // R6 = &A[5,0]
	MOVD csa+24(FP), R8
	LSL  $3, R8                   // column stride of A in bytes
	MOVD b+32(FP), R7
	MOVD ldb+40(FP), R9
	LSL  $3, R9                   // row stride of B in bytes
	MOVD c+48(FP), R10
	MOVD ldc+56(FP), R11
	LSL  $3, R11                  // row stride of C in bytes

	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16

	LSR  $2, R0, R12              // R12 = k/4 unrolled iterations
	CBZ  R12, tail

loop4:
	STEP
	STEP
	STEP
	STEP
	SUB  $1, R12
	CBNZ R12, loop4

tail:
	AND  $3, R0                   // R0 = k%4 remaining steps
	CBZ  R0, scale

loop1:
	STEP
	SUB  $1, R0
	CBNZ R0, loop1

scale:
	MOVD alpha+64(FP), R13
	VDUP R13, V30.D2
	MOVD $0x8000000000000000, R14 // -0

	// beta == 0 means "ignore C". Comparing as floats makes -0 count as
	// zero and NaN (unordered: NE) count as non-zero.
	FMOVD beta+72(FP), F31
	FCMPD $(0.0), F31
	BNE   accumulate

	STOREROW(V0.D2, V1.D2, V2.D2, V3.D2)
	STOREROW(V4.D2, V5.D2, V6.D2, V7.D2)
	STOREROW(V8.D2, V9.D2, V10.D2, V11.D2)
	STOREROW(V12.D2, V13.D2, V14.D2, V15.D2)
	STOREROW(V16.D2, V17.D2, V18.D2, V19.D2)
	STOREROW(V20.D2, V21.D2, V22.D2, V23.D2)
	RET

accumulate:
	MOVD beta+72(FP), R13
	VDUP R13, V31.D2
	ACCROW(V0.D2, V1.D2, V2.D2, V3.D2)
	ACCROW(V4.D2, V5.D2, V6.D2, V7.D2)
	ACCROW(V8.D2, V9.D2, V10.D2, V11.D2)
	ACCROW(V12.D2, V13.D2, V14.D2, V15.D2)
	ACCROW(V16.D2, V17.D2, V18.D2, V19.D2)
	ACCROW(V20.D2, V21.D2, V22.D2, V23.D2)
	RET
