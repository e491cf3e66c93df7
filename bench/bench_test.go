package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/tensor"
	"gonum.org/v1/gonum/mat"
)

// shape is one product C (m×n) = op(A)·op(B) with inner size k; A and B are
// stored as op(A) and op(B) would be without the transposes.
type shape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// The homework's products (a 784-128-10 MLP, batches of 64) and square ones.
// These are the same shapes as tensor's own BenchmarkGemm.
var shapes = []shape{
	{"AB_64x784_784x128", false, false, 64, 128, 784},
	{"ABT_64x784_128x784", false, true, 64, 128, 784},
	{"ATB_64x128_64x784", true, false, 128, 784, 64},
	{"AB_64x128_128x784", false, false, 64, 784, 128},
	{"AB_64x128_128x10", false, false, 64, 10, 128},
	{"ABT_64x128_10x128", false, true, 64, 10, 128},
	{"ATB_64x10_64x128", true, false, 10, 128, 64},
	{"AB_64x10_10x128", false, false, 64, 128, 10},
	{"AB_64x784_784x256", false, false, 64, 256, 784},
	{"AB_256x256_256x256", false, false, 256, 256, 256},
	{"AB_512x512_512x512", false, false, 512, 512, 512},
	{"AB_1024x1024_1024x1024", false, false, 1024, 1024, 1024},
}

// stored returns the shapes of A and B as stored: op(A) is m×k and op(B)
// is k×n, so a transposed operand is stored the other way round.
func (s shape) stored() (ar, ac, br, bc int) {
	ar, ac, br, bc = s.m, s.k, s.k, s.n
	if s.transA {
		ar, ac = ac, ar
	}
	if s.transB {
		br, bc = bc, br
	}
	return ar, ac, br, bc
}

func random(rng *rand.Rand, r, c int) []float64 {
	s := make([]float64, r*c)
	for i := range s {
		s[i] = 2*rng.Float64() - 1
	}
	return s
}

func reportGFLOPS(b *testing.B, s shape) {
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// BenchmarkMatMul times tensor's product ("ours") and gonum's mat.Dense.Mul
// ("gonum", with .T() for the transposed operands) on identical data.
func BenchmarkMatMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
		ar, ac, br, bc := s.stored()
		a, bb := random(rng, ar, ac), random(rng, br, bc)

		b.Run(s.name+"/ours", func(b *testing.B) {
			ta, tb := tensor.FromData(a, ar, ac), tensor.FromData(bb, br, bc)
			dst := tensor.New(s.m, s.n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				switch {
				case s.transA:
					tensor.MatMulATB(dst, ta, tb)
				case s.transB:
					tensor.MatMulABT(dst, ta, tb)
				default:
					tensor.MatMul(dst, ta, tb)
				}
			}
			reportGFLOPS(b, s)
		})

		b.Run(s.name+"/gonum", func(b *testing.B) {
			var ga, gb mat.Matrix = mat.NewDense(ar, ac, a), mat.NewDense(br, bc, bb)
			if s.transA {
				ga = ga.T()
			}
			if s.transB {
				gb = gb.T()
			}
			dst := mat.NewDense(s.m, s.n, nil)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dst.Mul(ga, gb)
			}
			reportGFLOPS(b, s)
		})
	}
}

// TestSameResult checks that the comparison is fair: both libraries compute
// the same product (up to rounding) on every shape.
func TestSameResult(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, s := range shapes[:9] {
		ar, ac, br, bc := s.stored()
		a, bb := random(rng, ar, ac), random(rng, br, bc)
		ta, tb := tensor.FromData(a, ar, ac), tensor.FromData(bb, br, bc)
		var ours *tensor.Tensor
		var ga, gb mat.Matrix = mat.NewDense(ar, ac, a), mat.NewDense(br, bc, bb)
		switch {
		case s.transA:
			ours, ga = tensor.MatMulATB(nil, ta, tb), ga.T()
		case s.transB:
			ours, gb = tensor.MatMulABT(nil, ta, tb), gb.T()
		default:
			ours = tensor.MatMul(nil, ta, tb)
		}
		var theirs mat.Dense
		theirs.Mul(ga, gb)
		if !mat.EqualApprox(mat.NewDense(s.m, s.n, ours.Data), &theirs, 1e-10) {
			t.Errorf("%s: tensor and gonum disagree", s.name)
		}
	}
}
