package tensor

// Products with ten rows or ten columns: the output layer of a 10-class
// network, whose forward product Z = A·Wᵀ has 10 columns and whose weight
// gradient Δᵀ·A (with the fused SGD step, W ← W − lr·Δᵀ·A) has 10 rows.
//
// Cut into 6×8 tiles, 10 columns are one full tile and one that is 2/8
// full: the kernel runs on a copy padded with zeros, so 3/8 of the work and
// two copies of the tile are wasted; 10 rows waste 1/6. When the kernel has
// narrow twins (kernel.Narrow: the AVX-512 one does), such a product runs
// on 6×10 or 10×8 tiles instead, which fit it exactly. The twins compute
// every element with the same operations in the same order as the kernel,
// so the product has the same bits either way (TestNarrowSameBits,
// TestNarrowMatchesTiles).
//
// The 6×10 path reads op(B) as a kc×10 row-major block: B itself when it is
// stored k×10, else a packed copy. It reads A where it lies, through its
// strides, and a last panel of fewer than 6 rows is computed by the 6 rows
// that end there: the rows above it are computed again into a scratch tile
// and dropped, which costs less than copying the panel out with zero rows
// below (each element depends only on its own row of A, so the bits are the
// same). The 10×8 path reads A in place the same way and B as run does.

// narrowMode overrides the choice of the narrow tiles in tests and
// benchmarks: 0 uses them whenever the kernel has them, -1 never.
var narrowMode = 0

// runNarrow computes the rows [i0, i1) and columns [j0, j1) of C on narrow
// tiles, and reports whether it did: it does when the block spans all 10
// columns or all 10 rows of C and the kernel has the twin for it.
func (g *gemmJob) runNarrow(i0, i1, j0, j1 int, ws *workspace) bool {
	switch {
	case narrowMode < 0:
		return false
	case g.cols10 != nil && g.n == wide && j0 == 0 && j1 == wide:
		g.runCols10(i0, i1, ws)
		return true
	case g.rows10 != nil && g.m == wide && i0 == 0 && i1 == wide:
		g.runRows10(j0, j1, ws)
		return true
	}
	return false
}

// runCols10 computes the rows [i0, i1) of C when C has 10 columns.
func (g *gemmJob) runCols10(i0, i1 int, ws *workspace) {
	kb := kBlock(g.k)
	for pc := 0; pc < g.k; pc += kb {
		kc := min(kb, g.k-pc)
		beta := 1.0 // the first k-block applies beta; later ones add
		if pc == 0 {
			beta = g.beta
		}
		// op(B)[pc:pc+kc, :] as a kc×10 row-major block.
		bp := g.b[pc*wide:]
		if g.transB {
			ws.b = grow(ws.b, kc*wide)
			packCols10(ws.b, g.b, g.k, pc, kc)
			bp = ws.b
		}
		for ir := i0; ir < i1; ir += mr {
			h := min(mr, i1-ir)
			// The kernel computes rows top..top+5 of C; the wanted ones
			// are tile rows skip..skip+h-1.
			top, skip := ir, 0
			if h < mr {
				top, skip = i1-mr, mr-h // the 6 rows that end at i1
			}
			var ap []float64
			var rsa, csa int
			switch {
			case top < 0: // fewer than 6 rows in all: pad with zero rows
				ws.edge = grow(ws.edge, mr*kc)
				packA(ws.edge, g.a, g.transA, g.m, g.k, ir, h, pc, kc)
				ap, rsa, csa, skip = ws.edge, 1, mr, 0
			case g.transA: // A is stored k×m
				ap, rsa, csa = g.a[pc*g.m+top:], 1, g.m
			default: // A is stored m×k
				ap, rsa, csa = g.a[top*g.k+pc:], g.k, 1
			}
			if h == mr {
				g.cols10(kc, ap, rsa, csa, bp, wide, g.alpha, beta, g.c[ir*wide:], wide)
				continue
			}
			// A partial tile: compute it into the scratch tile and keep
			// the h rows wanted.
			t := ws.tile[:mr*wide]
			copy(t[skip*wide:], g.c[ir*wide:i1*wide])
			g.cols10(kc, ap, rsa, csa, bp, wide, g.alpha, beta, t, wide)
			copy(g.c[ir*wide:i1*wide], t[skip*wide:])
		}
	}
}

// packCols10 copies op(B)[p0:p0+depth, :] into dst as a depth×10 row-major
// block, for a B stored 10×k (transposed): row j of the stored B is column
// j of op(B). It reads the ten rows side by side, so both sides are
// streamed in order.
func packCols10(dst, b []float64, k, p0, depth int) {
	r0 := b[p0 : p0+depth]
	r1 := b[k+p0:][:len(r0)]
	r2 := b[2*k+p0:][:len(r0)]
	r3 := b[3*k+p0:][:len(r0)]
	r4 := b[4*k+p0:][:len(r0)]
	r5 := b[5*k+p0:][:len(r0)]
	r6 := b[6*k+p0:][:len(r0)]
	r7 := b[7*k+p0:][:len(r0)]
	r8 := b[8*k+p0:][:len(r0)]
	r9 := b[9*k+p0:][:len(r0)]
	dst = dst[:depth*wide]
	for p := range r0 {
		// Element by element: an array copy would call memmove.
		o := (*[wide]float64)(dst[p*wide:])
		o[0], o[1], o[2], o[3], o[4] = r0[p], r1[p], r2[p], r3[p], r4[p]
		o[5], o[6], o[7], o[8], o[9] = r5[p], r6[p], r7[p], r8[p], r9[p]
	}
}

// runRows10 computes the columns [j0, j1) of C when C has 10 rows. A is
// read in place: a transposed A (stored k×10, as Δ is in the weight
// gradient Δᵀ·A) is already laid out as a packed 10-row panel. B is packed
// or read in place as run does it.
func (g *gemmJob) runRows10(j0, j1 int, ws *workspace) {
	kb := kBlock(g.k)
	for jc := j0; jc < j1; jc += blockN {
		nc := min(blockN, j1-jc)
		for pc := 0; pc < g.k; pc += kb {
			kc := min(kb, g.k-pc)
			beta := 1.0
			if pc == 0 {
				beta = g.beta
			}
			g.packBlockB(ws, jc, nc, pc, kc)
			ap, rsa, csa := g.a[pc:], g.k, 1
			if g.transA {
				ap, rsa, csa = g.a[pc*wide:], 1, wide
			}
			for jr := 0; jr < nc; jr += nr {
				w := min(nr, nc-jr)
				bp, ldb := g.bPanel(ws, jc, jr, w, kc, pc)
				g.tile10(ws, kc, ap, rsa, csa, bp, ldb, beta, jc+jr, w)
			}
		}
	}
}
