//go:build !purego

#include "textflag.h"
#include "prefetch_amd64.h"

// The twins of the 6×8 AVX-512 kernel (kernel512_amd64.s) for the tiles
// of a 10-class output layer: 6×10 (a row of C is a ZMM register for
// columns 0-7 and an XMM register for columns 8-9) and 10×8 (ten rows of
// ZMM). Every element of C is computed exactly as the 6×8 kernel computes
// it: even steps p into one accumulator, odd steps into another, with
// VFMADD231PD in order of p; then even + odd, times alpha, and beta·C
// added with one more FMA. So a product gives the same bits whichever
// kernel computed which tile.

// Steps of the 6×10 kernel: an even step p (STEP_6X10_EVEN), the odd step
// p+1 after it (STEP_6X10_ODD), and both with the pointers moved on by two
// steps (STEP2_6X10). Even steps accumulate into Z4..Z9 (columns 0-7) and
// X16..X21 (columns 8-9), odd steps into Z10..Z15 and X22..X27. Each FMA
// broadcasts its A value straight from memory, to 8 lanes or to 2
// (measured faster than one VBROADCASTSD into a register shared by the two
// FMAs of a row). SI/R12 point at A[0,p]/A[3,p], R11/BX at
// A[0,p+1]/A[3,p+1]; R10 is A's row stride, R13 twice its column stride,
// in bytes. DI points at B[p,0], AX is B's row stride in bytes.

#define STEP_6X10_EVEN \
	VMOVUPD (DI), Z0 \
	VMOVUPD 64(DI), X1 \
	VFMADD231PD.BCST (SI), Z0, Z4 \
	VFMADD231PD.BCST (SI), X1, X16 \
	VFMADD231PD.BCST (SI)(R10*1), Z0, Z5 \
	VFMADD231PD.BCST (SI)(R10*1), X1, X17 \
	VFMADD231PD.BCST (SI)(R10*2), Z0, Z6 \
	VFMADD231PD.BCST (SI)(R10*2), X1, X18 \
	VFMADD231PD.BCST (R12), Z0, Z7 \
	VFMADD231PD.BCST (R12), X1, X19 \
	VFMADD231PD.BCST (R12)(R10*1), Z0, Z8 \
	VFMADD231PD.BCST (R12)(R10*1), X1, X20 \
	VFMADD231PD.BCST (R12)(R10*2), Z0, Z9 \
	VFMADD231PD.BCST (R12)(R10*2), X1, X21

#define STEP_6X10_ODD \
	VMOVUPD (DI)(AX*1), Z2 \
	VMOVUPD 64(DI)(AX*1), X3 \
	VFMADD231PD.BCST (R11), Z2, Z10 \
	VFMADD231PD.BCST (R11), X3, X22 \
	VFMADD231PD.BCST (R11)(R10*1), Z2, Z11 \
	VFMADD231PD.BCST (R11)(R10*1), X3, X23 \
	VFMADD231PD.BCST (R11)(R10*2), Z2, Z12 \
	VFMADD231PD.BCST (R11)(R10*2), X3, X24 \
	VFMADD231PD.BCST (BX), Z2, Z13 \
	VFMADD231PD.BCST (BX), X3, X25 \
	VFMADD231PD.BCST (BX)(R10*1), Z2, Z14 \
	VFMADD231PD.BCST (BX)(R10*1), X3, X26 \
	VFMADD231PD.BCST (BX)(R10*2), Z2, Z15 \
	VFMADD231PD.BCST (BX)(R10*2), X3, X27

#define STEP2_6X10 \
	STEP_6X10_EVEN \
	STEP_6X10_ODD \
	ADDQ R13, SI \
	ADDQ R13, R12 \
	ADDQ R13, R11 \
	ADDQ R13, BX \
	LEAQ (DI)(AX*2), DI

// func kern6x10avx512(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)
TEXT ·kern6x10avx512(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsa+16(FP), R10
	SHLQ $3, R10                  // row stride of A in bytes
	MOVQ csa+24(FP), R13
	SHLQ $3, R13                  // column stride of A in bytes
	LEAQ (SI)(R10*2), R12
	ADDQ R10, R12                 // R12 = &A[3,0]
	LEAQ (SI)(R13*1), R11         // R11 = &A[0,1]
	LEAQ (R12)(R13*1), BX         // BX = &A[3,1]
	SHLQ $1, R13                  // two columns
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), AX
	SHLQ $3, AX                   // row stride of B in bytes
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $3, R8                   // row stride of C in bytes

	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	VPXORQ Z24, Z24, Z24
	VPXORQ Z25, Z25, Z25
	VPXORQ Z26, Z26, Z26
	VPXORQ Z27, Z27, Z27

	MOVQ CX, R9
	SHRQ $2, R9                   // R9 = k/4: two STEP2_6X10 per iteration
	JZ   tail2_6x10

loop4_6x10:
	STEP2_6X10
	STEP2_6X10
	DECQ R9
	JNZ  loop4_6x10

tail2_6x10:
	TESTQ $2, CX
	JZ    tail1_6x10
	STEP2_6X10

tail1_6x10:
	TESTQ $1, CX
	JZ    sum_6x10
	STEP_6X10_EVEN // one last even step

sum_6x10:
	VADDPD Z10, Z4, Z4
	VADDPD Z11, Z5, Z5
	VADDPD Z12, Z6, Z6
	VADDPD Z13, Z7, Z7
	VADDPD Z14, Z8, Z8
	VADDPD Z15, Z9, Z9
	VADDPD X22, X16, X16
	VADDPD X23, X17, X17
	VADDPD X24, X18, X18
	VADDPD X25, X19, X19
	VADDPD X26, X20, X20
	VADDPD X27, X21, X21

	VBROADCASTSD alpha+64(FP), Z0
	VMULPD Z0, Z4, Z4
	VMULPD Z0, Z5, Z5
	VMULPD Z0, Z6, Z6
	VMULPD Z0, Z7, Z7
	VMULPD Z0, Z8, Z8
	VMULPD Z0, Z9, Z9
	VMULPD X0, X16, X16
	VMULPD X0, X17, X17
	VMULPD X0, X18, X18
	VMULPD X0, X19, X19
	VMULPD X0, X20, X20
	VMULPD X0, X21, X21

	VMOVSD   beta+72(FP), X1
	VXORPD   X2, X2, X2
	VUCOMISD X2, X1
	JNE      accumulate_6x10
	JPS      accumulate_6x10

	VMOVUPD Z4, (DX)
	VMOVUPD X16, 64(DX)
	ADDQ    R8, DX
	VMOVUPD Z5, (DX)
	VMOVUPD X17, 64(DX)
	ADDQ    R8, DX
	VMOVUPD Z6, (DX)
	VMOVUPD X18, 64(DX)
	ADDQ    R8, DX
	VMOVUPD Z7, (DX)
	VMOVUPD X19, 64(DX)
	ADDQ    R8, DX
	VMOVUPD Z8, (DX)
	VMOVUPD X20, 64(DX)
	ADDQ    R8, DX
	VMOVUPD Z9, (DX)
	VMOVUPD X21, 64(DX)
	VZEROUPPER
	RET

accumulate_6x10:
	VBROADCASTSD beta+72(FP), Z1
	VFMADD231PD (DX), Z1, Z4
	VMOVUPD     Z4, (DX)
	VFMADD231PD 64(DX), X1, X16
	VMOVUPD     X16, 64(DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z5
	VMOVUPD     Z5, (DX)
	VFMADD231PD 64(DX), X1, X17
	VMOVUPD     X17, 64(DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z6
	VMOVUPD     Z6, (DX)
	VFMADD231PD 64(DX), X1, X18
	VMOVUPD     X18, 64(DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z7
	VMOVUPD     Z7, (DX)
	VFMADD231PD 64(DX), X1, X19
	VMOVUPD     X19, 64(DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z8
	VMOVUPD     Z8, (DX)
	VFMADD231PD 64(DX), X1, X20
	VMOVUPD     X20, 64(DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z9
	VMOVUPD     Z9, (DX)
	VFMADD231PD 64(DX), X1, X21
	VMOVUPD     X21, 64(DX)
	VZEROUPPER
	RET

// One step p of the 10×8 kernel into the accumulators from acc on: SI,
// R12, R11 and BX point at A[0,p], A[3,p], A[6,p] and A[9,p], R10 is A's
// row stride and R13 its column stride, in bytes; DI points at B[p,0] and
// AX is B's row stride in bytes. The step moves the pointers to p+1.

#define STEP_10X8_EVEN \
	VMOVUPD (DI), Z0 \
	VFMADD231PD.BCST (SI), Z0, Z4 \
	VFMADD231PD.BCST (SI)(R10*1), Z0, Z5 \
	VFMADD231PD.BCST (SI)(R10*2), Z0, Z6 \
	VFMADD231PD.BCST (R12), Z0, Z7 \
	VFMADD231PD.BCST (R12)(R10*1), Z0, Z8 \
	VFMADD231PD.BCST (R12)(R10*2), Z0, Z9 \
	VFMADD231PD.BCST (R11), Z0, Z10 \
	VFMADD231PD.BCST (R11)(R10*1), Z0, Z11 \
	VFMADD231PD.BCST (R11)(R10*2), Z0, Z12 \
	VFMADD231PD.BCST (BX), Z0, Z13 \
	ADDQ R13, SI \
	ADDQ R13, R12 \
	ADDQ R13, R11 \
	ADDQ R13, BX \
	ADDQ AX, DI

#define STEP_10X8_ODD \
	VMOVUPD (DI), Z1 \
	VFMADD231PD.BCST (SI), Z1, Z14 \
	VFMADD231PD.BCST (SI)(R10*1), Z1, Z15 \
	VFMADD231PD.BCST (SI)(R10*2), Z1, Z16 \
	VFMADD231PD.BCST (R12), Z1, Z17 \
	VFMADD231PD.BCST (R12)(R10*1), Z1, Z18 \
	VFMADD231PD.BCST (R12)(R10*2), Z1, Z19 \
	VFMADD231PD.BCST (R11), Z1, Z20 \
	VFMADD231PD.BCST (R11)(R10*1), Z1, Z21 \
	VFMADD231PD.BCST (R11)(R10*2), Z1, Z22 \
	VFMADD231PD.BCST (BX), Z1, Z23 \
	ADDQ R13, SI \
	ADDQ R13, R12 \
	ADDQ R13, R11 \
	ADDQ R13, BX \
	ADDQ AX, DI


// func kern10x8avx512(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64)
TEXT ·kern10x8avx512(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsa+16(FP), R10
	SHLQ $3, R10                  // row stride of A in bytes
	MOVQ csa+24(FP), R13
	SHLQ $3, R13                  // column stride of A in bytes
	LEAQ (SI)(R10*2), R12
	ADDQ R10, R12                 // R12 = &A[3,0]
	LEAQ (R12)(R10*2), R11
	ADDQ R10, R11                 // R11 = &A[6,0]
	LEAQ (R11)(R10*2), BX
	ADDQ R10, BX                  // BX = &A[9,0]
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), AX
	SHLQ $3, AX                   // row stride of B in bytes
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $3, R8                   // row stride of C in bytes

	PREFETCH_C10 // see prefetch_amd64.h

	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23

	MOVQ CX, R9
	SHRQ $2, R9                   // R9 = k/4: four steps per iteration
	JZ   tail2_10x8

loop4_10x8:
	STEP_10X8_EVEN
	STEP_10X8_ODD
	STEP_10X8_EVEN
	STEP_10X8_ODD
	DECQ R9
	JNZ  loop4_10x8

tail2_10x8:
	TESTQ $2, CX
	JZ    tail1_10x8
	STEP_10X8_EVEN
	STEP_10X8_ODD

tail1_10x8:
	TESTQ $1, CX
	JZ    sum_10x8
	STEP_10X8_EVEN

sum_10x8:
	VADDPD Z14, Z4, Z4
	VADDPD Z15, Z5, Z5
	VADDPD Z16, Z6, Z6
	VADDPD Z17, Z7, Z7
	VADDPD Z18, Z8, Z8
	VADDPD Z19, Z9, Z9
	VADDPD Z20, Z10, Z10
	VADDPD Z21, Z11, Z11
	VADDPD Z22, Z12, Z12
	VADDPD Z23, Z13, Z13

	VBROADCASTSD alpha+64(FP), Z0
	VMULPD Z0, Z4, Z4
	VMULPD Z0, Z5, Z5
	VMULPD Z0, Z6, Z6
	VMULPD Z0, Z7, Z7
	VMULPD Z0, Z8, Z8
	VMULPD Z0, Z9, Z9
	VMULPD Z0, Z10, Z10
	VMULPD Z0, Z11, Z11
	VMULPD Z0, Z12, Z12
	VMULPD Z0, Z13, Z13

	VMOVSD   beta+72(FP), X1
	VXORPD   X2, X2, X2
	VUCOMISD X2, X1
	JNE      accumulate_10x8
	JPS      accumulate_10x8

	VMOVUPD Z4, (DX)
	ADDQ    R8, DX
	VMOVUPD Z5, (DX)
	ADDQ    R8, DX
	VMOVUPD Z6, (DX)
	ADDQ    R8, DX
	VMOVUPD Z7, (DX)
	ADDQ    R8, DX
	VMOVUPD Z8, (DX)
	ADDQ    R8, DX
	VMOVUPD Z9, (DX)
	ADDQ    R8, DX
	VMOVUPD Z10, (DX)
	ADDQ    R8, DX
	VMOVUPD Z11, (DX)
	ADDQ    R8, DX
	VMOVUPD Z12, (DX)
	ADDQ    R8, DX
	VMOVUPD Z13, (DX)
	VZEROUPPER
	RET

accumulate_10x8:
	VBROADCASTSD beta+72(FP), Z1
	VFMADD231PD (DX), Z1, Z4
	VMOVUPD     Z4, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z5
	VMOVUPD     Z5, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z6
	VMOVUPD     Z6, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z7
	VMOVUPD     Z7, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z8
	VMOVUPD     Z8, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z9
	VMOVUPD     Z9, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z10
	VMOVUPD     Z10, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z11
	VMOVUPD     Z11, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z12
	VMOVUPD     Z12, (DX)
	ADDQ        R8, DX
	VFMADD231PD (DX), Z1, Z13
	VMOVUPD     Z13, (DX)
	VZEROUPPER
	RET
