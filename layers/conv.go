package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"

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

	// The passes, shared between the cores (see lanes): the lanes with
	// their buffers, the pass under way and its next item, W_mat (F×K, a
	// view of W), and δ during Backward.
	lane    []*convLane
	runLane func(int)
	pass    convGeom
	back    bool // the pass is a Backward
	items   int
	next    atomic.Int64
	wmat    matView
	wt      []float64 // W_matᵀ (K×F) during Backward with ∂L/∂X
	wtmat   matView
	dy      []float64
	split   [2]int // ∂L/∂W_mat's blocks during Backward (see weightSplit)
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
// The images are shared between the cores (see lanes), each image's
// product running whole on the core that took it: one product is too
// small (64×288·288×196 in a typical second layer) to cut in two without
// each half paying the packing and the hand-off again, while the images
// are independent.
func (c *Conv2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	g := c.geom("Conv2d.Forward", x)
	c.x = x
	c.y = ResizeShape(c.y, g.n, g.f, g.ho, g.wo)
	c.run(g, false, g.n, float64(2*g.f*g.c*g.k*g.k*g.ho*g.wo*g.n))
	return c.y
}

// forwardImage computes image n of Y on lane l.
func (c *Conv2d) forwardImage(l *convLane, g convGeom, n int) {
	kk, p, out := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo
	y := c.y.Data[n*out:][:out]
	if b := c.bias(); b == nil {
		clear(y)
	} else {
		for f, bf := range b {
			row := y[f*p:][:p]
			for j := range row {
				row[j] = bf // C1: + b[f]
			}
		}
	}
	l.col = grow(l.col, kk*p)
	im2col(g.images(0, 1), c.x.Data[n*g.c*g.h*g.w:], l.col)
	tensor.Gemm(false, false, 1, &c.wmat.t, l.b.of(l.col, kk, p), 1, l.c.of(y, g.f, p)) // C1: Y[n] += W_mat · X_col,n
}

// Backward takes δ = ∂L/∂Y (N×F×H′×W′), adds ∂L/∂W (eq. C3) into W.Grad
// and ∂L/∂b (C2) into B.Grad, and returns ∂L/∂X (C4, N×C×H×W), which
// belongs to the layer. In the matrix form, image by image, with Δ_n the
// F × H′·W′ matrix that is image n of δ:
//
//	∂L/∂W_mat += Δ_n · X_col,nᵀ   for each n in turn (see colBudget),
//	∂L/∂b     += the row sums of Δ_n,
//	∂L/∂X_col,n = W_matᵀ · Δ_n, then col2im into image n of ∂L/∂X.
//
// The input gradients of different images are independent and are shared
// between the cores like Forward's images. The weight gradient is a sum
// over the images, and its bits depend on the order of that sum, so it is
// shared the other way: ∂L/∂W_mat is cut into blocks (see weightSplit),
// and each core adds the images into its own block one after the other in
// the order colBudget fixes, rebuilding with im2col only the rows of X_col,n
// its block needs. Each entry of ∂L/∂W then gets the same products, summed
// in the same order and the same blocks of k, as the whole product would
// give it (tensor.Gemm computes every entry with the same arithmetic
// wherever it lies in C), so the result has the same bits for any number
// of cores.
func (c *Conv2d) Backward(dy *tensor.Tensor) *tensor.Tensor {
	g := c.checkBackward(dy)
	c.dx = ResizeShape(c.dx, g.n, g.c, g.h, g.w)
	c.backward(g, dy, true)
	return c.dx
}

// backward adds ∂L/∂W and ∂L/∂b and, if input is set, stores ∂L/∂X in
// c.dx: the blocks of ∂L/∂W_mat first, then the images of ∂L/∂X, all as
// items of one shared pass.
func (c *Conv2d) backward(g convGeom, dy *tensor.Tensor, input bool) {
	c.dy = dy.Data
	fParts, kParts := g.weightSplit(c.lanes(g.n))
	c.split = [2]int{fParts, kParts}
	items := fParts * kParts
	flops := float64(2 * g.f * g.c * g.k * g.k * g.ho * g.wo * g.n)
	if input {
		items += g.n
		flops *= 2
		// W_matᵀ stored as a K×F matrix of its own, made once per pass,
		// so that the products read it in place. Given the transpose flag
		// instead, tensor.Gemm would pack W_matᵀ again for every image;
		// the arithmetic, and so the bits, are the same either way.
		kk := g.c * g.k * g.k
		c.wt = grow(c.wt, kk*g.f)
		for f := 0; f < g.f; f++ {
			for r, w := range c.W.Value.Data[f*kk:][:kk] {
				c.wt[r*g.f+f] = w
			}
		}
		c.wtmat.of(c.wt, kk, g.f)
	}
	c.run(g, true, items, flops)
	c.dy = nil
}

// backwardItem computes item i of a Backward pass on lane l: block i of
// ∂L/∂W_mat, or, past the blocks, image i − blocks of ∂L/∂X.
func (c *Conv2d) backwardItem(l *convLane, g convGeom, i int) {
	if blocks := c.split[0] * c.split[1]; i >= blocks {
		c.inputImage(l, g, i-blocks)
	} else {
		c.weightBlock(l, g, i)
	}
}

// weightBlock adds to block b of ∂L/∂W_mat (rows f0..f1, columns k0..k1)
// the products Δ_n · X_col,nᵀ of every image, in the order colBudget
// fixes, and, in the blocks
// of the first columns, the bias gradients of their rows. The block is
// copied out to be a matrix of its own for the product, and back.
func (c *Conv2d) weightBlock(l *convLane, g convGeom, b int) {
	kk, p, out, in := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo, g.c*g.h*g.w
	fParts, kParts := c.split[0], c.split[1]
	f0, f1 := g.f*(b/kParts)/fParts, g.f*(b/kParts+1)/fParts
	k0, k1 := cut8(kk, b%kParts, kParts), cut8(kk, b%kParts+1, kParts)
	fb, kb := f1-f0, k1-k0
	l.blk = grow(l.blk, fb*kb)
	l.col = grow(l.col, kk*p)
	for f := 0; f < fb; f++ {
		copy(l.blk[f*kb:][:kb], c.W.Grad.Data[(f0+f)*kk+k0:])
	}
	one := g.images(0, 1)
	nb := g.chunk()
	for n0 := (g.n - 1) / nb * nb; n0 >= 0; n0 -= nb { // the chunks last first (see colBudget)
		for n := n0; n < min(n0+nb, g.n); n++ {
			im2colRows(one, c.x.Data[n*in:], l.col[:kb*p], k0, k1)
			d := c.dy[n*out+f0*p:][:fb*p]                                                                 // rows f0..f1 of Δ_n
			tensor.Gemm(false, true, 1, l.a.of(d, fb, p), l.b.of(l.col, kb, p), 1, l.c.of(l.blk, fb, kb)) // C3: ∂L/∂W_mat += Δ_n · X_col,nᵀ
			if c.B != nil && k0 == 0 {
				rowSums(c.B.Grad.Data[f0:f1], d, p) // C2: ∂L/∂b[f] += Σᵢⱼ δ[n,f,i,j]
			}
		}
	}
	for f := 0; f < fb; f++ {
		copy(c.W.Grad.Data[(f0+f)*kk+k0:][:kb], l.blk[f*kb:])
	}
}

// inputImage stores image n of ∂L/∂X, computed on lane l.
func (c *Conv2d) inputImage(l *convLane, g convGeom, n int) {
	kk, p, out, in := g.c*g.k*g.k, g.ho*g.wo, g.f*g.ho*g.wo, g.c*g.h*g.w
	l.col = grow(l.col, kk*p)
	d := l.a.of(c.dy[n*out:], g.f, p)
	tensor.Gemm(false, false, 1, &c.wtmat.t, d, 0, l.b.of(l.col, kk, p)) // C4: ∂L/∂X_col,n = W_matᵀ · Δ_n
	col2im(g.images(0, 1), l.col, c.dx.Data[n*in:][:in])                 // C4: each pixel sums its taps
}

// colBudget and chunk fix the order in which Backward adds the images
// into ∂L/∂W_mat and ∂L/∂b: in chunks of as many images as have at most
// colBudget entries of X_col (2 MiB of them; at least one image), the
// last chunk first, the images of a chunk in order. For a batch of 64
// 32-channel 14×14 maps and 3×3 filters that is images 60–63, then
// 56–59, …, 0–3. The order depends on the shapes alone, so the bits are
// the same for every GOMAXPROCS; it is that of the layer's first fast
// version, which built X_col a chunk at a time, kept so that models
// trained with it are reproduced bit for bit. Tests lower the budget to
// run other orders on small shapes.
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

// backwardParams is Backward without ∂L/∂X: it only adds ∂L/∂W and ∂L/∂b,
// all that a network's first convolution, whose input is the data, needs.
// Like the rest of the speed machinery it is not exported (train skips
// the first Linear's ∂L/∂A with Linear's public W).
func (c *Conv2d) backwardParams(dy *tensor.Tensor) {
	c.backward(c.checkBackward(dy), dy, false)
}

// Sharing a pass between the cores.
//
// A pass (Forward, Backward) is a list of items that write disjoint
// memory: Forward's items are the images of Y; Backward's are the blocks
// of ∂L/∂W_mat, then the images of ∂L/∂X. Each core that takes part runs
// a lane, with column matrices of its own, which takes the next item not
// yet taken until none is left, so a core slowed by other programs takes
// fewer. Which lane computes an item never changes its bits: each
// product runs whole on its lane (parallel.Do runs the products inside
// it unshared), and tensor.Gemm's bits do not depend on how it runs.

// convLane is what one core working on a pass owns: a column matrix
// (X_col,n, a block of its rows, or ∂L/∂X_col,n), a block of ∂L/∂W_mat,
// and matrix views for the products.
type convLane struct {
	col, blk []float64
	a, b, c  matView
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

// lanes returns how many lanes share a pass over a batch of n images: one
// per goroutine that may run at once, at most one per image.
func (c *Conv2d) lanes(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n))
}

// run shares a pass of items (flops of work) between the lanes: each
// lane computes the next item not yet taken until none is left, an image
// of Y (forwardImage) or, if back is set, an item of Backward
// (backwardItem).
func (c *Conv2d) run(g convGeom, back bool, items int, flops float64) {
	lanes := c.lanes(g.n)
	for len(c.lane) < lanes {
		c.lane = append(c.lane, new(convLane))
	}
	if c.runLane == nil {
		c.runLane = c.lanePass // a method value made once: one per call would allocate
	}
	c.wmat.of(c.W.Value.Data, g.f, g.c*g.k*g.k)
	c.pass, c.back, c.items = g, back, items
	c.next.Store(0)
	parallel.Do(lanes, flops, c.runLane)
}

// lanePass runs lane i of the current pass.
func (c *Conv2d) lanePass(i int) {
	l := c.lane[i]
	for {
		k := int(c.next.Add(1)) - 1
		if k >= c.items {
			return
		}
		if c.back {
			c.backwardItem(l, c.pass, k)
		} else {
			c.forwardImage(l, c.pass, k)
		}
	}
}

// weightSplit returns how ∂L/∂W_mat (F×K) is cut into blocks for lanes
// lanes, in fParts ranges of rows by kParts ranges of columns: one block
// per lane, so each core builds and reads a share of the rows of X_col
// once per image. Its columns are cut when K is wide enough for each
// block to be a good product (K ≥ 16 per lane, on multiples of 8, the
// kernel's tile width), and each lane then rebuilds only its rows of
// X_col; else its rows (a first layer on one channel, K = 9).
func (g convGeom) weightSplit(lanes int) (fParts, kParts int) {
	switch kk := g.c * g.k * g.k; {
	case lanes <= 1:
		return 1, 1
	case kk >= 16*lanes:
		return 1, lanes
	default:
		return min(lanes, g.f), 1
	}
}

// cut8 returns the start of part i of parts of the columns 0..k, on a
// multiple of 8 (k for i = parts).
func cut8(k, i, parts int) int {
	if i >= parts {
		return k
	}
	return i * k / parts &^ 7
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
