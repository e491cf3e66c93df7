package layers

// im2col and col2im, the copies of the matrix form of a convolution
// (package doc, "Convolution as a matrix product: im2col").
//
// The column matrix has K = C·k·k rows, one per tap (c, u, v), and
// N·H′·W′ columns, one per output position (n, i, j):
//
//	col[(c,u,v), (n,i,j)] = X̃[n,c, s·i+u, s·j+v],
//
// zero where the tap falls on the padding. Row (c, u, v) holds, for every
// image n and output row i, the input row r = s·i + u − p read every s
// pixels from column v − p on: for stride 1 a contiguous piece of that
// row, copied whole, with zeros where it sticks out over the border.

// images returns g for the nb images from n0 on (fewer at the end of the
// batch).
func (g convGeom) images(n0, nb int) convGeom {
	g.n = min(nb, g.n-n0)
	return g
}

// taps returns the range [lo, hi) of output columns j whose tap v falls
// inside the image, 0 ≤ s·j + v − p < w, and hi ≥ lo.
func (g convGeom) taps(v int) (lo, hi int) {
	if d := g.p - v; d > 0 {
		lo = (d + g.s - 1) / g.s // ⌈(p − v)/s⌉
	}
	if e := g.w - 1 + g.p - v; e >= 0 {
		hi = min(e/g.s+1, g.wo) // ⌊(w − 1 + p − v)/s⌋ + 1
	}
	return min(lo, hi), hi
}

// im2col fills col (K × N·H′·W′, row-major) from x (N×C×H×W). Every
// entry of col is written.
func im2col(g convGeom, x, col []float64) { im2colRows(g, x, col, 0, g.c*g.k*g.k) }

// im2colRows is im2col for the rows lo, …, hi−1 of col only.
func im2colRows(g convGeom, x, col []float64, lo, hi int) {
	np := g.n * g.ho * g.wo
	for row := lo; row < hi; row++ {
		c, u, v := row/(g.k*g.k), row/g.k%g.k, row%g.k // row = (c, u, v)
		dst := col[row*np:][:np]
		lo, hi := g.taps(v)
		for n := 0; n < g.n; n++ {
			if g.same() {
				shifted(g, x[(n*g.c+c)*g.h*g.w:][:g.h*g.w], dst[n*g.h*g.w:][:g.h*g.w], u, v, lo, hi)
				continue
			}
			for i := 0; i < g.ho; i++ {
				out := dst[(n*g.ho+i)*g.wo:][:g.wo] // the columns (n, i, ·)
				r := g.s*i + u - g.p
				if r < 0 || r >= g.h {
					clear(out) // the whole row of taps is on the padding
					continue
				}
				src := x[((n*g.c+c)*g.h+r)*g.w:][:g.w] // X[n,c,r,·]
				clear(out[:lo])
				if g.s == 1 && lo < hi {
					copy(out[lo:hi], src[lo+v-g.p:])
				} else {
					for j := lo; j < hi; j++ {
						out[j] = src[g.s*j+v-g.p]
					}
				}
				clear(out[hi:])
			}
		}
	}
}

// same reports whether the convolution keeps the image's size with
// stride 1 (k = 2p + 1, the usual 3×3 with padding 1): then im2col's row
// (c, u, v) of one image is the channel image itself, shifted.
func (g convGeom) same() bool { return g.s == 1 && g.ho == g.h && g.wo == g.w }

// shifted writes into out (H×W) the row (c, u, v) of the column matrix of
// one channel image xc (H×W) of a convolution that keeps the size (see
// same): out[i, j] = xc[i+u−p, j+v−p], zero outside the image. In the flat
// arrays that is out[t] = xc[t + (u−p)·W + (v−p)], so the rows of the
// image whose taps fall inside it are one copy; then the columns j < lo
// and j ≥ hi, whose taps fall on the left or right padding and which the
// copy filled with the neighbouring rows' ends, are cleared.
func shifted(g convGeom, xc, out []float64, u, v, lo, hi int) {
	hw, d := len(out), (u-g.p)*g.w+v-g.p
	i0, i1 := max(0, g.p-u), min(g.h, g.h+g.p-u) // rows whose taps are inside
	start, end := max(i0*g.w, -d), min(i1*g.w, hw-d)
	if start >= end {
		clear(out)
		return
	}
	clear(out[:start])
	copy(out[start:end], xc[start+d:end+d])
	clear(out[end:])
	for i := i0; i < i1; i++ {
		row := out[i*g.w:][:g.w]
		clear(row[:lo])
		clear(row[hi:])
	}
}

// col2im stores in dx (N×C×H×W) the sum, over the entries of dcol that
// were copied from each pixel by im2col, of those entries: C4 from
// ∂L/∂X_col. Every entry of dx is written; taps on the padding are
// dropped.
func col2im(g convGeom, dcol, dx []float64) { col2imChannels(g, dcol, dx, 0, g.c) }

// col2imChannels is col2im for the channels lo, …, hi−1 of dx only, which
// it clears first: their pixels get only the taps of their own rows of
// dcol.
func col2imChannels(g convGeom, dcol, dx []float64, lo, hi int) {
	hw := g.h * g.w
	for n := 0; n < g.n; n++ {
		clear(dx[(n*g.c+lo)*hw : (n*g.c+hi)*hw])
	}
	np := g.n * g.ho * g.wo
	for c := lo; c < hi; c++ {
		for u := 0; u < g.k; u++ {
			for v := 0; v < g.k; v++ {
				src := dcol[((c*g.k+u)*g.k+v)*np:][:np]
				lo, hi := g.taps(v)
				for n := 0; n < g.n; n++ {
					for i := 0; i < g.ho; i++ {
						r := g.s*i + u - g.p
						if r < 0 || r >= g.h {
							continue
						}
						in := src[(n*g.ho+i)*g.wo:][:g.wo]
						dst := dx[((n*g.c+c)*g.h+r)*g.w:][:g.w] // ∂L/∂X[n,c,r,·]
						if g.s == 1 && lo < hi {
							in, dst := in[lo:hi], dst[lo+v-g.p:][:hi-lo] // no bounds checks
							for j, t := range in {
								dst[j] += t // C4: the pixel gets every tap that read it
							}
							continue
						}
						for j := lo; j < hi; j++ {
							dst[g.s*j+v-g.p] += in[j] // C4: the pixel gets every tap that read it
						}
					}
				}
			}
		}
	}
}
