package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/backprop-go/backprop/internal/fused"
	"github.com/backprop-go/backprop/internal/parallel"
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
	// reallocated, for Backward: the block of X_col of a chunk of g
	// images (K × g·H′·W′, see colBudget), its ∂L/∂X_col, its block of
	// Δ_mat (F × g·H′·W′) and W_matᵀ (K×F); and matrix views of W,
	// ∂L/∂W, W_matᵀ and of the blocks. Forward's buffers are whole's.
	col, dcol, dmat, wt []float64
	wmat, gmat, wtmat   matView
	colv, dv            matView

	cols colPass // im2col and col2im shared between the cores

	// Forward's buffers: whole's when tensor.Gemm shares each image's
	// product; for small products (convGeom.small), which it does not,
	// the layer cuts the work into parts itself (eachPart), each with
	// buffers of its own. part describes the parts under way.
	whole convBuffers
	parts []convBuffers
	part  partCall
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
// It runs the matrix form of the package doc image by image: image n of
// Y, an F × H′·W′ matrix in N×F×H′×W′ order, is set to b in every row (as
// in Linear), im2col copies the patches of image n into the columns of
// X_col,n (K × H′·W′, im2col.go), and one tensor.Gemm adds W_mat · X_col,n
// to it. So no transposed copy of the product is ever made. conv_naive.go
// has the same computation as plain loops.
//
// Each image's product is shared between the cores by tensor.Gemm, cut
// into ranges of its columns. Giving each core whole images instead, each
// core with a column matrix of its own and its products unshared, does
// the same work in about the same CPU time but measured more than twice
// as slow on the two cores of a 2-vCPU Zen 3 (Forward and Backward of
// 32→64 channels, 3×3, on 64 maps of 14×14): each core then streams its
// own X_col,n (450 KB there) past W_mat through its caches, where shared
// products read one X_col,n, half each. A product too small for
// tensor.Gemm to share (convGeom.small: a first layer's, 0.45 MFLOP and
// X_col,n of 56 KB for 32 3×3 filters on 28×28 pixels) would leave the
// other core idle, so then each core takes a range of whole images.
func (c *Conv2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := c.geom("Conv2d.Forward", x)
	c.x = x
	c.y = ResizeShape(c.y, g.n, g.f, g.ho, g.wo)
	c.wmat.of(c.W.Value.Data, g.f, g.c*g.k*g.k)
	if g.small() {
		c.eachPart(g, g.n, partForward, g.flops(g.n))
		return c.y
	}
	c.forwardImages(g, &c.whole, 0, g.n)
	return c.y
}

// forwardImages computes the images n0, …, n1−1 of Y, with the buffers
// of one goroutine.
func (c *Conv2d) forwardImages(g convGeom, bufs *convBuffers, n0, n1 int) {
	kk, p, out := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo
	bufs.col = grow(bufs.col, kk*p)
	b := c.bias()
	for n := n0; n < n1; n++ {
		y := c.y.Data[n*out:][:out]
		if b == nil {
			clear(y)
		}
		for f, bf := range b {
			row := y[f*p:][:p]
			for j := range row {
				row[j] = bf // C1: + b[f]
			}
		}
		im2col(g.images(0, 1), c.x.Data[n*g.c*g.h*g.w:], bufs.col)
		tensor.Gemm(false, false, 1, &c.wmat.t, bufs.colv.of(bufs.col, kk, p), 1, bufs.yv.of(y, g.f, p)) // C1: Y[n] += W_mat · X_col,n
	}
}

// forwardPart is part i of parts of Forward for small products (see
// convGeom.small): a range of the images.
func (c *Conv2d) forwardPart(i, parts int) {
	g := c.part.g
	c.forwardImages(g, &c.parts[i], i*g.n/parts, (i+1)*g.n/parts)
}

// imagesToBlocks copies m images of F×P each from d into dm, F × m·P
// with the images side by side: dm[f, n·P + j] = d[n,f,j].
func imagesToBlocks(dm, d []float64, m, f, p int) {
	for n := 0; n < m; n++ {
		for r := 0; r < f; r++ {
			copy(dm[(r*m+n)*p:][:p], d[(n*f+r)*p:][:p])
		}
	}
}

// Backward takes δ = ∂L/∂Y (N×F×H′×W′), adds ∂L/∂W (eq. C3) into W.Grad
// and ∂L/∂b (C2) into B.Grad, and returns ∂L/∂X (C4, N×C×H×W), which
// belongs to the layer. In the matrix form, a few images (g) at a time,
// in the order of colBudget's chunks (the chunks last first, the images
// of a chunk in order), with X_col the block of the g images and Δ their
// F × g·H′·W′ block of Δ_mat, the images side by side (a copy of δ's,
// which lie one after the other):
//
//	∂L/∂W_mat += Δ · X_colᵀ       adding image after image (see below),
//	∂L/∂b     += the row sums of each image's F×H′·W′ block of δ,
//	∂L/∂X_col  = W_matᵀ · Δ, then col2im into the g images of ∂L/∂X.
//
// X_col is built again by im2col: keeping the whole batch's from Forward
// would take 29 MB for the layer of the Forward example, which the
// products would read back from memory.
//
// ∂L/∂W_mat must get the images' sums one image after another, each image
// summed over its positions in the k-blocks of a product of one image,
// which is the order its bits were fixed in (see colBudget). One product
// over g images, whose inner dimension is their g·H′·W′ positions, adds
// its k-blocks into ∂L/∂W_mat one after another too, and so gives those
// bits when its k-blocks are the images' own: when one image's H′·W′
// positions are a whole number of equal k-blocks and the g images' are
// cut into blocks of that same length (fused.KBlock), as for 14×14 maps
// (blocks of 196) two at a time. Otherwise each image has products of
// its own.
//
// A product over several images is shared between the cores once where
// one product per image would each be, so the cores wait for each other
// less often; joinBudget says how many images join. On one core of a
// 2-vCPU Zen 3 (the 32→64-channel layer of the Forward example) Backward
// takes the same time either way (within 2%). Forward stays image by
// image: there four images' product measured slower on one core, their
// X_col (1.8 MB) no longer in the cache that im2col has just written it
// to, and Y would need a copy into N×F×H′×W′ order.
func (c *Conv2d) Backward(dy *tensor.Tensor) *tensor.Tensor {
	g := c.checkBackward(dy)
	c.dx = ResizeShape(c.dx, g.n, g.c, g.h, g.w)
	c.backward(g, dy, true)
	return c.dx
}

// backward adds ∂L/∂W and ∂L/∂b and, if input is set, stores ∂L/∂X in
// c.dx.
func (c *Conv2d) backward(g convGeom, dy *tensor.Tensor, input bool) {
	kk, p, out := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo
	nb := g.chunk()
	c.col = grow(c.col, kk*nb*p)
	if nb > 1 {
		c.dmat = grow(c.dmat, g.f*nb*p)
	}
	gw := c.gmat.of(c.W.Grad.Data, g.f, kk)
	var wt *tensor.Tensor
	if input {
		// W_matᵀ stored as a K×F matrix of its own, made once per call,
		// so that the products read it where it lies. Given the transpose
		// flag instead, tensor.Gemm would pack W_matᵀ again for every
		// chunk; the arithmetic, and so the bits, are the same either way.
		c.wt = grow(c.wt, kk*g.f)
		for f := 0; f < g.f; f++ {
			for r, w := range c.W.Value.Data[f*kk:][:kk] {
				c.wt[r*g.f+f] = w
			}
		}
		wt = c.wtmat.of(c.wt, kk, g.f)
		c.dcol = grow(c.dcol, kk*nb*p)
	}
	per := kk * p                                      // entries of X_col per image
	for n0 := (g.n - 1) / nb * nb; n0 >= 0; n0 -= nb { // the chunks last first (see colBudget)
		m := min(nb, g.n-n0) // images in this chunk
		if g.small() && !sameBlocks(m, p) {
			c.backwardSmall(g, dy.Data, n0, m, wt)
			continue
		}
		j := min(m, max(1, joinBudget/per)) // images per product
		for s := n0; s < n0+m; s += j {
			ms := min(j, n0+m-s)
			if sameBlocks(ms, p) {
				c.backwardChunk(g, dy.Data[s*out:][:ms*out], s, ms, gw, wt)
				continue
			}
			// ∂L/∂W_mat image by image: X_col of one image at a time.
			for n := s; n < s+ms; n++ {
				c.backwardChunk(g, dy.Data[n*out:][:out], n, 1, gw, wt)
			}
		}
	}
}

// joinBudget is the most entries of X_col that Backward multiplies in one
// product, at least one image's: 1 MiB of them, two images of cnn-s's
// second layer (32 channels of 14×14, 3×3 filters). Timed on the 2-vCPU
// Zen 3, two threads, in 28 interleaved rounds of BenchmarkCNNEpoch
// (bench/cnn_test.go, 1,920 images a round), the epoch with two images
// per product took 0.95 of the time with four, a whole chunk (median of
// the rounds' ratios), and one image per product was slower than either
// in four rounds: two images' X_col (0.9 MB) stays closer to the cores
// than four images' (1.8 MB), and the cores still meet half as often as
// image by image.
var joinBudget = 1 << 17

// backwardSmall is backward's work on the m images from n0 on when their
// products are too small for tensor.Gemm to share (convGeom.small) and
// the chunk cannot be one product (sameBlocks): the cores build X_col,n
// of every image of the chunk, one after another in c.col, a range of
// the images each, then each core adds into its range of the rows of
// ∂L/∂W_mat and ∂L/∂b image after image, in order, which is each
// element's order image by image.
func (c *Conv2d) backwardSmall(g convGeom, dy []float64, n0, m int, wt *tensor.Tensor) {
	kk, p, out := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo
	c.part.n0, c.part.m, c.part.dy = n0, m, dy
	c.eachPart(g, m, partIm2col, 8*float64(kk*p*m)) // a value copied counts as 8 operations, as in share
	c.eachPart(g, g.f, partGradient, g.flops(m))
	c.part.dy = nil
	if wt == nil {
		return
	}
	in := g.c * g.h * g.w
	for n := n0; n < n0+m; n++ {
		d := c.dv.of(dy[n*out:], g.f, p)
		tensor.Gemm(false, false, 1, wt, d, 0, c.colv.of(c.dcol, kk, p)) // C4: ∂L/∂X_col,n = W_matᵀ · Δ_n
		col2im(g.images(0, 1), c.dcol, c.dx.Data[n*in:][:in])            // C4: each pixel sums its taps
	}
}

// im2colPart is part i of parts of backwardSmall's im2col: a range of
// the chunk's images.
func (c *Conv2d) im2colPart(i, parts int) {
	g, n0, m := c.part.g, c.part.n0, c.part.m
	kk, p, in := g.c*g.k*g.k, g.ho*g.wo, g.c*g.h*g.w
	for n := i * m / parts; n < (i+1)*m/parts; n++ {
		im2col(g.images(0, 1), c.x.Data[(n0+n)*in:], c.col[n*kk*p:][:kk*p])
	}
}

// gradientPart is part i of parts of backwardSmall's ∂L/∂W_mat and
// ∂L/∂b: a range of their rows (filters), for every image in order.
func (c *Conv2d) gradientPart(i, parts int) {
	g, n0, m, bufs := c.part.g, c.part.n0, c.part.m, &c.parts[i]
	kk, p, out := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo
	f0, f1 := i*g.f/parts, (i+1)*g.f/parts
	gw := bufs.gv.of(c.W.Grad.Data[f0*kk:], f1-f0, kk)
	for n := 0; n < m; n++ {
		d := c.part.dy[(n0+n)*out:][f0*p : f1*p]                                                         // rows f0…f1−1 of Δ_n
		tensor.Gemm(false, true, 1, bufs.dv.of(d, f1-f0, p), bufs.colv.of(c.col[n*kk*p:], kk, p), 1, gw) // C3: ∂L/∂W_mat += Δ_n · X_col,nᵀ
		if c.B != nil {
			rowSums(c.B.Grad.Data[f0:f1], d, p) // C2: ∂L/∂b[f] += Σᵢⱼ δ[n,f,i,j]
		}
	}
}

// convBuffers are the buffers and matrix views of one goroutine's
// products of single images.
type convBuffers struct {
	col          []float64 // X_col,n
	colv, yv, dv matView
	gv           matView // rows of ∂L/∂W_mat
}

// partCall is the layer's work cut into parts, for parallel.Do: what the
// parts do, the sizes, and the function that runs part i (made once: a
// method value given to parallel.Do each time would be allocated each
// time).
type partCall struct {
	kind   int // partForward, partIm2col or partGradient
	g      convGeom
	n0, m  int // the chunk of images, in Backward
	dy     []float64
	parts  int
	doPart func(i int)
}

// The kinds of work eachPart cuts into parts.
const (
	partForward  = iota // forwardPart
	partIm2col          // im2colPart
	partGradient        // gradientPart
)

// runPart runs part i of the work under way.
func (c *Conv2d) runPart(i int) {
	switch c.part.kind {
	case partForward:
		c.forwardPart(i, c.part.parts)
	case partIm2col:
		c.im2colPart(i, c.part.parts)
	default:
		c.gradientPart(i, c.part.parts)
	}
}

// smallFlops is the size of a product of one image, 2·F·K·H′·W′
// floating-point operations, below which tensor.Gemm does not cut it
// into two parts (each part needs 2 MFLOP: tensor's minFlopsPerPart).
const smallFlops = 4 << 20

// small reports whether a product of one image is too small for
// tensor.Gemm to share between cores.
func (g convGeom) small() bool { return g.flops(1) < smallFlops }

// flops returns the floating-point operations of one product (forward or
// one of the gradients) over n images: 2·F·K·H′·W′·n.
func (g convGeom) flops(n int) float64 {
	return 2 * float64(g.f) * float64(g.c*g.k*g.k) * float64(g.ho*g.wo) * float64(n)
}

// eachPart runs part i of kind for i = 0, …, parts−1, sharing the parts
// between the cores by parallel.Do, with parts the number of goroutines
// (at most n, the number of pieces the work falls into), and the
// buffers c.parts[i] ready for part i. work is the work of all the parts
// in floating-point operations, for parallel's pacing rule.
func (c *Conv2d) eachPart(g convGeom, n, kind int, work float64) {
	parts := max(1, min(runtime.GOMAXPROCS(0), n, parallel.MaxParts))
	for len(c.parts) < parts {
		c.parts = append(c.parts, convBuffers{})
	}
	if c.part.doPart == nil {
		c.part.doPart = c.runPart
	}
	c.part.g, c.part.kind, c.part.parts = g, kind, parts
	parallel.Do(parts, work, c.part.doPart)
}

// backwardChunk is backward's work on the m images from n0 on, whose
// gradient is d, with one product for ∂L/∂W_mat (see Backward): wt is
// W_matᵀ, or nil for no ∂L/∂X.
func (c *Conv2d) backwardChunk(g convGeom, d []float64, n0, m int, gw, wt *tensor.Tensor) {
	kk, p, out, in := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo, g.c*g.h*g.w
	dm := d // Δ: one image's block of δ is its F×H′·W′ block of Δ_mat
	if m > 1 {
		dm = c.dmat[:g.f*m*p]
		imagesToBlocks(dm, d, m, g.f, p)
	}
	delta := c.dv.of(dm, g.f, m*p)
	col := c.colv.of(c.col, kk, m*p)
	c.shareCols(g.images(n0, m), c.x.Data[n0*in:], c.col, false)
	tensor.Gemm(false, true, 1, delta, col, 1, gw) // C3: ∂L/∂W_mat += Δ · X_colᵀ, image after image
	if c.B != nil {
		for n := 0; n < m; n++ {
			rowSums(c.B.Grad.Data, d[n*out:][:out], p) // C2: ∂L/∂b[f] += Σᵢⱼ δ[n,f,i,j]
		}
	}
	if wt != nil {
		tensor.Gemm(false, false, 1, wt, delta, 0, c.colv.of(c.dcol, kk, m*p)) // C4: ∂L/∂X_col = W_matᵀ · Δ
		c.shareCols(g.images(n0, m), c.dx.Data[n0*in:][:m*in], c.dcol, true)   // C4: col2im, each pixel sums its taps
	}
}

// sameBlocks reports whether one product over m images of p positions
// each sums the images in the k-blocks that one product per image does
// (see Backward): for one image, or when p is a whole number of k-blocks
// of one image's product and m·p is cut into blocks of the same length.
func sameBlocks(m, p int) bool {
	kb := fused.KBlock(p)
	return m == 1 || p%kb == 0 && fused.KBlock(m*p) == kb
}

// backwardParams is Backward without ∂L/∂X: it only adds ∂L/∂W and ∂L/∂b,
// all that a network's first convolution, whose input is the data, needs.
// Like the rest of the speed machinery it is not exported: package train
// reaches it through internal/fused (and skips the first Linear's ∂L/∂A
// with Linear's public W).
func (c *Conv2d) backwardParams(dy *tensor.Tensor) {
	c.backward(c.checkBackward(dy), dy, false)
}

func init() {
	fused.ParamGradients = func(layer, dy any) bool {
		c, ok := layer.(*Conv2d)
		if ok {
			c.backwardParams(dy.(*tensor.Tensor))
		}
		return ok
	}
}

// colBudget and chunk fix the order in which Backward adds the images
// into ∂L/∂W_mat and ∂L/∂b: in chunks of as many images as have at most
// colBudget entries of X_col (2 MiB of them; at least one image), the
// last chunk first, the images of a chunk in order. For a batch of 64
// 32-channel 14×14 maps and 3×3 filters that is images 60–63, then
// 56–59, …, 0–3. The order depends on the shapes alone, so the bits are
// the same for every GOMAXPROCS. It is the order of an earlier version
// of the layer, which reused the last chunk's X_col after Forward, kept
// so that the models trained with it are reproduced bit for bit (the sum
// of floating-point numbers depends on its order in the last bits).
// Backward builds X_col a few images at a time (joinBudget) and
// multiplies them in one product where that keeps the order (see
// Backward). Tests lower the budget to run other orders on small shapes.
var colBudget = 1 << 18

// chunk returns the number of images in a chunk (see colBudget).
func (g convGeom) chunk() int {
	per := g.c * g.k * g.k * g.ho * g.wo
	return max(1, min(g.n, colBudget/per))
}

// rowSums adds to db[f] the sum of row f of d (rows of p values), each
// row summed in order into a sum of its own, as a loop over one row at a
// time would: four rows at a time, whose sums do not wait for each other.
func rowSums(db, d []float64, p int) {
	f := 0
	for ; f+4 <= len(db); f += 4 {
		r0, r1, r2, r3 := d[f*p:][:p], d[(f+1)*p:][:p], d[(f+2)*p:][:p], d[(f+3)*p:][:p]
		var s0, s1, s2, s3 float64
		for j := range r0 {
			s0 += r0[j]
			s1 += r1[j]
			s2 += r2[j]
			s3 += r3[j]
		}
		db[f] += s0
		db[f+1] += s1
		db[f+2] += s2
		db[f+3] += s3
	}
	for ; f < len(db); f++ {
		var s float64
		for _, v := range d[f*p:][:p] {
			s += v
		}
		db[f] += s
	}
}

// matView is a rows×cols matrix view of a slice, for tensor.Gemm.
type matView struct {
	t     tensor.Tensor
	shape [2]int
}

// of makes v the rows×cols matrix on the start of data and returns it.
func (v *matView) of(data []float64, rows, cols int) *tensor.Tensor {
	v.shape = [2]int{rows, cols}
	v.t = tensor.Tensor{Data: data[:rows*cols], Shape: v.shape[:]}
	return &v.t
}

// grow returns s with length n, reallocated only if it is too short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
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
