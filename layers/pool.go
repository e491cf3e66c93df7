package layers

import (
	"fmt"
	"math"

	"github.com/backprop-go/backprop/tensor"
)

// poolGeom holds the sizes of one pooling: n×c images of h×w pixels,
// windows of k×k every s pixels, an output of ho×wo (eq. C0 with p = 0).
type poolGeom struct {
	n, c, h, w, k, s, ho, wo int
}

// windows calls f for every output, in order, with its index o (the flat
// index of Y[n,c,i,j]) and the index at0 into X of its window's top-left
// entry, X[n,c,s·i,s·j]; row u of the window starts u·w entries further on.
func (g poolGeom) windows(f func(o, at0 int)) {
	o := 0
	for nc := 0; nc < g.n*g.c; nc++ {
		for i := 0; i < g.ho; i++ {
			row := (nc*g.h + g.s*i) * g.w // X[n,c,s·i,0]
			for j := 0; j < g.wo; j++ {
				f(o, row+g.s*j)
				o++
			}
		}
	}
}

// pool is what MaxPool2d and AvgPool2d share: the window, the input's
// shape and the buffers.
type pool struct {
	k, s  int
	in    []int          // shape of the last Forward's input, nil before
	y, dx *tensor.Tensor // output and input-gradient buffers, reused
}

func newPool(op string, kernel, stride int) pool {
	if kernel <= 0 || stride < 0 {
		panic(fmt.Sprintf("layers: %s: kernel size must be positive and stride not negative, have kernel=%d stride=%d", op, kernel, stride))
	}
	if stride == 0 {
		stride = kernel
	}
	return pool{k: kernel, s: stride}
}

// Kernel returns the window size k: windows are k×k.
func (p *pool) Kernel() int { return p.k }

// Stride returns the step s between windows.
func (p *pool) Stride() int { return p.s }

// forward checks x, remembers its shape and sizes the output; op is the
// layer's name and Forward, as in "MaxPool2d.Forward".
func (p *pool) forward(op string, x *tensor.Tensor) poolGeom {
	must4D(op, x, -1)
	g := poolGeom{n: x.Shape[0], c: x.Shape[1], h: x.Shape[2], w: x.Shape[3], k: p.k, s: p.s}
	if g.h < p.k || g.w < p.k {
		panic(fmt.Sprintf("layers: %s: input has shape %v: %d×%d pixels are smaller than the %d×%d window", op, x.Shape, g.h, g.w, p.k, p.k))
	}
	g.ho, g.wo = (g.h-p.k)/p.s+1, (g.w-p.k)/p.s+1
	p.in = append(p.in[:0], x.Shape...)
	p.y = ResizeShape(p.y, g.n, g.c, g.ho, g.wo)
	return g
}

// backward checks dy against the last Forward and sizes ∂L/∂X, cleared.
func (p *pool) backward(op string, dy *tensor.Tensor) poolGeom {
	g := p.backwardGeom(op, dy)
	clear(p.dx.Data)
	return g
}

// backwardGeom is backward without clearing ∂L/∂X.
func (p *pool) backwardGeom(op string, dy *tensor.Tensor) poolGeom {
	if p.y == nil {
		panic(fmt.Sprintf("layers: %s.Backward called before Forward", op))
	}
	checkBackward(op, dy, p.y)
	g := poolGeom{n: p.in[0], c: p.in[1], h: p.in[2], w: p.in[3], k: p.k, s: p.s, ho: p.y.Shape[2], wo: p.y.Shape[3]}
	p.dx = ResizeShape(p.dx, p.in...)
	return g
}

// MaxPool2d takes the largest value of each k×k window, windows every s
// pixels, in every channel of every image: N×C×H×W becomes N×C×H′×W′ with
// H′ = ⌊(H − k)/s⌋ + 1 (PyTorch's nn.MaxPool2d(k, s) without padding).
// Backward routes each output's gradient to the input that was the
// maximum (eqs. P1, P2 of the package documentation).
//
// Ties: when several entries of a window share the maximum, the first in
// row-major order within the window (top row first, left to right) is the
// maximum and gets the whole gradient, the others none, as in PyTorch. A
// NaN counts as larger than any number, so it propagates.
type MaxPool2d struct {
	pool
	arg []int // for each output, the index into X of its window's maximum
}

// NewMaxPool2d returns a max pooling layer over kernel×kernel windows every
// stride pixels; stride 0 means kernel (non-overlapping windows, PyTorch's
// default).
func NewMaxPool2d(kernel, stride int) *MaxPool2d {
	return &MaxPool2d{pool: newPool("NewMaxPool2d", kernel, stride)}
}

// Forward returns the maximum of each window (P1) in a buffer owned by the
// layer, and remembers where it was for Backward.
//
// It visits the windows in the order of g.windows, image plane after
// plane, in a loop shaped for speed (maxPoolPlane): P1's comparison without
// a branch, and 2×2 windows unrolled.
func (m *MaxPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := m.start(x)
	m.forwardPlanes(g, x.Data, 0, g.n*g.c)
	return m.y
}

// start checks x and sizes the output and arg for Forward.
func (m *MaxPool2d) start(x *tensor.Tensor) poolGeom {
	g := m.forward("MaxPool2d.Forward", x)
	if cap(m.arg) < len(m.y.Data) {
		m.arg = make([]int, len(m.y.Data))
	}
	m.arg = m.arg[:len(m.y.Data)]
	return g
}

// forwardPlanes is Forward on the image planes lo, …, hi−1 (plane
// n·C + c is X[n,c]).
func (m *MaxPool2d) forwardPlanes(g poolGeom, x []float64, lo, hi int) {
	hw, howo := g.h*g.w, g.ho*g.wo
	for nc := lo; nc < hi; nc++ { // X[n,c] into Y[n,c]
		maxPoolPlane(g, x[nc*hw:(nc+1)*hw], m.y.Data[nc*howo:(nc+1)*howo], m.arg[nc*howo:(nc+1)*howo], nc*hw)
	}
}

// maxPoolPlane is P1 on one image plane: the maximum of each window of x
// (X[n,c], whose first entry is entry base of X) into y (Y[n,c]), and its
// index into X into arg.
func maxPoolPlane(g poolGeom, x, y []float64, arg []int, base int) {
	for i := 0; i < g.ho; i++ {
		top := g.s * i * g.w // X[n,c,s·i,0]
		yi, argi := y[i*g.wo:(i+1)*g.wo], arg[i*g.wo:(i+1)*g.wo]
		if g.k == 2 { // unrolled: the usual windows
			r0, r1 := x[top:top+g.w], x[top+g.w:top+2*g.w]
			for j := range yi {
				q := g.s * j
				best, bestV := uint64(top+q), math.Float64bits(r0[q])
				best, bestV = keepMax(best, bestV, top+q+1, r0[q+1])
				best, bestV = keepMax(best, bestV, top+g.w+q, r1[q])
				best, bestV = keepMax(best, bestV, top+g.w+q+1, r1[q+1])
				argi[j] = base + int(best)
				yi[j] = math.Float64frombits(bestV) // P1: Y[n,c,i,j] = max over the window
			}
			continue
		}
		for j := range yi {
			at0 := top + g.s*j // X[n,c,s·i,s·j], the window's top-left entry
			best, bestV := uint64(at0), math.Float64bits(x[at0])
			for u := 0; u < g.k; u++ {
				row := x[at0+u*g.w : at0+u*g.w+g.k] // row u of the window
				for v, xv := range row {
					best, bestV = keepMax(best, bestV, at0+u*g.w+v, xv)
				}
			}
			argi[j] = base + int(best)
			yi[j] = math.Float64frombits(bestV) // P1
		}
	}
}

// keepMax is one step of P1's maximum over a window in row-major order:
// the entry v at index at takes over from the maximum so far (bestV, as
// bits, at index best) if takes says so. It returns the new maximum and
// its index.
func keepMax(best, bestV uint64, at int, v float64) (uint64, uint64) {
	// if takes(v, bestV) { best, bestV = at, v }, without a branch
	take := takes(v, math.Float64frombits(bestV))
	return uint64(at)&take | best&^take, math.Float64bits(v)&take | bestV&^take
}

// takes returns all ones if v takes over from best as the maximum of a
// window, and zero otherwise: if v > best (strictly: on a tie the earlier
// entry stays, PyTorch's rule), or if v is NaN and best is not (a NaN
// beats any number, so it propagates). That is !(v <= best) && best ==
// best, computed without a branch: where a window's maximum lies is
// random, and a branch on it would be mispredicted about once per window,
// which took longer than all the rest of Forward.
func takes(v, best float64) uint64 {
	var le, ordered uint64
	if v <= best {
		le = 1
	}
	if best == best { // not NaN
		ordered = 1
	}
	return -((1 - le) & ordered)
}

// Backward returns ∂L/∂X: each output's gradient goes to the input that was
// its window's maximum (P2), added up where overlapping windows share one;
// every other input gets 0.
func (m *MaxPool2d) Backward(dy *tensor.Tensor) *tensor.Tensor {
	g := m.backward("MaxPool2d", dy)
	m.backwardPlanes(g, dy.Data, 0, g.n*g.c)
	return m.dx
}

// backwardPlanes is Backward on the image planes lo, …, hi−1: it adds
// into them in ∂L/∂X the gradients of their outputs. Every window lies
// inside its plane, so the planes do not touch each other.
func (m *MaxPool2d) backwardPlanes(g poolGeom, dy []float64, lo, hi int) {
	howo := g.ho * g.wo
	arg := m.arg[lo*howo : hi*howo]
	for o, d := range dy[lo*howo : hi*howo] {
		m.dx.Data[arg[o]] += d // P2: ∂L/∂X[argmax] += δ[n,c,i,j]
	}
}

// Params returns nil: pooling has nothing to train.
func (m *MaxPool2d) Params() []*Param { return nil }

// String describes the layer, e.g. "MaxPool2d(2×2, stride 2)".
func (m *MaxPool2d) String() string {
	return fmt.Sprintf("MaxPool2d(%d×%d, stride %d)", m.k, m.k, m.s)
}

// AvgPool2d takes the mean of each k×k window, windows every s pixels:
// N×C×H×W becomes N×C×H′×W′ with H′ = ⌊(H − k)/s⌋ + 1 (PyTorch's
// nn.AvgPool2d(k, s) without padding). Backward spreads each output's
// gradient evenly over its window (eqs. A1, A2).
type AvgPool2d struct {
	pool
}

// NewAvgPool2d returns an average pooling layer over kernel×kernel windows
// every stride pixels; stride 0 means kernel.
func NewAvgPool2d(kernel, stride int) *AvgPool2d {
	return &AvgPool2d{pool: newPool("NewAvgPool2d", kernel, stride)}
}

// Forward returns the mean of each window (A1) in a buffer owned by the
// layer.
func (a *AvgPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := a.forward("AvgPool2d.Forward", x)
	inv := 1 / float64(g.k*g.k)
	g.windows(func(o, at0 int) {
		var sum float64
		for u := 0; u < g.k; u++ {
			for _, v := range x.Data[at0+u*g.w:][:g.k] {
				sum += v
			}
		}
		a.y.Data[o] = sum * inv // A1: Y[n,c,i,j] = (1/k²) Σ window
	})
	return a.y
}

// Backward returns ∂L/∂X: each input gets 1/k² of the gradient of every
// window it is in (A2).
func (a *AvgPool2d) Backward(dy *tensor.Tensor) *tensor.Tensor {
	g := a.backward("AvgPool2d", dy)
	inv := 1 / float64(g.k*g.k)
	g.windows(func(o, at0 int) {
		d := dy.Data[o] * inv
		for u := 0; u < g.k; u++ {
			row := a.dx.Data[at0+u*g.w:][:g.k]
			for v := range row {
				row[v] += d // A2: ∂L/∂X[window] += δ[n,c,i,j]/k²
			}
		}
	})
	return a.dx
}

// Params returns nil: pooling has nothing to train.
func (a *AvgPool2d) Params() []*Param { return nil }

// String describes the layer, e.g. "AvgPool2d(2×2, stride 2)".
func (a *AvgPool2d) String() string {
	return fmt.Sprintf("AvgPool2d(%d×%d, stride %d)", a.k, a.k, a.s)
}

// GlobalAvgPool2d averages each channel over the whole image: N×C×H×W
// becomes N×C×1×1 (PyTorch's nn.AdaptiveAvgPool2d(1)), which Flatten turns
// into the N×C input of a last Linear layer. It is AvgPool2d with one
// window the size of the image, whatever that size is (eq. A3).
type GlobalAvgPool2d struct {
	in    []int
	y, dx *tensor.Tensor
}

// NewGlobalAvgPool2d returns a global average pooling layer.
func NewGlobalAvgPool2d() *GlobalAvgPool2d { return &GlobalAvgPool2d{} }

// Forward returns the mean of each channel of each image (A3), N×C×1×1.
func (p *GlobalAvgPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	must4D("GlobalAvgPool2d.Forward", x, -1)
	p.in = append(p.in[:0], x.Shape...)
	hw := x.Shape[2] * x.Shape[3]
	if hw == 0 {
		panic(fmt.Sprintf("layers: GlobalAvgPool2d.Forward: input has shape %v, an image of no pixels", x.Shape))
	}
	p.y = ResizeShape(p.y, x.Shape[0], x.Shape[1], 1, 1)
	inv := 1 / float64(hw)
	for o := range p.y.Data {
		var sum float64
		for _, v := range x.Data[o*hw : (o+1)*hw] {
			sum += v
		}
		p.y.Data[o] = sum * inv // A3: Y[n,c] = (1/HW) Σᵢⱼ X[n,c,i,j]
	}
	return p.y
}

// Backward returns ∂L/∂X, each pixel of channel c getting 1/(H·W) of
// δ[n,c] (A3's gradient).
func (p *GlobalAvgPool2d) Backward(dy *tensor.Tensor) *tensor.Tensor {
	if p.y == nil {
		panic("layers: GlobalAvgPool2d.Backward called before Forward")
	}
	checkBackward("GlobalAvgPool2d", dy, p.y)
	p.dx = ResizeShape(p.dx, p.in...)
	hw := p.in[2] * p.in[3]
	inv := 1 / float64(hw)
	for o, d := range dy.Data {
		plane := p.dx.Data[o*hw : (o+1)*hw]
		for i := range plane {
			plane[i] = d * inv // ∂L/∂X[n,c,i,j] = δ[n,c]/(HW)
		}
	}
	return p.dx
}

// Params returns nil: pooling has nothing to train.
func (p *GlobalAvgPool2d) Params() []*Param { return nil }

// String returns "GlobalAvgPool2d".
func (p *GlobalAvgPool2d) String() string { return "GlobalAvgPool2d" }
