package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/tensor"
)

// fastCases are the geometries of the fast-equals-naive table: every
// stride 1, 2, padding 0, 1, 2 and kernel 1, 3, 5, on images whose sizes
// the stride does not divide, batches of 1 and 3, one channel and three.
func fastCases() []convGeom {
	var gs []convGeom
	sizes := [][2]int{{5, 7}, {8, 6}, {3, 4}}
	for ci, c := range []int{1, 3} {
		for _, s := range []int{1, 2} {
			for _, p := range []int{0, 1, 2} {
				for ki, k := range []int{1, 3, 5} {
					hw := sizes[(ci+ki+s+p)%len(sizes)]
					g := convGeom{n: 1 + 2*((s+p+ki)%2), c: c, h: hw[0], w: hw[1], f: 2 + ci + ki, k: k, s: s, p: p}
					if g.h+2*p < k || g.w+2*p < k {
						continue
					}
					g.ho, g.wo = (g.h+2*p-k)/s+1, (g.w+2*p-k)/s+1
					gs = append(gs, g)
				}
			}
		}
	}
	return gs
}

func (g convGeom) String() string {
	return fmt.Sprintf("N%d_C%d_%dx%d_F%d_k%d_s%d_p%d", g.n, g.c, g.h, g.w, g.f, g.k, g.s, g.p)
}

// guarded returns a slice of n entries, filled with fill, inside a larger
// array whose other entries are guard values, and a function that fails
// the test if a guard changed. The slice's capacity reaches into the
// guards after it, so a write past its end through a reslice lands there
// instead of panicking.
func guarded(t *testing.T, n int, fill float64) ([]float64, func(what string)) {
	const pad, guard = 16, -12345.678
	buf := make([]float64, n+2*pad)
	for i := range buf {
		buf[i] = guard
	}
	s := buf[pad : pad+n]
	for i := range s {
		s[i] = fill
	}
	return s, func(what string) {
		t.Helper()
		for i, v := range buf {
			if (i < pad || i >= pad+n) && v != guard {
				t.Fatalf("%s wrote %v into the guard at %d (slice %d..%d)", what, v, i, pad, pad+n)
			}
		}
	}
}

// TestIm2colCol2im checks both copies against their definition, entry by
// entry, with guard values around the outputs; im2col's output starts as
// NaN, so an entry it does not write fails.
func TestIm2colCol2im(t *testing.T) {
	for _, g := range fastCases() {
		rng := rand.New(rand.NewPCG(1, uint64(g.k)))
		x := tensor.RandNormal(rng, 0, 1, g.n, g.c, g.h, g.w).Data
		kk, np := g.c*g.k*g.k, g.n*g.ho*g.wo
		col, check := guarded(t, kk*np, math.NaN())
		im2col(g, x, col)
		check("im2col " + g.String())
		// The definition: col[(c,u,v), (n,i,j)] = X̃[n,c,si+u,sj+v].
		want := make([]float64, kk*np)
		eachTap(g, func(ci, xi int) {
			if xi >= 0 {
				want[ci] = x[xi]
			}
		})
		for i := range want {
			if col[i] != want[i] { // a copy: exact (NaN fails)
				t.Fatalf("%v: im2col[%d] = %v, want %v", g, i, col[i], want[i])
			}
		}
		// col2im of a random dcol: each pixel sums the entries copied from it.
		dcol := tensor.RandNormal(rng, 0, 1, kk, np).Data
		dx, check := guarded(t, len(x), math.NaN())
		col2im(g, dcol, dx)
		check("col2im " + g.String())
		wantDx := make([]float64, len(x))
		eachTap(g, func(ci, xi int) {
			if xi >= 0 {
				wantDx[xi] += dcol[ci]
			}
		})
		closeToMax(t, "col2im "+g.String(), dx, wantDx, 1e-15)
	}
}

// eachTap calls f for every entry of the column matrix, in the order
// (c, u, v), (n, i, j), with its index ci and the index xi into X of the
// pixel X̃[n,c,si+u,sj+v] it copies, or −1 on the padding.
func eachTap(g convGeom, f func(ci, xi int)) {
	np := g.n * g.ho * g.wo
	for c := 0; c < g.c; c++ {
		for u := 0; u < g.k; u++ {
			for v := 0; v < g.k; v++ {
				for n := 0; n < g.n; n++ {
					for i := 0; i < g.ho; i++ {
						for j := 0; j < g.wo; j++ {
							r, q := g.s*i+u-g.p, g.s*j+v-g.p
							xi := -1
							if r >= 0 && r < g.h && q >= 0 && q < g.w {
								xi = ((n*g.c+c)*g.h+r)*g.w + q
							}
							f(((c*g.k+u)*g.k+v)*np+(n*g.ho+i)*g.wo+j, xi)
						}
					}
				}
			}
		}
	}
}

// closeToMax fails unless |got − want| ≤ tol·max|want| for every entry: a
// relative error over the tensor, since single entries of a sum can cancel
// to nearly 0 and have no relative accuracy of their own.
func closeToMax(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	var scale float64
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	if !numtest.Slices(t, what, got, want, numtest.Tol{Abs: tol * scale}) {
		t.Fatalf("%s: the tolerance is %g of the largest |want|, %.3g", what, tol, scale)
	}
}

// convCheck runs the layer (the im2col form) and the naive loops on the
// same random input, weights, bias and δ, and fails unless every output
// and gradient agrees to tol relative to the sum of the magnitudes of its
// terms, which the naive loops compute from |X|, |W|, |b| and |δ|. That is
// the scale of the rounding error of a sum in any order (|Σ − fl(Σ)| ≤
// γₙ Σ|terms|), and it stays meaningful where terms cancel: a bias
// gradient summing 40 values of size 1 to 4e-4 differs by 1.7e-12 of
// itself between two orders.
func convCheck(t *testing.T, g convGeom, seed uint64, bias bool, tol float64) {
	t.Helper()
	fast, x, w, b, dy := convRun(g, seed, bias)
	naive, bound := convNaive(g, x, w, b, dy), convNaive(g, abs(x), abs(w), abs(b), abs(dy))
	names := [4]string{"Y", "∂L/∂X", "∂L/∂W", "∂L/∂b"}
	for j := range fast {
		if len(fast[j]) != len(naive[j]) {
			t.Fatalf("%v: %s has %d values, want %d", g, names[j], len(fast[j]), len(naive[j]))
		}
		for i := range fast[j] {
			if !(math.Abs(fast[j][i]-naive[j][i]) <= tol*bound[j][i]) {
				t.Fatalf("%v bias=%v chunk=%d GOMAXPROCS=%d: %s[%d] = %v, want %v (difference %.2g of the terms' magnitudes %.3g)",
					g, bias, g.chunk(), runtime.GOMAXPROCS(0), names[j], i, fast[j][i], naive[j][i], math.Abs(fast[j][i]-naive[j][i])/bound[j][i], bound[j][i])
			}
		}
	}
}

func abs(v []float64) []float64 {
	if v == nil {
		return nil
	}
	a := make([]float64, len(v))
	for i, x := range v {
		a[i] = math.Abs(x)
	}
	return a
}

// convRun runs a layer with random weights (and bias) Forward on a random
// input and Backward on a random δ, and returns its output, ∂L/∂X, ∂L/∂W
// and ∂L/∂b (nil without bias), and the input, weights, bias and δ.
func convRun(g convGeom, seed uint64, bias bool) (out [4][]float64, x, w, b, dy []float64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	c := NewConv2d(g.c, g.f, g.k, Conv2dOptions{Stride: g.s, Padding: g.p, NoBias: !bias}, rng)
	if bias {
		for i := range c.B.Value.Data {
			c.B.Value.Data[i] = rng.NormFloat64()
		}
		b = c.B.Value.Data
	}
	xt := tensor.RandNormal(rng, 0, 1, g.n, g.c, g.h, g.w)
	dyt := tensor.RandNormal(rng, 0, 1, g.n, g.f, g.ho, g.wo)
	y := c.Forward(xt)
	dx := c.Backward(dyt)
	out = [4][]float64{y.Data, dx.Data, c.W.Grad.Data, nil}
	if bias {
		out[3] = c.B.Grad.Data
	}
	return out, xt.Data, c.W.Value.Data, b, dyt.Data
}

// convNaive returns what convRun's layer returns, from the naive loops.
func convNaive(g convGeom, x, w, b, dy []float64) [4][]float64 {
	y, dx, dw := make([]float64, g.n*g.f*g.ho*g.wo), make([]float64, len(x)), make([]float64, len(w))
	var db []float64
	if b != nil {
		db = make([]float64, g.f)
	}
	convForwardNaive(g, x, w, b, y)
	convBackwardNaive(g, x, w, dy, dx, dw, db)
	return [4][]float64{y, dx, dw, db}
}

// TestConvFastEqualsNaive: the layer's im2col form gives the answers of
// the naive loops to 1e-12 relative (convCheck) on the whole table of
// geometries, with and without bias, with the images summed into ∂L/∂W in
// one chunk, in chunks of one image and of two (see colBudget), on one
// goroutine and shared by two.
func TestConvFastEqualsNaive(t *testing.T) {
	gs := fastCases()
	if len(gs) < 30 {
		t.Fatalf("only %d geometries", len(gs))
	}
	defer func(b int) { colBudget = b }(colBudget)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for i, g := range gs {
		per := g.c * g.k * g.k * g.ho * g.wo // entries of X_col per image
		// The whole batch at once, then one image and two images at a time
		// (a smaller last chunk for odd batches).
		for _, budget := range []int{1 << 18, per, 2 * per} {
			colBudget = budget
			for _, procs := range []int{1, 2} {
				runtime.GOMAXPROCS(procs)
				for _, bias := range []bool{true, false} {
					convCheck(t, g, uint64(i), bias, 1e-12)
				}
			}
		}
	}
}

// TestConvBitIdenticalGOMAXPROCS: the layer's outputs and gradients have
// the same bits with one and with two goroutines for the products, on the
// first layer of a small CNN (64×1×28×28, 32 3×3 filters) and a second
// one (16×32×14×14, 64 filters). It does not need a second free core:
// with GOMAXPROCS 2 the work is cut in two whether or not both run at
// once.
func TestConvBitIdenticalGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, g := range []convGeom{
		{n: 64, c: 1, h: 28, w: 28, f: 32, k: 3, s: 1, p: 1, ho: 28, wo: 28},
		{n: 16, c: 32, h: 14, w: 14, f: 64, k: 3, s: 1, p: 1, ho: 14, wo: 14},
	} {
		runtime.GOMAXPROCS(1)
		one, _, _, _, _ := convRun(g, 5, true)
		runtime.GOMAXPROCS(2)
		two, _, _, _, _ := convRun(g, 5, true)
		for j := range one {
			for i := range one[j] {
				if math.Float64bits(one[j][i]) != math.Float64bits(two[j][i]) {
					t.Fatalf("%v: output %d entry %d is %v with GOMAXPROCS 1 and %v with 2", g, j, i, one[j][i], two[j][i])
				}
			}
		}
	}
}

// FuzzConvFastEqualsNaive draws a geometry (each size kept small), a
// chunk budget and one or two goroutines from the fuzzer's bytes and
// checks the layer against the naive loops:
//
//	go test ./layers -run '^$' -fuzz FuzzConvFastEqualsNaive -fuzztime 1m
func FuzzConvFastEqualsNaive(f *testing.F) {
	f.Add(uint8(2), uint8(3), uint8(7), uint8(6), uint8(4), uint8(3), uint8(1), uint8(1), uint8(0), uint64(1))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(5), uint8(2), uint8(2), uint8(1), uint64(2))
	f.Add(uint8(5), uint8(2), uint8(3), uint8(9), uint8(2), uint8(1), uint8(3), uint8(0), uint8(2), uint64(3))
	f.Fuzz(func(t *testing.T, n, c, h, w, nf, k, s, p, chunk uint8, seed uint64) {
		g := convGeom{n: 1 + int(n%5), c: 1 + int(c%4), h: 1 + int(h%10), w: 1 + int(w%10), f: 1 + int(nf%4), k: 1 + int(k%5), s: 1 + int(s%3), p: int(p % 3)}
		if g.h+2*g.p < g.k || g.w+2*g.p < g.k {
			return
		}
		g.ho, g.wo = (g.h+2*g.p-g.k)/g.s+1, (g.w+2*g.p-g.k)/g.s+1
		defer func(b int) { colBudget = b }(colBudget)
		colBudget = max(1, int(chunk%4)*g.c*g.k*g.k*g.ho*g.wo)
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1 + int(chunk/4%2)))
		convCheck(t, g, seed, seed%2 == 0, 1e-12)
	})
}

// TestConvBackwardTwice: a second Backward after one Forward adds the same
// gradients again, also when the batch runs in chunks (X_col then holds
// another chunk than Forward left in it).
func TestConvBackwardTwice(t *testing.T) {
	defer func(b int) { colBudget = b }(colBudget)
	g := convGeom{n: 5, c: 2, h: 6, w: 5, f: 3, k: 3, s: 1, p: 1, ho: 6, wo: 5}
	for _, budget := range []int{1 << 18, 2 * g.c * g.k * g.k * g.ho * g.wo} {
		colBudget = budget
		rng := rand.New(rand.NewPCG(3, 3))
		c := NewConv2d(g.c, g.f, g.k, Conv2dOptions{Padding: g.p}, rng)
		x := tensor.RandNormal(rng, 0, 1, g.n, g.c, g.h, g.w)
		dy := tensor.RandNormal(rng, 0, 1, g.n, g.f, g.ho, g.wo)
		c.Forward(x)
		dx1 := c.Backward(dy).Clone()
		dw1 := c.W.Grad.Clone()
		dx2 := c.Backward(dy)
		for i, v := range dx1.Data {
			if dx2.Data[i] != v {
				t.Fatalf("chunk %d: second ∂L/∂X[%d] = %v, first %v", g.chunk(), i, dx2.Data[i], v)
			}
		}
		for i, v := range dw1.Data {
			if !(math.Abs(c.W.Grad.Data[i]-2*v) <= 1e-12*math.Abs(v)) {
				t.Fatalf("chunk %d: ∂L/∂W[%d] after two Backwards = %v, want 2 × %v", g.chunk(), i, c.W.Grad.Data[i], v)
			}
		}
	}
}

// TestConv2dBackwardParams: backwardParams adds the same parameter
// gradients as Backward, with the batch in one chunk and in several.
func TestConv2dBackwardParams(t *testing.T) {
	defer func(b int) { colBudget = b }(colBudget)
	g := convGeom{n: 3, c: 2, h: 9, w: 7, f: 3, k: 5, s: 2, p: 2, ho: 5, wo: 4}
	for _, budget := range []int{1 << 18, g.c * g.k * g.k * g.ho * g.wo} {
		colBudget = budget
		var grads [2][]*Param
		for i := range grads {
			rng := rand.New(rand.NewPCG(7, 7))
			c := NewConv2d(g.c, g.f, g.k, Conv2dOptions{Stride: g.s, Padding: g.p}, rng)
			x := tensor.RandNormal(rng, 0, 1, g.n, g.c, g.h, g.w)
			dy := tensor.RandNormal(rng, 0, 1, g.n, g.f, g.ho, g.wo)
			c.Forward(x)
			if i == 0 {
				c.Backward(dy)
			} else {
				c.backwardParams(dy)
			}
			grads[i] = c.Params()
		}
		for j, p := range grads[0] {
			for i, v := range p.Grad.Data {
				if grads[1][j].Grad.Data[i] != v {
					t.Fatalf("chunk %d: %s[%d] = %v from backwardParams, %v from Backward", g.chunk(), p.Name, i, grads[1][j].Grad.Data[i], v)
				}
			}
		}
	}
}

// refConv runs Forward and then Backward as plain image-by-image loops,
// the algorithm the layer's bits were fixed with: Y[n] = b, then Y[n] +=
// W_mat · X_col,n; the images added into ∂L/∂W_mat and ∂L/∂b in the order
// colBudget fixes, each bias sum in order; ∂L/∂X_col,n = W_matᵀ · Δ_n
// with the transpose flag, and col2im. Any faster form must give its bits
// (TestConvSameBitsAsReference). It returns Y and ∂L/∂X and
// adds into gw and gb (gb nil without a bias).
func refConv(g convGeom, x, w, b, dy, gw, gb []float64) (y, dx []float64) {
	kk, p, out, in := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo, g.c*g.h*g.w
	mat := func(data []float64, rows, cols int) *tensor.Tensor {
		return &tensor.Tensor{Data: data[:rows*cols], Shape: []int{rows, cols}}
	}
	one := g.images(0, 1)
	y, dx = make([]float64, g.n*out), make([]float64, g.n*in)
	col, dcol := make([]float64, kk*p), make([]float64, kk*p)
	if b != nil {
		for i := 0; i < g.n*g.f; i++ {
			for j := range y[i*p:][:p] {
				y[i*p+j] = b[i%g.f]
			}
		}
	}
	for n := 0; n < g.n; n++ {
		im2col(one, x[n*in:], col)
		tensor.Gemm(false, false, 1, mat(w, g.f, kk), mat(col, kk, p), 1, mat(y[n*out:], g.f, p))
	}
	nb := g.chunk()
	for n0 := (g.n - 1) / nb * nb; n0 >= 0; n0 -= nb {
		for n := n0; n < min(n0+nb, g.n); n++ {
			im2col(one, x[n*in:], col)
			d := mat(dy[n*out:], g.f, p)
			tensor.Gemm(false, true, 1, d, mat(col, kk, p), 1, mat(gw, g.f, kk))
			for f := range gb {
				var sum float64
				for _, v := range d.Data[f*p:][:p] {
					sum += v
				}
				gb[f] += sum
			}
			tensor.Gemm(true, false, 1, mat(w, g.f, kk), d, 0, mat(dcol, kk, p))
			col2im(one, dcol, dx[n*in:][:in])
		}
	}
	return y, dx
}

// TestConvSameBitsAsReference: the layer's Y, ∂L/∂X, ∂L/∂W and ∂L/∂b
// have exactly the bits of refConv, with one to four goroutines, on the
// table of odd geometries and on larger ones (the layers of a small CNN,
// several chunks, several k-blocks, ten-wide products, chunks whose
// images share a product and chunks whose images cannot), with and
// without bias, and with gradients that do not start at zero (the sums
// add onto them).
func TestConvSameBitsAsReference(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	gs := append(fastCases(),
		convGeom{n: 5, c: 32, h: 14, w: 14, f: 64, k: 3, s: 1, p: 1},  // a second layer, K = 288
		convGeom{n: 7, c: 1, h: 28, w: 28, f: 32, k: 3, s: 1, p: 1},   // a first layer, K = 9
		convGeom{n: 3, c: 5, h: 11, w: 9, f: 7, k: 3, s: 2, p: 1},     // K = 45
		convGeom{n: 1, c: 3, h: 9, w: 12, f: 13, k: 5, s: 1, p: 2},    // K = 75, one image
		convGeom{n: 9, c: 4, h: 10, w: 7, f: 11, k: 5, s: 2, p: 0},    // K = 100
		convGeom{n: 2, c: 40, h: 5, w: 5, f: 9, k: 1, s: 1, p: 0},     // 1×1, K = 40
		convGeom{n: 65, c: 2, h: 6, w: 6, f: 3, k: 3, s: 1, p: 1},     // many small images
		convGeom{n: 4, c: 16, h: 16, w: 16, f: 10, k: 3, s: 1, p: 1},  // ten filters, K = 144
		convGeom{n: 3, c: 2, h: 7, w: 7, f: 10, k: 5, s: 1, p: 2},     // K = 50, F = 10
		convGeom{n: 5, c: 3, h: 30, w: 30, f: 6, k: 3, s: 1, p: 0},    // K = 27, 784 columns
		convGeom{n: 3, c: 8, h: 33, w: 31, f: 17, k: 3, s: 1, p: 1},   // H′·W′ = 1023, several k-blocks
		convGeom{n: 64, c: 32, h: 14, w: 14, f: 64, k: 3, s: 1, p: 1}, // cnn-s's second layer: chunks of 4, one product each
		convGeom{n: 9, c: 16, h: 29, w: 31, f: 5, k: 3, s: 2, p: 1},   // stride 2, chunks of 7 and 2, copies shared unevenly
		convGeom{n: 6, c: 2, h: 12, w: 12, f: 5, k: 3, s: 1, p: 1},    // 144 positions: chunks of 2 in one product (budget below)
		convGeom{n: 7, c: 3, h: 14, w: 13, f: 7, k: 3, s: 1, p: 1},    // 182 positions: chunks of 3 in one product
		convGeom{n: 5, c: 2, h: 20, w: 20, f: 9, k: 3, s: 1, p: 1},    // 400 positions, two k-blocks each: chunks of 2
		convGeom{n: 5, c: 2, h: 11, w: 11, f: 9, k: 3, s: 1, p: 1},    // 121 positions: chunks of 2, image by image
	)
	budgets := map[int]int{ // the images per chunk, where not colBudget's
		len(gs) - 4: 2, len(gs) - 3: 3, len(gs) - 2: 2, len(gs) - 1: 2,
	}
	defer func(b int) { colBudget = b }(colBudget)
	for i, g := range gs {
		g.ho, g.wo = (g.h+2*g.p-g.k)/g.s+1, (g.w+2*g.p-g.k)/g.s+1
		colBudget = 1 << 18
		if nb, ok := budgets[i]; ok {
			colBudget = nb * g.c * g.k * g.k * g.ho * g.wo
		}
		for _, bias := range []bool{true, false} {
			for procs := 1; procs <= 4; procs++ {
				runtime.GOMAXPROCS(procs)
				rng := rand.New(rand.NewPCG(uint64(i), 9))
				c := NewConv2d(g.c, g.f, g.k, Conv2dOptions{Stride: g.s, Padding: g.p, NoBias: !bias}, rng)
				var b, gb []float64
				for _, p := range c.Params() {
					for j := range p.Value.Data {
						p.Value.Data[j] = rng.NormFloat64()
						p.Grad.Data[j] = rng.NormFloat64()
					}
				}
				gw := append([]float64(nil), c.W.Grad.Data...)
				if bias {
					b, gb = c.B.Value.Data, append([]float64(nil), c.B.Grad.Data...)
				}
				x := tensor.RandNormal(rng, 0, 1, g.n, g.c, g.h, g.w)
				dy := tensor.RandNormal(rng, 0, 1, g.n, g.f, g.ho, g.wo)
				y, dx := refConv(g, x.Data, c.W.Value.Data, b, dy.Data, gw, gb)
				what := fmt.Sprintf("%v bias=%v GOMAXPROCS=%d", g, bias, procs)
				ok := numtest.SameSlices(t, what+": Y", c.Forward(x).Data, y) &&
					numtest.SameSlices(t, what+": ∂L/∂X", c.Backward(dy).Data, dx) &&
					numtest.SameSlices(t, what+": ∂L/∂W", c.W.Grad.Data, gw)
				if ok && bias {
					ok = numtest.SameSlices(t, what+": ∂L/∂b", c.B.Grad.Data, gb)
				}
				if !ok {
					t.FailNow()
				}
			}
		}
	}
}

// TestConvJoinedSameBits: with the products over 1, 2, 3 or 4 images of
// a chunk of four (joinBudget; three and one for 3), Backward gives the
// bits of refConv, which multiplies image by image.
func TestConvJoinedSameBits(t *testing.T) {
	defer func(b int) { joinBudget = b }(joinBudget)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	g := convGeom{n: 8, c: 32, h: 14, w: 14, f: 12, k: 3, s: 1, p: 1, ho: 14, wo: 14}
	per := g.c * g.k * g.k * g.ho * g.wo
	if g.chunk() != 4 {
		t.Fatalf("chunks of %d images, want 4", g.chunk())
	}
	for _, join := range []int{1, 2, 3, 4} {
		joinBudget = join * per
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			rng := rand.New(rand.NewPCG(uint64(join), 5))
			c := NewConv2d(g.c, g.f, g.k, Conv2dOptions{Padding: g.p}, rng)
			for _, p := range c.Params() {
				for j := range p.Grad.Data {
					p.Grad.Data[j] = rng.NormFloat64()
				}
			}
			gw, gb := append([]float64(nil), c.W.Grad.Data...), append([]float64(nil), c.B.Grad.Data...)
			x := tensor.RandNormal(rng, 0, 1, g.n, g.c, g.h, g.w)
			dy := tensor.RandNormal(rng, 0, 1, g.n, g.f, g.ho, g.wo)
			_, dx := refConv(g, x.Data, c.W.Value.Data, c.B.Value.Data, dy.Data, gw, gb)
			c.Forward(x)
			what := fmt.Sprintf("%d images per product, GOMAXPROCS=%d", join, procs)
			if !numtest.SameSlices(t, what+": ∂L/∂X", c.Backward(dy).Data, dx) ||
				!numtest.SameSlices(t, what+": ∂L/∂W", c.W.Grad.Data, gw) ||
				!numtest.SameSlices(t, what+": ∂L/∂b", c.B.Grad.Data, gb) {
				t.FailNow()
			}
		}
	}
}

// TestSameBlocks checks sameBlocks against its definition: the borders of
// the k-blocks of one product over m images of p positions, blocks of
// fused.KBlock(m·p) from 0 on, are those of m products of one image,
// blocks of fused.KBlock(p) from each image's first position on.
func TestSameBlocks(t *testing.T) {
	borders := func(k, kb, from int, set map[int]bool) {
		for at := 0; at < k; at += kb {
			set[from+at] = true
		}
	}
	joined := 0
	for p := 1; p <= 1100; p++ {
		for m := 1; m <= 6; m++ {
			one, per := map[int]bool{}, map[int]bool{}
			borders(m*p, fused.KBlock(m*p), 0, one)
			for n := 0; n < m; n++ {
				borders(p, fused.KBlock(p), n*p, per)
			}
			want := len(one) == len(per)
			for at := range per {
				want = want && one[at]
			}
			if got := sameBlocks(m, p); got != want {
				t.Fatalf("sameBlocks(%d, %d) = %v, want %v", m, p, got, want)
			}
			if want && m > 1 {
				joined++
			}
		}
	}
	if !sameBlocks(4, 196) || joined < 100 {
		t.Fatalf("sameBlocks(4, 196) = %v, %d joined shapes", sameBlocks(4, 196), joined)
	}
}

// TestImagesToBlocks checks the copy against its definition, dm[f, n·P +
// j] = d[n,f,j], with guard values around the output.
func TestImagesToBlocks(t *testing.T) {
	for _, s := range [][3]int{{1, 1, 1}, {3, 2, 5}, {4, 64, 196}, {2, 7, 3}} {
		m, f, p := s[0], s[1], s[2]
		d := make([]float64, m*f*p)
		for i := range d {
			d[i] = float64(i)
		}
		dm, check := guarded(t, m*f*p, math.NaN())
		imagesToBlocks(dm, d, m, f, p)
		check("imagesToBlocks")
		for n := 0; n < m; n++ {
			for r := 0; r < f; r++ {
				for j := 0; j < p; j++ {
					if got, want := dm[r*m*p+n*p+j], d[(n*f+r)*p+j]; got != want {
						t.Fatalf("m=%d f=%d p=%d: dm[%d, %d·%d+%d] = %v, want %v", m, f, p, r, n, p, j, got, want)
					}
				}
			}
		}
	}
}
