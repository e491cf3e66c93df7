//go:build !purego

#include "textflag.h"

// func transpose8avx512(dst *float64, ldd int, src *float64, lds int, blocks int)
//
// For each of blocks blocks of 8 columns: loads 8 values from each of 8
// rows of src (row stride lds, in float64s), transposes the 8×8 block in
// registers, and stores it as 8 rows of dst (row stride ldd):
// dst[p*ldd+j] = src[j*lds+p]; the next block is 8 columns of src to the
// right and 8 rows of dst down.
// The transpose is the usual three rounds: VUNPCKLPD/VUNPCKHPD pair the
// rows' even and odd elements, then two rounds of VSHUFF64X2 move 128-bit
// lanes.
TEXT ·transpose8avx512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $3, R8                 // dst's row stride in bytes
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), AX
	SHLQ $3, AX                 // src's row stride in bytes
	MOVQ blocks+32(FP), CX
	LEAQ (AX)(AX*2), BX         // 3 rows of src
	LEAQ (SI)(AX*4), DX         // &src[4*lds]
	LEAQ (R8)(R8*2), R9         // 3 rows of dst
	LEAQ (DI)(R8*4), R10        // &dst[4*ldd]
	MOVQ R8, R11
	SHLQ $3, R11                // 8 rows of dst
	TESTQ CX, CX
	JZ   done

loop:
	VMOVUPD (SI), Z0            // row 0, p .. p+7
	VMOVUPD (SI)(AX*1), Z1
	VMOVUPD (SI)(AX*2), Z2
	VMOVUPD (SI)(BX*1), Z3
	VMOVUPD (DX), Z4
	VMOVUPD (DX)(AX*1), Z5
	VMOVUPD (DX)(AX*2), Z6
	VMOVUPD (DX)(BX*1), Z7

	VUNPCKLPD Z1, Z0, Z8        // r0[0] r1[0] r0[2] r1[2] r0[4] r1[4] r0[6] r1[6]
	VUNPCKHPD Z1, Z0, Z9        // the same for the odd p
	VUNPCKLPD Z3, Z2, Z10
	VUNPCKHPD Z3, Z2, Z11
	VUNPCKLPD Z5, Z4, Z12
	VUNPCKHPD Z5, Z4, Z13
	VUNPCKLPD Z7, Z6, Z14
	VUNPCKHPD Z7, Z6, Z15

	VSHUFF64X2 $0x88, Z10, Z8, Z16  // rows 0-3 at p = 0 and 4
	VSHUFF64X2 $0xDD, Z10, Z8, Z17  // p = 2 and 6
	VSHUFF64X2 $0x88, Z11, Z9, Z18  // p = 1 and 5
	VSHUFF64X2 $0xDD, Z11, Z9, Z19  // p = 3 and 7
	VSHUFF64X2 $0x88, Z14, Z12, Z20 // rows 4-7 at p = 0 and 4
	VSHUFF64X2 $0xDD, Z14, Z12, Z21
	VSHUFF64X2 $0x88, Z15, Z13, Z22
	VSHUFF64X2 $0xDD, Z15, Z13, Z23

	VSHUFF64X2 $0x88, Z20, Z16, Z0  // p = 0
	VSHUFF64X2 $0xDD, Z20, Z16, Z4  // p = 4
	VSHUFF64X2 $0x88, Z21, Z17, Z2  // p = 2
	VSHUFF64X2 $0xDD, Z21, Z17, Z6  // p = 6
	VSHUFF64X2 $0x88, Z22, Z18, Z1  // p = 1
	VSHUFF64X2 $0xDD, Z22, Z18, Z5  // p = 5
	VSHUFF64X2 $0x88, Z23, Z19, Z3  // p = 3
	VSHUFF64X2 $0xDD, Z23, Z19, Z7  // p = 7

	VMOVUPD Z0, (DI)
	VMOVUPD Z1, (DI)(R8*1)
	VMOVUPD Z2, (DI)(R8*2)
	VMOVUPD Z3, (DI)(R9*1)
	VMOVUPD Z4, (R10)
	VMOVUPD Z5, (R10)(R8*1)
	VMOVUPD Z6, (R10)(R8*2)
	VMOVUPD Z7, (R10)(R9*1)

	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ R11, DI
	ADDQ R11, R10
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
