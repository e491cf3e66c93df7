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
	if p.y == nil {
		panic(fmt.Sprintf("layers: %s.Backward called before Forward", op))
	}
	checkBackward(op, dy, p.y)
	g := poolGeom{n: p.in[0], c: p.in[1], h: p.in[2], w: p.in[3], k: p.k, s: p.s, ho: p.y.Shape[2], wo: p.y.Shape[3]}
	p.dx = ResizeShape(p.dx, p.in...)
	clear(p.dx.Data)
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
func (m *MaxPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := m.forward("MaxPool2d.Forward", x)
	if cap(m.arg) < len(m.y.Data) {
		m.arg = make([]int, len(m.y.Data))
	}
	m.arg = m.arg[:len(m.y.Data)]
	g.windows(func(o, at0 int) {
		best := at0
		for u := 0; u < g.k; u++ {
			for at := at0 + u*g.w; at < at0+u*g.w+g.k; at++ {
				// Strictly greater: on a tie the earlier entry stays (PyTorch's rule).
				if x.Data[at] > x.Data[best] || (math.IsNaN(x.Data[at]) && !math.IsNaN(x.Data[best])) {
					best = at
				}
			}
		}
		m.arg[o] = best
		m.y.Data[o] = x.Data[best] // P1: Y[n,c,i,j] = max over the window
	})
	return m.y
}

// Backward returns ∂L/∂X: each output's gradient goes to the input that was
// its window's maximum (P2), added up where overlapping windows share one;
// every other input gets 0.
func (m *MaxPool2d) Backward(dy *tensor.Tensor) *tensor.Tensor {
	m.backward("MaxPool2d", dy)
	for o, d := range dy.Data {
		m.dx.Data[m.arg[o]] += d // P2: ∂L/∂X[argmax] += δ[n,c,i,j]
	}
	return m.dx
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
