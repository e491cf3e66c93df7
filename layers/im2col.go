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

// colBudget is the largest number of entries of X_col (2 MiB of them)
// that a Conv2d builds at once: it works through the batch in chunks of
// images whose columns fit, so that the products read X_col from the
// cache im2col has just written it to. Built whole, the column matrix of
// a 32→64-channel 3×3 layer on a batch of 64 14×14 maps is 29 MB, which
// im2col writes to memory, two products read back and whose gradient a
// third writes for col2im to read: about 150 MB of memory traffic a
// step, against 1.4 GFLOP of products. The price is a second im2col in
// Backward of each chunk but the last, which Forward leaves in X_col.
// Tests lower the budget to run the chunks on small shapes.
var colBudget = 1 << 18

// chunk returns the number of images whose column matrix fits in
// colBudget entries (at least 1). It depends on the shapes alone, so the
// sums, and the bits, are the same for every GOMAXPROCS.
func (g convGeom) chunk() int {
	per := g.c * g.k * g.k * g.ho * g.wo
	return max(1, min(g.n, colBudget/per))
}

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
func im2col(g convGeom, x, col []float64) {
	np := g.n * g.ho * g.wo
	for c := 0; c < g.c; c++ {
		for u := 0; u < g.k; u++ {
			for v := 0; v < g.k; v++ {
				dst := col[((c*g.k+u)*g.k+v)*np:][:np]
				lo, hi := g.taps(v)
				for n := 0; n < g.n; n++ {
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
	}
}

// col2im stores in dx (N×C×H×W) the sum, over the entries of dcol that
// were copied from each pixel by im2col, of those entries: C4 from
// ∂L/∂X_col. Every entry of dx is written; taps on the padding are
// dropped.
func col2im(g convGeom, dcol, dx []float64) {
	clear(dx)
	np := g.n * g.ho * g.wo
	for c := 0; c < g.c; c++ {
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
						for j := lo; j < hi; j++ {
							dst[g.s*j+v-g.p] += in[j] // C4: the pixel gets every tap that read it
						}
					}
				}
			}
		}
	}
}
