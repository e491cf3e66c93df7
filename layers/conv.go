package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// Conv2dOptions are the settings of a Conv2d beyond its channels and kernel
// size. The zero value is PyTorch's default: stride 1, no padding, a bias,
// and He initialisation.
type Conv2dOptions struct {
	// Stride is the step s between two windows, in both directions;
	// 0 means 1.
	Stride int
	// Padding is the number p of zero rows and columns added on each side
	// of the image; p = (k − 1)/2 with stride 1 keeps the size (k = 3,
	// p = 1).
	Padding int
	// NoBias leaves out the bias b (PyTorch's bias=False), as before a
	// BatchNorm2d, which would subtract it again.
	NoBias bool
	// Init draws the weights as for NewLinear, with the fan-in C·k·k of one
	// output (and the fan-out F·k·k for Xavier).
	Init Init
}

// Conv2d is a two-dimensional convolution layer, PyTorch's nn.Conv2d: it
// slides F filters of C×k×k weights over a batch of N images of C channels
// (N×C×H×W) and outputs N×F×H′×W′ feature maps, eq. C1 of the package
// documentation, a correlation; equations C2–C4 give its gradients. A
// Conv2d is not safe for concurrent use: it keeps its input for Backward
// and writes into buffers it owns.
type Conv2d struct {
	// W holds the filters, shape [F, C, k, k] (PyTorch's weight): W[f] is
	// the filter that makes output channel f.
	W *Param
	// B holds the bias, shape [F] (PyTorch's bias): one number per output
	// channel, added at every position. It is nil with Conv2dOptions.NoBias.
	B *Param

	in, out, k, stride, padding int

	x     *tensor.Tensor // input of the last Forward, kept for Backward
	y, dx *tensor.Tensor // output and input-gradient buffers, reused

	// The matrix form (package doc, "im2col"), buffers resized, not
	// reallocated: X_col of a chunk of images, one K × H′·W′ block per
	// image, and ∂L/∂X_col of one image (K × H′·W′); F×K views of W and
	// ∂L/∂W, and views of one image's block of X_col, Y and δ.
	col, dcol        *tensor.Tensor
	colFrom          int // X_col holds the chunk of images from colFrom on
	wmat, gmat       tensor.Tensor
	colv, yv, dv     tensor.Tensor
	matShape         [2]int
	colShape, yShape [2]int
}

// NewConv2d returns a convolution from in channels to out channels with
// kernel×kernel filters drawn by opts.Init from rng and a zero bias:
// NewConv2d(1, 32, 3, Conv2dOptions{Padding: 1}, rng) is PyTorch's
// nn.Conv2d(1, 32, 3, padding=1).
func NewConv2d(in, out, kernel int, opts Conv2dOptions, rng *rand.Rand) *Conv2d {
	if in <= 0 || out <= 0 || kernel <= 0 || opts.Stride < 0 || opts.Padding < 0 {
		panic(fmt.Sprintf("layers: NewConv2d: channels and kernel size must be positive, stride and padding not negative, have in=%d out=%d kernel=%d stride=%d padding=%d",
			in, out, kernel, opts.Stride, opts.Padding))
	}
	c := &Conv2d{
		W:  &Param{Name: "weight", Value: tensor.New(out, in, kernel, kernel), Grad: tensor.New(out, in, kernel, kernel)},
		in: in, out: out, k: kernel, stride: max(opts.Stride, 1), padding: opts.Padding,
	}
	if !opts.NoBias {
		c.B = &Param{Name: "bias", Value: tensor.New(out), Grad: tensor.New(out)}
	}
	fanIn, fanOut := float64(in*kernel*kernel), float64(out*kernel*kernel)
	switch opts.Init {
	case He:
		std := math.Sqrt(2 / fanIn)
		for i := range c.W.Value.Data {
			c.W.Value.Data[i] = std * rng.NormFloat64()
		}
	case Xavier:
		lim := math.Sqrt(6 / (fanIn + fanOut))
		for i := range c.W.Value.Data {
			c.W.Value.Data[i] = lim * (2*rng.Float64() - 1)
		}
	default:
		panic(fmt.Sprintf("layers: NewConv2d: unknown init %v", opts.Init))
	}
	return c
}

// In returns the number of input channels C.
func (c *Conv2d) In() int { return c.in }

// Out returns the number of output channels F, the number of filters.
func (c *Conv2d) Out() int { return c.out }

// Kernel returns the kernel size k: each filter is C×k×k.
func (c *Conv2d) Kernel() int { return c.k }

// Stride returns the stride s.
func (c *Conv2d) Stride() int { return c.stride }

// Padding returns the padding p.
func (c *Conv2d) Padding() int { return c.padding }

// OutSize returns the output's height or width for an input of height or
// width n (eq. C0): ⌊(n + 2p − k)/s⌋ + 1, or 0 when the padded image is
// smaller than the kernel.
func (c *Conv2d) OutSize(n int) int {
	if n+2*c.padding < c.k {
		return 0
	}
	return (n+2*c.padding-c.k)/c.stride + 1
}

// geom checks x (N×C×H×W with C = In()) and returns the sizes of its
// convolution.
func (c *Conv2d) geom(op string, x *tensor.Tensor) convGeom {
	must4D(op, x, c.in)
	g := convGeom{n: x.Shape[0], c: c.in, h: x.Shape[2], w: x.Shape[3], f: c.out, k: c.k, s: c.stride, p: c.padding}
	g.ho, g.wo = c.OutSize(g.h), c.OutSize(g.w)
	if g.ho == 0 || g.wo == 0 {
		panic(fmt.Sprintf("layers: %s: input has shape %v: %d×%d pixels with padding %d are smaller than the %d×%d kernel", op, x.Shape, g.h, g.w, c.padding, c.k, c.k))
	}
	return g
}

// bias returns b's values, or nil without a bias.
func (c *Conv2d) bias() []float64 {
	if c.B == nil {
		return nil
	}
	return c.B.Value.Data
}

// Forward computes Y = X ⋆ W + b (eq. C1) for the batch X (N×C×H×W) and
// returns Y (N×F×H′×W′), a buffer owned by the layer that the next Forward
// overwrites. The layer keeps a reference to X for Backward, so X must not
// change in between.
//
// It runs the matrix form of the package doc image by image: im2col
// copies the patches of image n into the columns of its block X_col,n
// (K × H′·W′, im2col.go), and one tensor.Gemm adds W_mat · X_col,n to Y[n]
// (F × H′·W′ in N×F×H′×W′ order: image n of Y is exactly that matrix),
// which already holds b in every row, as in Linear. So no transposed copy
// of the product is ever made. conv_naive.go has the same computation as
// plain loops.
func (c *Conv2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := c.geom("Conv2d.Forward", x)
	c.x = x
	c.y = ResizeShape(c.y, g.n, g.f, g.ho, g.wo)
	out, p := g.f*g.ho*g.wo, g.ho*g.wo // values per image of Y, positions per map
	b := c.bias()
	if b == nil {
		clear(c.y.Data)
	} else {
		for i := 0; i < g.n*g.f; i++ {
			row := c.y.Data[i*p:][:p]
			for j := range row {
				row[j] = b[i%g.f] // C1: + b[f]
			}
		}
	}
	for n0, nb := 0, g.chunk(); n0 < g.n; n0 += nb {
		c.fillCol(g, n0, nb)
		for n := n0; n < min(n0+nb, g.n); n++ {
			tensor.Gemm(false, false, 1, c.weights(), c.colOf(g, n-n0), 1, c.view(&c.yv, c.y.Data[n*out:], g.f, p)) // C1: Y[n] += W_mat · X_col,n
		}
	}
	return c.y
}

// fillCol runs im2col on the chunk of nb images from n0 on, one block per
// image, unless X_col holds it already.
func (c *Conv2d) fillCol(g convGeom, n0, nb int) {
	gc, one := g.images(n0, nb), g.images(0, 1)
	in, kp := g.c*g.h*g.w, g.c*g.k*g.k*g.ho*g.wo
	c.col = ResizeShape(c.col, gc.n, kp)
	for n := 0; n < gc.n; n++ {
		im2col(one, c.x.Data[(n0+n)*in:], c.col.Data[n*kp:][:kp])
	}
	c.colFrom = n0
}

// colOf returns image i's block of X_col (K × H′·W′), a view.
func (c *Conv2d) colOf(g convGeom, i int) *tensor.Tensor {
	k, p := g.c*g.k*g.k, g.ho*g.wo
	c.colShape = [2]int{k, p}
	c.colv = tensor.Tensor{Data: c.col.Data[i*k*p:][:k*p], Shape: c.colShape[:]}
	return &c.colv
}

// view makes t the rows×cols matrix on the start of data, for an image of
// Y or δ (F × H′·W′).
func (c *Conv2d) view(t *tensor.Tensor, data []float64, rows, cols int) *tensor.Tensor {
	c.yShape = [2]int{rows, cols}
	*t = tensor.Tensor{Data: data[:rows*cols], Shape: c.yShape[:]}
	return t
}

// weights returns W as the F×K matrix W_mat, a view of its memory.
func (c *Conv2d) weights() *tensor.Tensor {
	c.matShape = [2]int{c.out, c.in * c.k * c.k}
	c.wmat = tensor.Tensor{Data: c.W.Value.Data, Shape: c.matShape[:]}
	return &c.wmat
}

// weightGrad returns ∂L/∂W as the F×K matrix ∂L/∂W_mat, a view.
func (c *Conv2d) weightGrad() *tensor.Tensor {
	c.matShape = [2]int{c.out, c.in * c.k * c.k}
	c.gmat = tensor.Tensor{Data: c.W.Grad.Data, Shape: c.matShape[:]}
	return &c.gmat
}

// Backward takes δ = ∂L/∂Y (N×F×H′×W′), adds ∂L/∂W (eq. C3) into W.Grad
// and ∂L/∂b (C2) into B.Grad, and returns ∂L/∂X (C4, N×C×H×W), which
// belongs to the layer. In the matrix form, image by image, with Δ_n the
// F × H′·W′ matrix that is image n of δ: ∂L/∂W_mat += Δ_n · X_col,nᵀ,
// ∂L/∂b += the row sums of Δ_n, and ∂L/∂X_col,n = W_matᵀ · Δ_n followed
// by col2im.
func (c *Conv2d) Backward(dy *tensor.Tensor) *tensor.Tensor {
	g := c.checkBackward(dy)
	c.dx = ResizeShape(c.dx, g.n, g.c, g.h, g.w)
	c.backward(g, dy, true)
	return c.dx
}

// backward adds ∂L/∂W and ∂L/∂b and, if input is set, stores ∂L/∂X in
// c.dx, one chunk of images at a time.
func (c *Conv2d) backward(g convGeom, dy *tensor.Tensor, input bool) {
	in, out, p := g.c*g.h*g.w, g.f*g.ho*g.wo, g.ho*g.wo
	one := g.images(0, 1)
	// The chunks last first: after Forward, X_col still holds the last
	// one, and only the others need im2col again.
	nb := g.chunk()
	for n0 := (g.n - 1) / nb * nb; n0 >= 0; n0 -= nb {
		if c.colFrom != n0 {
			c.fillCol(g, n0, nb)
		}
		for n := n0; n < min(n0+nb, g.n); n++ {
			d := c.view(&c.dv, dy.Data[n*out:], g.f, p)
			tensor.Gemm(false, true, 1, d, c.colOf(g, n-n0), 1, c.weightGrad()) // C3: ∂L/∂W_mat += Δ_n · X_col,nᵀ
			if c.B != nil {
				for f := range c.B.Grad.Data {
					var sum float64
					for _, v := range d.Data[f*p:][:p] {
						sum += v
					}
					c.B.Grad.Data[f] += sum // C2: ∂L/∂b[f] += Σᵢⱼ δ[n,f,i,j]
				}
			}
			if input {
				c.dcol = ResizeShape(c.dcol, g.c*g.k*g.k, p)
				tensor.Gemm(true, false, 1, c.weights(), d, 0, c.dcol) // C4: ∂L/∂X_col,n = W_matᵀ · Δ_n
				col2im(one, c.dcol.Data, c.dx.Data[n*in:][:in])        // C4: each pixel sums its taps
			}
		}
	}
}

// backwardParams is Backward without ∂L/∂X: it only adds ∂L/∂W and ∂L/∂b,
// all that a network's first convolution, whose input is the data, needs.
// Like the rest of the speed machinery it is not exported (train skips
// the first Linear's ∂L/∂A with Linear's public W).
func (c *Conv2d) backwardParams(dy *tensor.Tensor) {
	c.backward(c.checkBackward(dy), dy, false)
}

// checkBackward panics unless dy fits the last Forward, and returns its
// sizes.
func (c *Conv2d) checkBackward(dy *tensor.Tensor) convGeom {
	if c.x == nil {
		panic("layers: Conv2d.Backward called before Forward")
	}
	g := c.geom("Conv2d.Backward", c.x)
	if dy == nil || dy.Dims() != 4 || dy.Shape[0] != g.n || dy.Shape[1] != g.f || dy.Shape[2] != g.ho || dy.Shape[3] != g.wo {
		var shape []int
		if dy != nil {
			shape = dy.Shape
		}
		panic(fmt.Sprintf("layers: Conv2d.Backward: gradient has shape %v, output had shape [%d %d %d %d]", shape, g.n, g.f, g.ho, g.wo))
	}
	return g
}

// Params returns W and B (without a bias, W alone), named "weight" and
// "bias" as in PyTorch's nn.Conv2d.
func (c *Conv2d) Params() []*Param {
	if c.B == nil {
		return []*Param{c.W}
	}
	return []*Param{c.W, c.B}
}

// String describes the layer, e.g. "Conv2d(1→32, 3×3, stride 1, padding 1)".
func (c *Conv2d) String() string {
	s := fmt.Sprintf("Conv2d(%d→%d, %d×%d, stride %d, padding %d", c.in, c.out, c.k, c.k, c.stride, c.padding)
	if c.B == nil {
		s += ", no bias"
	}
	return s + ")"
}
