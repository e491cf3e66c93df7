package modelfile

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

func randT(rng *rand.Rand, r, c int) *tensor.Tensor { return tensor.RandNormal(rng, 0, 1, r, c) }

// closeTo fails unless got and want have the same length and every value
// is within tol·(1+|want|) of its twin; NaN never is.
func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// unregistered is an identity layer that no codec knows.
type unregistered struct{}

func (*unregistered) Forward(x *tensor.Tensor) *tensor.Tensor  { return x }
func (*unregistered) Backward(d *tensor.Tensor) *tensor.Tensor { return d }
func (*unregistered) Params() []*layers.Param                  { return nil }
