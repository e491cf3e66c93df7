package diagnose

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// PCA is a principal component analysis of a set of points.
type PCA struct {
	Mean       []float64   // the mean point, subtracted before projecting
	Components [][]float64 // unit vectors, the directions of largest variance first
	Variance   []float64   // the variance of the points along each component
	Total      float64     // the total variance (trace of the covariance)
}

// NewPCA finds the k directions along which the rows of x (n points of d
// dimensions) vary most: the eigenvectors of the covariance matrix
// C = (1/n) Σ (xᵢ − m)(xᵢ − m)ᵀ with the largest eigenvalues.
//
// It uses power iteration with deflation. Repeatedly multiplying a vector by
// C stretches it most along the top eigenvector, so v ← Cv/‖Cv‖ converges
// to that eigenvector at a rate set by the ratio of the two largest
// eigenvalues; its eigenvalue is then vᵀCv. Subtracting λvvᵀ from C
// (deflation) makes the second eigenvector the top one, and so on. For the
// 2-D picture of a hidden layer (k = 2, d ≤ a few hundred) that is a few
// hundred d×d products: milliseconds. The start vector is drawn from rng.
func NewPCA(x *tensor.Tensor, k int, rng *rand.Rand) *PCA {
	n, d := x.Rows(), x.Cols()
	if k < 1 || k > d || n < 2 {
		panic(fmt.Sprintf("diagnose: NewPCA: %d components of %d points in %d dimensions", k, n, d))
	}
	p := &PCA{Mean: make([]float64, d)}
	for i := range n {
		for j, v := range x.Row(i) {
			p.Mean[j] += v
		}
	}
	for j := range p.Mean {
		p.Mean[j] /= float64(n)
	}
	// C = (1/n) Xcᵀ Xc, with Xc the centred points.
	xc := x.Clone()
	for i := range n {
		row := xc.Row(i)
		for j := range row {
			row[j] -= p.Mean[j]
		}
	}
	c := tensor.New(d, d)
	tensor.Gemm(true, false, 1/float64(n), xc, xc, 0, c)
	for j := range d {
		p.Total += c.At(j, j)
	}

	v, w := make([]float64, d), make([]float64, d)
	for range k {
		for j := range v {
			v[j] = rng.NormFloat64()
		}
		orthogonalize(v, p.Components)
		normalize(v)
		lambda := 0.0
		for it := 0; it < 1000; it++ {
			matVec(w, c, v)
			lambda = dot(v, w)
			// Rounding leaves traces of the deflated directions; keep
			// them out, or a near-zero eigenvalue would return one.
			orthogonalize(w, p.Components)
			if normalize(w) == 0 { // C is zero along everything left
				copy(w, v)
				lambda = 0
				break
			}
			diff := 0.0
			for j := range v {
				diff = math.Max(diff, math.Abs(w[j]-v[j]))
			}
			v, w = w, v
			if diff < 1e-12 {
				break
			}
		}
		// A sign convention so that results do not flip between runs of
		// the same data: the largest entry is positive.
		big := 0
		for j := range v {
			if math.Abs(v[j]) > math.Abs(v[big]) {
				big = j
			}
		}
		if v[big] < 0 {
			for j := range v {
				v[j] = -v[j]
			}
		}
		p.Components = append(p.Components, append([]float64(nil), v...))
		// Rounding can make a zero eigenvalue −1e-17.
		p.Variance = append(p.Variance, max(lambda, 0))
		// Deflate: C −= λ v vᵀ.
		for i := range d {
			for j := range d {
				c.Data[i*d+j] -= lambda * v[i] * v[j]
			}
		}
	}
	return p
}

// Project returns the coordinates of each row of x along the components:
// an n×k tensor.
func (p *PCA) Project(x *tensor.Tensor) *tensor.Tensor {
	n, k := x.Rows(), len(p.Components)
	out := tensor.New(n, k)
	for i := range n {
		row := x.Row(i)
		for c, comp := range p.Components {
			var s float64
			for j, v := range row {
				s += (v - p.Mean[j]) * comp[j]
			}
			out.Data[i*k+c] = s
		}
	}
	return out
}

// orthogonalize removes from v its parts along the unit vectors us.
func orthogonalize(v []float64, us [][]float64) {
	for _, u := range us {
		d := dot(u, v)
		for j := range v {
			v[j] -= d * u[j]
		}
	}
}

func matVec(dst []float64, m *tensor.Tensor, v []float64) {
	d := len(v)
	for i := range d {
		dst[i] = dot(m.Data[i*d:(i+1)*d], v)
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// normalize scales v to unit length and returns its old length.
func normalize(v []float64) float64 {
	n := math.Sqrt(dot(v, v))
	if n == 0 {
		return 0
	}
	for i := range v {
		v[i] /= n
	}
	return n
}
