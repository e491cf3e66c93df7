package modelfile

import (
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

func randT(rng *rand.Rand, r, c int) *tensor.Tensor { return tensor.RandNormal(rng, 0, 1, r, c) }

// unregistered is an identity layer that no codec knows.
type unregistered struct{}

func (*unregistered) Forward(x *tensor.Tensor) *tensor.Tensor  { return x }
func (*unregistered) Backward(d *tensor.Tensor) *tensor.Tensor { return d }
func (*unregistered) Params() []*layers.Param                  { return nil }
