package gradcheck

import (
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// DefaultEps is the central-difference step used when Options.Eps is 0.
const DefaultEps = 1e-4

// RichardsonEps is the step used when Options.Richardson is set and
// Options.Eps is 0. The O(ε⁴) truncation of the extrapolation allows a
// larger step than DefaultEps, which shrinks the rounding error (see the
// package documentation).
const RichardsonEps = 1e-3

// Tiny is the floor of the denominator in RelErr. It only matters when both
// gradients are (almost) exactly zero, e.g. for the weights behind a dead
// ReLU, where it turns 0/0 into 0.
const Tiny = 1e-30

// Options configures a check. The zero value checks every entry with
// ε = 1e-4 and seed 0.
type Options struct {
	// Eps is the step ε of the central difference
	// (L(θ+ε) − L(θ−ε)) / 2ε; 0 means DefaultEps, or RichardsonEps when
	// Richardson is set.
	Eps float64
	// Rng draws the random projection r of Layer and the entries checked
	// when MaxPerTensor is set. If nil, rand.New(rand.NewPCG(Seed, Seed))
	// is used, so a check is reproducible from Seed alone.
	Rng *rand.Rand
	// Seed seeds the generator when Rng is nil.
	Seed uint64
	// MaxPerTensor, if positive, checks only that many entries of each
	// tensor, chosen at random. Each checked entry costs two forward passes,
	// so this keeps checks of large layers (784×128 weights) quick.
	MaxPerTensor int
	// Richardson replaces the central difference D(ε), whose error is
	// ε²/6·L‴, by the Richardson extrapolation (4·D(ε/2) − D(ε))/3, whose
	// error is O(ε⁴) (see the package documentation). Use it for smooth
	// functions (tanh, sigmoid, GELU, batch norm), whose ε² truncation can
	// exceed 1e-7 where a gradient is small. It costs four evaluations per
	// entry instead of two. Its default step is RichardsonEps.
	Richardson bool
	// Kinks retries an entry that fails at ε with the steps ε/10 and ε/100
	// and keeps the best of them. A ReLU unit whose input lies within ε of
	// 0 makes θ ± ε straddle two slopes (the numeric derivative is then
	// off by up to the jump in slope, whatever the gradient's size); a
	// smaller step no longer reaches the kink. A wrong gradient is wrong at
	// every step, so the retry cannot hide it. Use it to check a network
	// on real data, where some unit is bound to sit near its kink.
	Kinks bool
}

func (o Options) eps() float64 {
	if o.Eps == 0 && o.Richardson {
		return RichardsonEps
	}
	if o.Eps == 0 {
		return DefaultEps
	}
	return o.Eps
}

func (o Options) rng() *rand.Rand {
	if o.Rng != nil {
		return o.Rng
	}
	return rand.New(rand.NewPCG(o.Seed, o.Seed))
}

// NoiseFactor is how many unit round-offs (u = 2⁻⁵³ ≈ 1.1e-16) of its
// scale the value of the checked function is assumed to be off by: a
// forward pass rounds many times, and its errors mostly cancel. The
// rounding noise of a central difference with step h is then
// NoiseFactor·u·scale/h (see the package documentation).
const NoiseFactor = 64

// Err returns the error that decides a check: 0 when the analytic gradient a
// and the numeric one n differ by at most noise, the rounding noise of n,
// and RelErr(a, n) otherwise. An entry passes a check with tolerance tol
// when Err ≤ tol, that is when |a − n| ≤ noise or |a − n| ≤ tol·max(|a|, |n|).
func Err(a, n, noise float64) float64 {
	if math.Abs(a-n) <= noise {
		return 0
	}
	return RelErr(a, n)
}

// RelErr returns the relative error |a − n| / max(|a|, |n|, Tiny) between an
// analytic gradient a and a numeric one n. NaN in either gives +Inf, so it
// always fails a tolerance.
func RelErr(a, n float64) float64 {
	e := math.Abs(a-n) / max(math.Abs(a), math.Abs(n), Tiny)
	if math.IsNaN(e) {
		return math.Inf(1)
	}
	return e
}

// Layer checks l.Backward against central differences of l.Forward at input x.
//
// To get a scalar from the layer's output Y it uses the loss
// L = Σ r ⊙ Y with a fixed random r (standard normal, same shape as Y), whose
// gradient ∂L/∂Y is simply r. A random r exercises every output with a
// different weight, so a bug that swaps or mixes outputs does not cancel out.
// The analytic gradients are those of one Backward(r); each checked entry θ
// of the input and of every parameter is then nudged to θ ± ε and
// (L(θ+ε) − L(θ−ε)) / 2ε compared with them.
//
// x is not modified (the check runs on a copy). The parameters' values are
// restored after each nudge; their gradients are zeroed and end up holding
// the analytic gradient. Forward must be deterministic: set a
// layers.Dropout's Frozen to check it in training mode with one fixed mask
// (or put it into evaluation mode). BatchNorm1d is deterministic in both
// modes; in training mode its running statistics move with every call,
// which its output does not depend on. Avoid inputs within ε of a kink
// (ReLU and LeakyReLU at 0), where the numeric derivative straddles two
// slopes, or set Options.Kinks.
func Layer(l layers.Layer, x *tensor.Tensor, opts Options) Report {
	rng := opts.rng()
	x = x.Clone()
	y := l.Forward(x)
	r := tensor.RandNormal(rng, 0, 1, y.Shape...)
	loss := func() (value, scale float64) {
		y := l.Forward(x)
		if !y.SameShape(r) {
			panic("gradcheck: Layer: output shape changed between calls to Forward")
		}
		for i, v := range y.Data {
			value += r.Data[i] * v
			scale += math.Abs(r.Data[i] * v)
		}
		return value, scale
	}

	params := l.Params()
	layers.ZeroGrads(params)
	loss() // Backward must follow the Forward it differentiates.
	dx := l.Backward(r).Clone()

	targets := []target{{name: "input", value: x, analytic: dx}}
	for _, p := range params {
		targets = append(targets, target{name: p.Name, value: p.Value, analytic: p.Grad.Clone()})
	}
	return check(loss, targets, opts, rng)
}

// Func checks the gradients of an arbitrary scalar function f with respect to
// params: each Param's Grad must already hold the analytic gradient ∂f/∂Value
// (computed by the caller), and f must recompute the function from the
// current Values. Func nudges each checked entry of each Value by ±ε, calls f,
// restores the entry, and compares.
//
// For a loss, wrap the logits in a Param whose Grad is the loss's Backward:
//
//	var ce loss.SoftmaxCrossEntropy
//	ce.Forward(z, labels)
//	p := &layers.Param{Name: "z", Value: z, Grad: ce.Backward()}
//	rep := gradcheck.Func(func() float64 { return ce.Forward(z, labels) }, []*layers.Param{p}, opts)
//
// Func copies the analytic gradients before calling f, so a Grad that f
// overwrites (a buffer owned by the loss) is fine.
func Func(f func() float64, params []*layers.Param, opts Options) Report {
	var targets []target
	for _, p := range params {
		if !p.Value.SameShape(p.Grad) {
			panic("gradcheck: Func: parameter " + p.Name + " has Value and Grad of different shapes")
		}
		targets = append(targets, target{name: p.Name, value: p.Value, analytic: p.Grad.Clone()})
	}
	g := func() (value, scale float64) { v := f(); return v, math.Abs(v) }
	return check(g, targets, opts, opts.rng())
}

// target is one tensor to check: the values to nudge and the analytic
// gradient to compare with.
type target struct {
	name     string
	value    *tensor.Tensor
	analytic *tensor.Tensor
}

func check(f func() (value, scale float64), targets []target, opts Options, rng *rand.Rand) Report {
	eps := opts.eps()
	var rep Report
	rep.Worst.RelErr = -1
	for _, t := range targets {
		tr := TensorReport{Name: t.name, Shape: append([]int(nil), t.value.Shape...)}
		tr.Worst.RelErr = -1
		for _, i := range indices(len(t.value.Data), opts.MaxPerTensor, rng) {
			a := t.analytic.Data[i]
			e := entry(f, t, i, a, eps, opts.Richardson)
			if opts.Kinks {
				// A wrong gradient is wrong at every step; a kink within the
				// step is not crossed by a smaller one.
				for h := eps / 10; e.Err > 0 && h >= eps/100; h /= 10 {
					if smaller := entry(f, t, i, a, h, opts.Richardson); worse(e, smaller) {
						e = smaller
					}
				}
			}
			tr.Checked++
			if worse(e, tr.Worst) {
				tr.Worst = e
			}
		}
		tr.Worst.RelErr = max(tr.Worst.RelErr, 0) // nothing checked: no error
		if worse(tr.Worst, rep.Worst) {
			rep.Worst = tr.Worst
		}
		rep.Tensors = append(rep.Tensors, tr)
	}
	rep.Worst.RelErr = max(rep.Worst.RelErr, 0)
	f() // leave the function evaluated at the unperturbed point
	return rep
}

// entry compares the analytic gradient a of entry i of t with the numeric
// one at step h.
func entry(f func() (value, scale float64), t target, i int, a, h float64, richardson bool) Entry {
	num, noise := central(f, t.value.Data, i, h)
	if richardson {
		// D(h) = L′ + h²/6 L‴ + O(h⁴) and D(h/2) = L′ + h²/24 L‴ + O(h⁴):
		// 4·D(h/2) − D(h) = 3 L′ + O(h⁴), the h² terms cancel. The
		// rounding noise of the two differences adds with the same weights.
		half, halfNoise := central(f, t.value.Data, i, h/2)
		num, noise = (4*half-num)/3, (4*halfNoise+noise)/3
	}
	return Entry{Tensor: t.name, Index: i, At: coords(i, t.value.Shape), Eps: h, Analytic: a, Numeric: num,
		RelErr: RelErr(a, num), Noise: noise, Err: Err(a, num, noise)}
}

// worse orders entries by the error that decides a check, Err, and among
// entries within the rounding noise (Err 0) by RelErr.
func worse(e, than Entry) bool {
	if e.Err != than.Err {
		return e.Err > than.Err
	}
	return e.RelErr > than.RelErr
}

// central returns the central difference (f(θ+h) − f(θ−h)) / 2h in entry i
// of data, and restores the entry. It also returns the difference's
// rounding noise: each value of f is off by up to NoiseFactor·u·scale
// (u the unit round-off), and the division by 2h turns the difference of
// two such errors into NoiseFactor·u·scale/h.
func central(f func() (value, scale float64), data []float64, i int, h float64) (diff, noise float64) {
	old := data[i]
	data[i] = old + h
	lp, sp := f()
	data[i] = old - h
	lm, sm := f()
	data[i] = old
	return (lp - lm) / (2 * h), NoiseFactor * unitRoundoff * max(sp, sm) / h
}

// unitRoundoff is u = 2⁻⁵³, the largest relative rounding error of one
// float64 operation.
const unitRoundoff = 0x1p-53

// indices returns 0..n-1, or max of them chosen at random if 0 < max < n.
func indices(n, max int, rng *rand.Rand) []int {
	if max <= 0 || max >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return rng.Perm(n)[:max]
}

// coords turns a flat row-major index into one coordinate per dimension.
func coords(i int, shape []int) []int {
	at := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			at[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return at
}
