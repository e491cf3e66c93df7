//go:build !purego

#include "textflag.h"

// One step p of the 6×8 micro-kernel. SI points at A[0,p] and R12 at
// A[3,p]; R10 is A's row stride in bytes, so A[1,p] is at (SI)(R10*1) and
// A[5,p] at (R12)(R10*2). R13 is A's column stride in bytes. DI points at
// the eight B values B[p,0..7]; R11 is B's row stride in bytes.
// Y0, Y1 hold B[p,0..3] and B[p,4..7]; Y2 and Y3 take turns holding a
// broadcast A[i,p]; Y4..Y15 are the accumulators, two per row of C:
// row i lives in Y(4+2i) (columns 0..3) and Y(5+2i) (columns 4..7).
// Go's operand order is reversed from Intel's: VFMADD231PD Y0, Y2, Y4
// computes Y4 += Y2·Y0.
#define STEP \
	VMOVUPD      (DI), Y0       \
	VMOVUPD      32(DI), Y1     \
	VBROADCASTSD (SI), Y2       \
	VBROADCASTSD (SI)(R10*1), Y3 \
	VFMADD231PD  Y0, Y2, Y4     \
	VFMADD231PD  Y1, Y2, Y5     \
	VFMADD231PD  Y0, Y3, Y6     \
	VFMADD231PD  Y1, Y3, Y7     \
	VBROADCASTSD (SI)(R10*2), Y2 \
	VBROADCASTSD (R12), Y3      \
	VFMADD231PD  Y0, Y2, Y8     \
	VFMADD231PD  Y1, Y2, Y9     \
	VFMADD231PD  Y0, Y3, Y10    \
	VFMADD231PD  Y1, Y3, Y11    \
	VBROADCASTSD (R12)(R10*1), Y2 \
	VBROADCASTSD (R12)(R10*2), Y3 \
	VFMADD231PD  Y0, Y2, Y12    \
	VFMADD231PD  Y1, Y2, Y13    \
	VFMADD231PD  Y0, Y3, Y14    \
	VFMADD231PD  Y1, Y3, Y15    \
	ADDQ         R13, SI        \
	ADDQ         R13, R12       \
	ADDQ         R11, DI

// Write row r of the tile (accumulators lo, hi) to C at DX, which is
// then advanced by one row (R8 bytes): C = acc, with acc already scaled by
// alpha.
#define STOREROW(lo, hi) \
	VMOVUPD lo, (DX)   \
	VMOVUPD hi, 32(DX) \
	ADDQ    R8, DX

// As STOREROW, but C = acc + beta·C, with beta broadcast in Y1: one fused
// multiply-add per four elements (VFMADD231PD Y0, Y1, acc: acc += beta·C).
#define ACCROW(lo, hi) \
	VMOVUPD     (DX), Y0     \
	VFMADD231PD Y0, Y1, lo   \
	VMOVUPD     32(DX), Y0   \
	VFMADD231PD Y0, Y1, hi   \
	VMOVUPD     lo, (DX)     \
	VMOVUPD     hi, 32(DX)   \
	ADDQ        R8, DX

// func kern6x8(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)
TEXT ·kern6x8(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsa+16(FP), R10
	SHLQ $3, R10                  // row stride of A in bytes
	MOVQ csa+24(FP), R13
	SHLQ $3, R13                  // column stride of A in bytes
	LEAQ (SI)(R10*2), R12
	ADDQ R10, R12                 // R12 = &A[3,0]
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R11
	SHLQ $3, R11                  // row stride of B in bytes
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $3, R8                   // row stride of C in bytes

	// Touch the six rows of C now so they are in cache by the end.
	MOVQ DX, AX
	PREFETCHT0 (AX)
	PREFETCHT0 32(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 32(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 32(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 32(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 32(AX)
	ADDQ R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 32(AX)

	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

	MOVQ CX, R9
	SHRQ $2, R9                   // R9 = k/4 unrolled iterations
	JZ   tail

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ R9
	JNZ  loop4

tail:
	ANDQ $3, CX                   // CX = k%4 remaining steps
	JZ   scale

loop1:
	STEP
	DECQ CX
	JNZ  loop1

scale:
	VBROADCASTSD alpha+64(FP), Y0
	VMULPD Y0, Y4, Y4
	VMULPD Y0, Y5, Y5
	VMULPD Y0, Y6, Y6
	VMULPD Y0, Y7, Y7
	VMULPD Y0, Y8, Y8
	VMULPD Y0, Y9, Y9
	VMULPD Y0, Y10, Y10
	VMULPD Y0, Y11, Y11
	VMULPD Y0, Y12, Y12
	VMULPD Y0, Y13, Y13
	VMULPD Y0, Y14, Y14
	VMULPD Y0, Y15, Y15

	// beta == 0 means "ignore C". Comparing as floats makes -0 count as
	// zero and NaN (unordered: parity set) count as non-zero.
	VMOVSD   beta+72(FP), X1
	VXORPD   X2, X2, X2
	VUCOMISD X2, X1
	JNE     accumulate
	JPS     accumulate

	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	STOREROW(Y12, Y13)
	STOREROW(Y14, Y15)
	VZEROUPPER
	RET

accumulate:
	VBROADCASTSD beta+72(FP), Y1
	ACCROW(Y4, Y5)
	ACCROW(Y6, Y7)
	ACCROW(Y8, Y9)
	ACCROW(Y10, Y11)
	ACCROW(Y12, Y13)
	ACCROW(Y14, Y15)
	VZEROUPPER
	RET

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
