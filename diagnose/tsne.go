package diagnose

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/backprop-go/backprop/tensor"
)

// TSNEOptions sets the knobs of TSNE; the zero value gives the paper's
// defaults.
type TSNEOptions struct {
	Perplexity float64 // the effective number of neighbours; 0 means 30
	Iters      int     // gradient steps; 0 means 500
	LR         float64 // step size; 0 means 200
	Seed       uint64  // for the initial layout
}

// TSNE embeds the rows of x (n points) in the plane so that points that are
// close in the original space stay close: t-distributed stochastic
// neighbour embedding (van der Maaten and Hinton 2008), with the exact
// O(n²) gradient: 2,000 points and 500 steps take about 6 s of CPU time,
// spread over the cores (BenchmarkTSNE2000).
//
// The method, in the paper's notation: in the original space each point i
// picks j as a neighbour with probability p_{j|i} ∝ exp(−‖xᵢ − xⱼ‖²/2σᵢ²),
// where σᵢ is found by bisection so that the distribution's perplexity
// 2^H (H its entropy in bits) equals the chosen one: dense regions get a
// small σᵢ, sparse ones a large σᵢ. Symmetrised, pᵢⱼ = (p_{j|i} + p_{i|j})/2n.
// In the plane the similarities use a Student t with one degree of freedom,
// qᵢⱼ ∝ (1 + ‖yᵢ − yⱼ‖²)⁻¹, whose heavy tail lets moderately distant points
// lie far apart (which cures the "crowding problem" of SNE). The layout
// minimises KL(P‖Q) = Σ pᵢⱼ log(pᵢⱼ/qᵢⱼ) by gradient descent with
//
//	∂C/∂yᵢ = 4 Σⱼ (pᵢⱼ − qᵢⱼ)(1 + ‖yᵢ − yⱼ‖²)⁻¹ (yᵢ − yⱼ),
//
// with the paper's tricks: momentum 0.5 then 0.8, "early exaggeration"
// (P multiplied by 12 for the first 100 steps so that clusters form
// first), and per-coordinate gains that grow while the gradient keeps its
// sign. With w = (1 + d²)⁻¹ and Z = Σ w, qᵢⱼ = w/Z, so one pass over the
// pairs accumulates Σ pᵢⱼ w (yᵢ − yⱼ), Σ w² (yᵢ − yⱼ) and Z together and the
// gradient is 4(attraction − repulsion/Z): no n×n matrix for Q. P is
// kept sparse (see affinities), so only the repulsion visits all pairs.
//
// It returns an n×2 tensor.
func TSNE(x *tensor.Tensor, opts TSNEOptions) *tensor.Tensor {
	n := x.Rows()
	if n < 4 {
		panic(fmt.Sprintf("diagnose: TSNE needs at least 4 points, have %d", n))
	}
	perp := opts.Perplexity
	if perp <= 0 {
		perp = 30
	}
	perp = math.Min(perp, float64(n-1)/3)
	iters := opts.Iters
	if iters <= 0 {
		iters = 500
	}
	lr := opts.LR
	if lr <= 0 {
		lr = 200
	}
	p := affinities(x, perp)

	rng := rand.New(rand.NewPCG(opts.Seed, 0x75e))
	y := make([]float64, 2*n)
	for i := range y {
		y[i] = 1e-4 * rng.NormFloat64()
	}
	vel := make([]float64, 2*n)
	gains := make([]float64, 2*n)
	for i := range gains {
		gains[i] = 1
	}
	grad := make([]float64, 2*n)
	rep := make([]float64, 2*n)
	const exaggerate, exIters = 12.0, 100
	// Row i has n−1−i pairs (i, j > i): cut the rows where the cumulative
	// count of pairs passes each k/parts of the total.
	const parts = 4
	bounds := []int{0}
	for i, done := 0, 0; i < n; i++ {
		done += n - 1 - i
		if len(bounds) < parts && done*parts >= len(bounds)*n*(n-1)/2 {
			bounds = append(bounds, i+1)
		}
	}
	for len(bounds) <= parts {
		bounds = append(bounds, n)
	}
	reps := make([][]float64, parts)
	for k := range reps {
		reps[k] = make([]float64, 2*n)
	}
	zs := make([]float64, parts)
	for it := 0; it < iters; it++ {
		ex, mom := 1.0, 0.8
		if it < exIters {
			ex = exaggerate
		}
		if it < 250 {
			mom = 0.5
		}
		clear(grad)
		clear(rep)
		// Repulsion and Z over every pair, split into a fixed number of
		// row ranges summed in a fixed order: the same bits on any
		// number of cores.
		var wg sync.WaitGroup
		for k := range parts {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				zs[k] = repulsion(y, reps[k], bounds[k], bounds[k+1])
			}(k)
		}
		wg.Wait()
		var z float64
		for k := range parts {
			z += zs[k]
			for i, v := range reps[k] {
				rep[i] += v
			}
		}
		// Attraction: only the pairs with a pᵢⱼ worth counting.
		for _, e := range p {
			i, j := e.i, e.j
			d0, d1 := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			pw := ex * e.p / (1 + d0*d0 + d1*d1)
			grad[2*i] += pw * d0
			grad[2*i+1] += pw * d1
			grad[2*j] -= pw * d0
			grad[2*j+1] -= pw * d1
		}
		for k := range y {
			g := 4 * (grad[k] - rep[k]/z)
			// Gains: grow while the step keeps going the same way.
			if (g > 0) != (vel[k] > 0) {
				gains[k] += 0.2
			} else {
				gains[k] = math.Max(gains[k]*0.8, 0.01)
			}
			vel[k] = mom*vel[k] - lr*gains[k]*g
			y[k] += vel[k]
		}
		// Keep the layout centred.
		var m0, m1 float64
		for i := 0; i < n; i++ {
			m0 += y[2*i]
			m1 += y[2*i+1]
		}
		m0, m1 = m0/float64(n), m1/float64(n)
		for i := 0; i < n; i++ {
			y[2*i] -= m0
			y[2*i+1] -= m1
		}
	}
	return tensor.FromData(y, n, 2)
}

// repulsion adds, for the rows lo ≤ i < hi and every j > i, the repulsive
// terms w²(yᵢ − yⱼ) (to i, and their opposite to j) into rep, which it
// zeroes first, with w = (1 + ‖yᵢ − yⱼ‖²)⁻¹; it returns these rows' share of
// Z = Σ_{i≠j} w.
func repulsion(y, rep []float64, lo, hi int) float64 {
	clear(rep)
	var z float64
	for i := lo; i < hi; i++ {
		yi0, yi1 := y[2*i], y[2*i+1]
		// The pairs (i, j > i), as slices starting at j = i+1 so that
		// the loop runs without bounds checks.
		yj := y[2*(i+1):]
		rj := rep[2*(i+1) : len(yj)+2*(i+1)]
		var r0, r1, zi float64
		for k := 0; k+1 < len(yj); k += 2 {
			d0, d1 := yi0-yj[k], yi1-yj[k+1]
			w := 1 / (1 + d0*d0 + d1*d1)
			zi += w
			ww := w * w
			q0, q1 := ww*d0, ww*d1
			r0 += q0
			r1 += q1
			rj[k] -= q0
			rj[k+1] -= q1
		}
		z += 2 * zi
		rep[2*i] += r0
		rep[2*i+1] += r1
	}
	return z
}

// pair is one symmetric joint probability pᵢⱼ = pⱼᵢ, i < j.
type pair struct {
	i, j int
	p    float64
}

// affinities returns the symmetric joint probabilities pᵢⱼ for the given
// perplexity, for i < j, leaving out those below 1e-12 of the largest: a
// Gaussian with the σ a perplexity of 30 picks gives all but a few hundred
// neighbours of each point a probability that no float sum would notice,
// and skipping them spares the attraction pass most of the n² pairs.
func affinities(x *tensor.Tensor, perp float64) []pair {
	n := x.Rows()
	d2 := make([]float64, n*n)
	sq := make([]float64, n)
	for i := range n {
		sq[i] = dot(x.Row(i), x.Row(i))
	}
	g := tensor.New(n, n)
	tensor.Gemm(false, true, 1, x, x, 0, g) // Gram matrix xᵢ·xⱼ
	for i := range n {
		for j := range n {
			d2[i*n+j] = math.Max(0, sq[i]+sq[j]-2*g.Data[i*n+j])
		}
	}
	p := make([]float64, n*n)
	target := math.Log(perp) // entropy in nats
	for i := range n {
		row := d2[i*n : (i+1)*n]
		pi := p[i*n : (i+1)*n]
		// Bisection on β = 1/2σ² so that the entropy is ln(perplexity).
		beta, lo, hi := 1.0, 0.0, math.Inf(1)
		// Start at a scale that suits the data: 1/median-ish distance.
		var mean float64
		for j, v := range row {
			if j != i {
				mean += v
			}
		}
		if mean > 0 {
			beta = float64(n-1) / mean
		}
		for range 100 {
			h := rowEntropy(row, pi, i, beta)
			if math.Abs(h-target) < 1e-5 {
				break
			}
			if h > target { // too flat: narrow the Gaussian
				lo = beta
				if math.IsInf(hi, 1) {
					beta *= 2
				} else {
					beta = (beta + hi) / 2
				}
			} else {
				hi = beta
				beta = (beta + lo) / 2
			}
		}
		rowEntropy(row, pi, i, beta)
	}
	var out []pair
	var biggest float64
	for i := range n {
		for j := i + 1; j < n; j++ {
			biggest = math.Max(biggest, p[i*n+j]+p[j*n+i])
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			if s := p[i*n+j] + p[j*n+i]; s > 1e-12*biggest {
				out = append(out, pair{i, j, s / (2 * float64(n))})
			}
		}
	}
	return out
}

// rowEntropy fills pi with p_{j|i} for precision beta and returns its
// entropy in nats. Distances are shifted by the smallest so that exp never
// underflows to an all-zero row.
func rowEntropy(d2, pi []float64, i int, beta float64) float64 {
	minD := math.Inf(1)
	for j, v := range d2 {
		if j != i {
			minD = math.Min(minD, v)
		}
	}
	var sum float64
	for j, v := range d2 {
		if j == i {
			pi[j] = 0
			continue
		}
		pi[j] = math.Exp(-beta * (v - minD))
		sum += pi[j]
	}
	var h float64
	for j := range pi {
		if j == i {
			continue
		}
		pi[j] /= sum
		if pi[j] > 0 {
			h -= pi[j] * math.Log(pi[j])
		}
	}
	return h
}
