// Asking for a tile's rows of C before a micro-kernel's loop, which reads
// and writes them only at its end: a tile of a large C is far away (in L3
// or memory), and the loop hides the wait. DX points at the tile's first
// row and R8 is C's row stride in bytes; R9 is overwritten.

// PREFETCH_NEXT_ROW asks for the row after the one R9 points at.
#define PREFETCH_NEXT_ROW ADDQ R8, R9; PREFETCHT0 (R9)

// PREFETCH_C6 asks for the six rows of a 6×8 tile.
#define PREFETCH_C6 PREFETCHT0 (DX); MOVQ DX, R9; PREFETCH_NEXT_ROW; PREFETCH_NEXT_ROW; PREFETCH_NEXT_ROW; PREFETCH_NEXT_ROW; PREFETCH_NEXT_ROW

// PREFETCH_C10 asks for the ten rows of a 10×8 tile.
#define PREFETCH_C10 PREFETCH_C6; PREFETCH_NEXT_ROW; PREFETCH_NEXT_ROW; PREFETCH_NEXT_ROW; PREFETCH_NEXT_ROW
