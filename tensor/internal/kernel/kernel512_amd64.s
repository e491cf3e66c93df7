//go:build !purego

#include "textflag.h"
#include "prefetch_amd64.h"

// Two steps p, p+1 of the 6×8 AVX-512 micro-kernel. A whole row of the tile
// (8 doubles) fits one ZMM register, so each step is 6 FMAs; to have 12
// independent FMA chains in flight, even steps accumulate into Z4..Z9 and
// odd steps into Z10..Z15, summed at the end. A[i,p] is broadcast straight
// from memory by the FMA ({1to8}, .BCST). SI/R12 point at A[0,p]/A[3,p],
// R11/BX at A[0,p+1]/A[3,p+1]; R10 is A's row stride, R13 twice its
// column stride, in bytes. DI points at B[p,0], and AX is B's row stride
// in bytes.
#define STEP2 \
	VMOVUPD          (DI), Z0              \
	VMOVUPD          (DI)(AX*1), Z1        \
	VFMADD231PD.BCST (SI), Z0, Z4          \
	VFMADD231PD.BCST (SI)(R10*1), Z0, Z5   \
	VFMADD231PD.BCST (SI)(R10*2), Z0, Z6   \
	VFMADD231PD.BCST (R12), Z0, Z7         \
	VFMADD231PD.BCST (R12)(R10*1), Z0, Z8  \
	VFMADD231PD.BCST (R12)(R10*2), Z0, Z9  \
	VFMADD231PD.BCST (R11), Z1, Z10        \
	VFMADD231PD.BCST (R11)(R10*1), Z1, Z11 \
	VFMADD231PD.BCST (R11)(R10*2), Z1, Z12 \
	VFMADD231PD.BCST (BX), Z1, Z13        \
	VFMADD231PD.BCST (BX)(R10*1), Z1, Z14 \
	VFMADD231PD.BCST (BX)(R10*2), Z1, Z15 \
	ADDQ             R13, SI               \
	ADDQ             R13, R12              \
	ADDQ             R13, R11              \
	ADDQ             R13, BX              \
	LEAQ             (DI)(AX*2), DI

// func kern6x8avx512(k int, a *float64, rsa, csa int, b *float64, ldb int, c *float64, ldc int, alpha, beta float64, panels, bstep int)
//
// panels tiles side by side, one after the other: tile j multiplies the
// same panel of A by the panel of B at b + j·bstep (in float64s) into the
// tile of C at c + 8j. The arguments b and c and panels are used as the
// loop's variables.
TEXT ·kern6x8avx512(SB), NOSPLIT, $0-96
	MOVQ k+0(FP), CX
	MOVQ rsa+16(FP), R10
	SHLQ $3, R10                  // row stride of A in bytes
	MOVQ csa+24(FP), R13
	SHLQ $3, R13                  // column stride of A in bytes
	MOVQ ldb+40(FP), AX
	SHLQ $3, AX                   // row stride of B in bytes
	MOVQ ldc+56(FP), R8
	SHLQ $3, R8                   // row stride of C in bytes

tile:
	MOVQ a+8(FP), SI
	LEAQ (SI)(R10*2), R12
	ADDQ R10, R12                 // R12 = &A[3,0]
	LEAQ (SI)(R13*1), R11         // R11 = &A[0,1]
	LEAQ (R12)(R13*1), BX         // BX = &A[3,1]
	SHLQ $1, R13                  // two columns
	MOVQ b+32(FP), DI
	MOVQ c+48(FP), DX

	PREFETCH_C6 // see prefetch_amd64.h

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

	MOVQ CX, R9
	SHRQ $2, R9                   // R9 = k/4: two STEP2 per iteration
	JZ   tail2

loop4:
	STEP2
	STEP2
	DECQ R9
	JNZ  loop4

tail2:
	TESTQ $2, CX
	JZ    tail1
	STEP2

tail1:
	SHRQ  $1, R13                 // back to one column
	TESTQ $1, CX
	JZ    sum
	// One last even step.
	VMOVUPD          (DI), Z0
	VFMADD231PD.BCST (SI), Z0, Z4
	VFMADD231PD.BCST (SI)(R10*1), Z0, Z5
	VFMADD231PD.BCST (SI)(R10*2), Z0, Z6
	VFMADD231PD.BCST (R12), Z0, Z7
	VFMADD231PD.BCST (R12)(R10*1), Z0, Z8
	VFMADD231PD.BCST (R12)(R10*2), Z0, Z9

sum:
	VADDPD Z10, Z4, Z4
	VADDPD Z11, Z5, Z5
	VADDPD Z12, Z6, Z6
	VADDPD Z13, Z7, Z7
	VADDPD Z14, Z8, Z8
	VADDPD Z15, Z9, Z9

	VBROADCASTSD alpha+64(FP), Z0
	VMULPD Z0, Z4, Z4
	VMULPD Z0, Z5, Z5
	VMULPD Z0, Z6, Z6
	VMULPD Z0, Z7, Z7
	VMULPD Z0, Z8, Z8
	VMULPD Z0, Z9, Z9

	VMOVSD   beta+72(FP), X1
	VXORPD   X2, X2, X2
	VUCOMISD X2, X1
	JNE      accumulate
	JPS      accumulate

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
	JMP     next

accumulate:
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

next:
	DECQ panels+80(FP)
	JZ   done
	MOVQ bstep+88(FP), R9
	SHLQ $3, R9
	ADDQ R9, b+32(FP)             // the next panel of B
	ADDQ $64, c+48(FP)            // the next tile of C, 8 columns on
	JMP  tile

done:
	VZEROUPPER
	RET
