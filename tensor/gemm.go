package tensor

import (
	"sync"

	"github.com/backprop-go/backprop/tensor/internal/kernel"
)

// The blocked matrix product, after Goto and van de Geijn ("Anatomy of
// high-performance matrix multiplication", 2008) and BLIS.
//
// C (m×n) += op(A) (m×k) · op(B) (k×n) is cut three ways:
//
//	for jc in steps of blockN over the columns of C:
//	  for pc in k-blocks of at most blockK:
//	    pack op(B)[pc:pc+kc, jc:jc+nc] into ws.b   (kc×nc, lives in L2/L3)
//	    for ic in steps of blockM over the rows of C:
//	      (pack op(A)[ic:ic+mc, pc:pc+kc] into ws.a if A is transposed)
//	      for each NR-column panel of ws.b          (kc×NR, lives in L1)
//	        for each MR-row panel of the A block    (mc×kc, lives in L2)
//	          micro-kernel: C tile (MR×NR) += A panel · B panel
//
// Packing copies a block once into the order the micro-kernel reads it, so
// the inner loop streams contiguous memory whatever the transposes: Bᵀ is
// handled by reading the source with other strides while packing, never by
// forming a transpose. The micro-kernel needs only MR scalars of A per step
// and reads them through two strides, so a row-major A is used where it
// lies; a transposed A is packed (see shouldPackA).
//
// The block sizes are chosen for the caches of a typical x86-64 core
// (L1d 32–48 KiB, L2 512 KiB–1 MiB, shared L3 of several MiB):
//
//   - blockK = 256: one B panel (256×8 float64 = 16 KiB) plus one A panel
//     (6×256 = 12 KiB) fit in a 32 KiB L1 together. The B panel is reused
//     for every A panel of the block, so it must stay there.
//   - blockM = 96: a block of A (96×256 = 192 KiB) stays in L2, where
//     every B panel reads it again.
//   - blockN = 1024: the packed B block (256×1024 = 2 MiB) sits in L3 (the
//     homework's layers have at most 784 columns, so B is packed whole).
const (
	blockK = 256
	blockM = 96 // a multiple of kernel.MR
	blockN = 1024
)

const mr, nr, wide = kernel.MR, kernel.NR, kernel.Wide

// gemmJob holds the arguments of one product C = alpha·op(A)·op(B) + beta·C
// on row-major slices; see gemm.
type gemmJob struct {
	micro          kernel.Func
	cols10, rows10 kernel.Func      // micro's narrow twins, or nil (see narrow.go)
	strip          kernel.StripFunc // micro over a row of tiles, or nil (see macroStrips)
	transA, transB bool
	packA          bool // pack blocks of A, or let the kernel read A in place
	packB          bool // pack blocks of op(B), or read B's full panels in place
	m, n, k        int
	alpha, beta    float64
	a, b, c        []float64
}

// workspace holds one goroutine's packing buffers. Workspaces are recycled
// through a sync.Pool, so a product allocates nothing once the pool holds
// buffers large enough.
type workspace struct {
	a, b []float64
	edge []float64          // A's bottom rows, zero-padded to MR, when A is read in place
	tile [wide * nr]float64 // a partial tile at the right or bottom edge of C (6×8, 6×10 or 10×8)
	ct   []float64          // Cᵀ, for a swapped product (see runSwapped)
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// kBlock returns the size of the k-blocks: k split into ⌈k/blockK⌉ blocks
// as equal as possible, so that k = 784 gives four blocks of 196 rather
// than three of 256 and a thin one of 16. It depends on k alone, never on
// the number of goroutines, which is one half of why results are
// bit-identical for any GOMAXPROCS (see doc.go). An empty k is one empty
// block.
func kBlock(k int) int {
	if k <= 0 {
		return 0
	}
	nb := (k + blockK - 1) / blockK
	return (k + nb - 1) / nb
}

// run computes the rows [i0, i1) and columns [j0, j1) of C. It touches no
// other part of C, so goroutines given disjoint rectangles can run at once.
// It requires m, n, k > 0 and alpha != 0 (gemm handles the rest).
func (g *gemmJob) run(i0, i1, j0, j1 int, ws *workspace) {
	if g.runNarrow(i0, i1, j0, j1, ws) {
		return
	}
	kb := kBlock(g.k)
	tall := g.tallRows(i1 - i0)
	for jc := j0; jc < j1; jc += blockN {
		nc := min(blockN, j1-jc)
		for pc := 0; pc < g.k; pc += kb {
			kc := min(kb, g.k-pc)
			// The first k-block applies beta; later ones add to C.
			beta := 1.0
			if pc == 0 {
				beta = g.beta
			}
			g.packBlockB(ws, jc, nc, pc, kc)
			for ic := i0; ic < i1; {
				// A block of at most blockM rows on MR-row panels;
				// the last one also takes the tall panels.
				mc := min(blockM, i1-tall-ic)
				t := 0
				if ic+mc == i1-tall {
					t = tall
				}
				if g.packA {
					ws.a = grow(ws.a, roundUp(mc, mr)*kc+t*kc)
					packA(ws.a, g.a, g.transA, g.m, g.k, ic, mc, pc, kc)
					packTall(ws.a[mc*kc:], g.a, g.transA, g.m, g.k, ic+mc, t, pc, kc)
				} else if h := mc % mr; h != 0 {
					ws.edge = grow(ws.edge, mr*kc)
					packA(ws.edge, g.a, g.transA, g.m, g.k, ic+mc-h, h, pc, kc)
				}
				g.macro(ws, ic, mc+t, t, jc, nc, kc, pc, beta)
				ic += mc + t
			}
		}
	}
}

// tallRows returns how many of the last rows of a range of rows of C (as
// many as rows) are computed on Wide-row panels by the kernel's 10×8 twin
// (narrow.go): 10 when rows is 4 more than a multiple of MR, 20 when it is
// 2 more. The rest is then whole MR-row panels, so no row is padded with
// zeros or computed twice, which costs up to a whole panel: 64 rows are 10
// panels of 6 and a last one of 4, or 9 of 6 and one of 10, 3% less work.
// The twin computes every element with the same operations as the kernel,
// so the bits do not depend on which panel a row falls in. It returns 0
// when the kernel has no twin, or rows is odd or too few.
func (g *gemmJob) tallRows(rows int) int {
	// 10 and 20 are 4 and 2 more than multiples of MR only for these.
	const _, _ = uint(mr - 6), uint(6 - mr)
	const _, _ = uint(wide - 10), uint(10 - wide)
	if !g.hasTall() {
		return 0
	}
	switch rows % mr {
	case 4:
		if rows >= wide {
			return wide
		}
	case 2:
		if rows >= 2*wide {
			return 2 * wide
		}
	}
	return 0
}

// hasTall reports whether the kernel's 10×8 twin is there (and not
// turned off by a test) to compute tall panels.
func (g *gemmJob) hasTall() bool { return g.rows10 != nil && narrowMode >= 0 }

// packBlockB packs op(B)[pc:pc+kc, jc:jc+nc] into ws.b when B is packed,
// or else only its right-edge panel, zero-padded to NR, when nc is not a
// multiple of NR; bPanel then finds each panel.
func (g *gemmJob) packBlockB(ws *workspace, jc, nc, pc, kc int) {
	if g.packB {
		ws.b = grow(ws.b, roundUp(nc, nr)*kc)
		packB(ws.b, g.b, g.transB, g.n, g.k, pc, kc, jc, nc)
	} else if w := nc % nr; w != 0 {
		ws.b = grow(ws.b, nr*kc)
		packB(ws.b, g.b, g.transB, g.n, g.k, pc, kc, jc+nc-w, w)
	}
}

// runSwapped computes C = alpha·A·Bᵀ + beta·C, the whole of it, as
// Cᵀ = alpha·B·Aᵀ + beta·Cᵀ (see shouldSwap): C is transposed into ws.ct
// (unless beta == 0, when its old value is not read), the product is
// computed there with B as the A operand, read in place, and A packed as
// the B operand, and the result is transposed back into C.
func (g *gemmJob) runSwapped(ws *workspace) {
	ws.ct = grow(ws.ct, g.m*g.n)
	if g.beta != 0 {
		transposeInto(ws.ct, g.c, g.m, g.n)
	}
	sw := *g
	sw.m, sw.n, sw.a, sw.b, sw.c = g.n, g.m, g.b, g.a, ws.ct
	sw.packA, sw.packB = shouldPackA(false), shouldPackB(true, sw.m, sw.n, sw.k)
	sw.run(0, sw.m, 0, sw.n, ws)
	transposeInto(g.c, ws.ct, sw.m, sw.n)
}

// transposeInto writes the transpose of the m×n matrix src into dst, which
// is n×m: dst[j*m+i] = src[i*n+j]. Full 8×8 blocks go through
// kernel.Transpose8x8 (in registers, on AVX-512), a row of blocks at a
// time; the ragged right and bottom edges are copied one value at a time.
func transposeInto(dst, src []float64, m, n int) {
	mb, nb := m/8*8, n/8*8
	for ib := 0; ib < mb; ib += 8 {
		kernel.Transpose8x8(dst[ib:], m, src[ib*n:], n, nb/8)
	}
	for i := 0; i < m; i++ {
		start := nb
		if i >= mb {
			start = 0 // a bottom row: all of it
		}
		row := src[i*n : i*n+n]
		for j := start; j < n; j++ {
			dst[j*m+i] = row[j]
		}
	}
}

// macro multiplies the packed blocks into C[ic:ic+mc, jc:jc+nc], one
// MR×NR tile at a time, and the last tall rows (a multiple of Wide, see
// tallRows) one Wide×NR tile at a time.
func (g *gemmJob) macro(ws *workspace, ic, mc, tall, jc, nc, kc, pc int, beta float64) {
	if g.strip != nil && stripMode >= 0 && kc*nc <= stripMax {
		g.macroStrips(ws, ic, mc, tall, jc, nc, kc, pc, beta)
		return
	}
	n := g.n
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		bp, ldb := g.bPanel(ws, jc, jr, w, kc, pc)
		for ir := mc - tall; ir < mc; ir += wide {
			g.tallTile(ws, ic, ir, jc+jr, w, kc, pc, bp, ldb, beta)
		}
		for ir := 0; ir < mc-tall; ir += mr {
			h := min(mr, mc-tall-ir)
			if h < mr || w < nr {
				g.tile(ws, ic, ir, h, jc+jr, w, kc, pc, bp, ldb, beta)
				continue
			}
			// A full tile, the common case, straight to the kernel
			// (aPanel is inlined): going through tile measured 1-2%
			// slower on 256×256·256×256 (four interleaved runs of go
			// test -bench 'Gemm/AB_256' -cpu 1).
			ap, rsa, csa := g.aPanel(ws, ic, ir, h, kc, pc)
			g.micro(kc, ap, rsa, csa, bp, ldb, g.alpha, beta, g.c[(ic+ir)*n+jc+jr:], n)
		}
	}
}

// stripMax is the size (kc·nc values) up to which a block of B is
// multiplied in strips: the whole block then fits in the L1 cache beside
// an A panel, so the order of the loops does not matter to the caches,
// and the kernel's fixed cost per call, which a short k does not amortise,
// is paid once per strip. The homework's case is the output layer's input
// gradient Δ·W (k = 10, n = 128).
const stripMax = 4096

// stripMode overrides the use of strips in tests and benchmarks: 0 uses
// them when the kernel has them and the block is small, -1 never.
var stripMode = 0

// macroStrips is macro with the loops the other way round: for each full
// MR-row panel of A, one call of the strip kernel multiplies it by every
// full NR-column panel of the B block. The edges go tile by tile.
func (g *gemmJob) macroStrips(ws *workspace, ic, mc, tall, jc, nc, kc, pc int, beta float64) {
	full := nc / nr * nr // columns in full panels
	bs, ldb, bstep := ws.b, nr, nr*kc
	if !g.packB {
		bs, ldb, bstep = g.b[pc*g.n+jc:], g.n, nr
	}
	for ir := mc - tall; ir < mc; ir += wide {
		for jr := 0; jr < nc; jr += nr {
			w := min(nr, nc-jr)
			bp, ldb := g.bPanel(ws, jc, jr, w, kc, pc)
			g.tallTile(ws, ic, ir, jc+jr, w, kc, pc, bp, ldb, beta)
		}
	}
	mc -= tall
	for ir := 0; ir < mc; ir += mr {
		h := min(mr, mc-ir)
		switch {
		case full == 0:
		case h == mr:
			ap, rsa, csa := g.aPanel(ws, ic, ir, h, kc, pc)
			g.strip(full/nr, bstep, kc, ap, rsa, csa, bs, ldb, g.alpha, beta, g.c[(ic+ir)*g.n+jc:], g.n)
		case beta == 0 && mc >= mr && !g.packA:
			// The bottom edge, fewer than MR rows: run the strip on the
			// MR rows that end there, A read in place. The rows above the
			// edge are computed again, and with beta = 0 (C not read)
			// they get the bits they already have.
			top := mc - mr
			ap, rsa, csa := g.aPanel(ws, ic, top, mr, kc, pc)
			g.strip(full/nr, bstep, kc, ap, rsa, csa, bs, ldb, g.alpha, beta, g.c[(ic+top)*g.n+jc:], g.n)
		default:
			for jr := 0; jr < full; jr += nr {
				bp, ldb := g.bPanel(ws, jc, jr, nr, kc, pc)
				g.tile(ws, ic, ir, h, jc+jr, nr, kc, pc, bp, ldb, beta)
			}
		}
		if full < nc {
			bp, ldb := g.bPanel(ws, jc, full, nc-full, kc, pc)
			g.tile(ws, ic, ir, h, jc+full, nc-full, kc, pc, bp, ldb, beta)
		}
	}
}

// aPanel returns the MR×kc panel of op(A) at rows ic+ir, columns pc, h of
// them inside A, as run has packed or left it: element (i, p) is
// ap[i*rsa+p*csa]. With h = Wide it is a tall panel (see tallRows), all
// inside A.
func (g *gemmJob) aPanel(ws *workspace, ic, ir, h, kc, pc int) (ap []float64, rsa, csa int) {
	switch {
	case g.packA && h == wide:
		return ws.a[ir*kc : (ir+wide)*kc], 1, wide
	case g.packA:
		return ws.a[ir*kc : (ir+mr)*kc], 1, mr
	case h < mr:
		return ws.edge, 1, mr
	case g.transA: // A is stored k×m
		return g.a[pc*g.m+ic+ir:], 1, g.m
	default: // A is stored m×k
		return g.a[(ic+ir)*g.k+pc:], g.k, 1
	}
}

// tile computes the MR×NR tile of C at rows ic+ir, columns j, of which h
// rows and w columns lie inside C, from A's panel at ir and the B panel
// bp.
func (g *gemmJob) tile(ws *workspace, ic, ir, h, j, w, kc, pc int, bp []float64, ldb int, beta float64) {
	n := g.n
	ap, rsa, csa := g.aPanel(ws, ic, ir, h, kc, pc)
	off := (ic+ir)*n + j
	if h == mr && w == nr {
		g.micro(kc, ap, rsa, csa, bp, ldb, g.alpha, beta, g.c[off:], n)
		return
	}
	// A partial tile: run the same kernel on a full-size copy and write
	// back only the part inside C. Using the same kernel keeps every
	// element's arithmetic identical, edge or not.
	t := ws.tile[:]
	copyRect(t, nr, g.c[off:], n, h, w)
	g.micro(kc, ap, rsa, csa, bp, ldb, g.alpha, beta, t, nr)
	copyRect(g.c[off:], n, t, nr, h, w)
}

// tallTile computes the Wide×NR tile of C at rows ic+ir, columns j, of
// which w columns lie inside C, from a tall panel of A (see tallRows).
func (g *gemmJob) tallTile(ws *workspace, ic, ir, j, w, kc, pc int, bp []float64, ldb int, beta float64) {
	ap, rsa, csa := g.aPanel(ws, ic, ir, wide, kc, pc)
	g.tile10(ws, kc, ap, rsa, csa, bp, ldb, beta, (ic+ir)*g.n+j, w)
}

// tile10 runs the kernel's 10×8 twin on the tile of C at offset off, of
// which w columns lie inside C: in place when all NR do, else on a copy in
// the scratch tile, of which only the w columns are written back.
func (g *gemmJob) tile10(ws *workspace, kc int, ap []float64, rsa, csa int, bp []float64, ldb int, beta float64, off, w int) {
	if w == nr {
		g.rows10(kc, ap, rsa, csa, bp, ldb, g.alpha, beta, g.c[off:], g.n)
		return
	}
	t := ws.tile[:wide*nr]
	copyRect(t, nr, g.c[off:], g.n, wide, w)
	g.rows10(kc, ap, rsa, csa, bp, ldb, g.alpha, beta, t, nr)
	copyRect(g.c[off:], g.n, t, nr, wide, w)
}

// copyRect copies an h×w block from src (row stride lds) to dst (row
// stride ldd): the part of a partial tile inside C, to or from the scratch
// tile a kernel computes whole.
func copyRect(dst []float64, ldd int, src []float64, lds, h, w int) {
	for i := 0; i < h; i++ {
		copy(dst[i*ldd:i*ldd+w], src[i*lds:i*lds+w])
	}
}

// bPanel returns the kc×NR panel of op(B) at rows pc, columns jc+jr, w of
// them inside B, as run has packed or left it: element (p, j) is
// bp[p*ldb+j].
func (g *gemmJob) bPanel(ws *workspace, jc, jr, w, kc, pc int) (bp []float64, ldb int) {
	switch {
	case g.packB:
		return ws.b[jr*kc : (jr+nr)*kc], nr
	case w < nr:
		return ws.b[:nr*kc], nr
	default: // B is stored k×n, row-major
		return g.b[pc*g.n+jc+jr:], g.n
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

// packA copies op(A)[i0:i0+rows, p0:p0+depth] into dst as MR-row panels:
// panel r holds, for each p, the MR values op(A)[i0+r·MR+i, p0+p]; rows past
// the edge are zero. op(A)[i,p] is a[i*k+p], or a[p*m+i] when transA.
func packA(dst, a []float64, transA bool, m, k, i0, rows, p0, depth int) {
	for ir := 0; ir < rows; ir += mr {
		panel := dst[ir*depth : (ir+mr)*depth]
		h := min(mr, rows-ir)
		switch {
		case transA && h == mr:
			// Row p of the stored Aᵀ holds column p of op(A): copy
			// runs of MR contiguous values.
			for p := 0; p < depth; p++ {
				off := (p0+p)*m + i0 + ir
				src := a[off : off+mr : off+mr]
				o := (*[mr]float64)(panel[p*mr:])
				o[0], o[1], o[2], o[3], o[4], o[5] = src[0], src[1], src[2], src[3], src[4], src[5]
			}
		case h == mr:
			// Read MR rows of A side by side, write the panel in order.
			off := (i0+ir)*k + p0
			r0 := a[off : off+depth]
			r1 := a[off+k:][:len(r0)]
			r2 := a[off+2*k:][:len(r0)]
			r3 := a[off+3*k:][:len(r0)]
			r4 := a[off+4*k:][:len(r0)]
			r5 := a[off+5*k:][:len(r0)]
			for p := range r0 {
				o := (*[mr]float64)(panel[p*mr:])
				o[0], o[1], o[2], o[3], o[4], o[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
		default:
			// The bottom edge: fewer than MR rows left, pad with zeros.
			clear(panel)
			for p := 0; p < depth; p++ {
				for i := 0; i < h; i++ {
					panel[p*mr+i] = at(a, transA, m, k, i0+ir+i, p0+p)
				}
			}
		}
	}
}

// packTall copies op(A)[i0:i0+rows, p0:p0+depth] into dst as Wide-row
// panels, as packA does MR-row ones; rows is a multiple of Wide (see
// tallRows).
func packTall(dst, a []float64, transA bool, m, k, i0, rows, p0, depth int) {
	for ir := 0; ir < rows; ir += wide {
		panel := dst[ir*depth : (ir+wide)*depth]
		for p := 0; p < depth; p++ {
			o := panel[p*wide : (p+1)*wide]
			if transA {
				// Row p of the stored Aᵀ: Wide contiguous values.
				copy(o, a[(p0+p)*m+i0+ir:])
				continue
			}
			for i := range o {
				o[i] = a[(i0+ir+i)*k+p0+p]
			}
		}
	}
}

// packB copies op(B)[p0:p0+depth, j0:j0+cols] into dst as NR-column
// panels: panel r holds, for each p, the NR values op(B)[p0+p, j0+r·NR+j];
// columns past the edge are zero. op(B)[p,j] is b[p*n+j], or b[j*k+p] when
// transB.
func packB(dst, b []float64, transB bool, n, k, p0, depth, j0, cols int) {
	full := cols / nr * nr // columns in full panels
	if !transB {
		// Walk B row by row, so memory is read in order, and deal each
		// row's values out to the panels: NR contiguous values each.
		for p := 0; p < depth; p++ {
			row := b[(p0+p)*n+j0 : (p0+p)*n+j0+full]
			for jr := 0; jr < full; jr += nr {
				// Element by element: an array copy would call memmove.
				src := row[jr : jr+nr : jr+nr]
				o := (*[nr]float64)(dst[jr*depth+p*nr:])
				o[0], o[1], o[2], o[3] = src[0], src[1], src[2], src[3]
				o[4], o[5], o[6], o[7] = src[4], src[5], src[6], src[7]
			}
		}
	} else {
		// Row j of the stored Bᵀ holds column j of op(B): a panel is NR
		// of those rows read side by side, which is what PackRows8 does
		// (NR is 8: the constants below do not compile otherwise).
		const _, _ = uint(nr - 8), uint(8 - nr)
		for jr := 0; jr < full; jr += nr {
			kernel.PackRows8(dst[jr*depth:(jr+nr)*depth], b[(j0+jr)*k+p0:], k, depth)
		}
	}
	if w := cols - full; w > 0 {
		// The right edge: fewer than NR columns left, pad with zeros.
		panel := dst[full*depth : (full+nr)*depth]
		clear(panel)
		for p := 0; p < depth; p++ {
			for j := 0; j < w; j++ {
				panel[p*nr+j] = at(b, transB, k, n, p0+p, j0+full+j)
			}
		}
	}
}

// at returns element (i, j) of op(X), where op(X) is r×c: X is stored r×c
// row-major, or c×r when trans.
func at(x []float64, trans bool, r, c, i, j int) float64 {
	if trans {
		return x[j*r+i]
	}
	return x[i*c+j]
}

// scaleC sets C = beta·C, the whole product when k == 0 or alpha == 0.
// As everywhere, beta == 0 overwrites C with zeros, NaNs included.
func scaleC(beta float64, c []float64) {
	if beta == 0 {
		clear(c)
		return
	}
	for i := range c {
		c[i] *= beta
	}
}
