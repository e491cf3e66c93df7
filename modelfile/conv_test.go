package modelfile_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/tensor"
)

// TestConvRoundTrip: a small convolutional network (Conv2d with and
// without bias, stride and padding, BatchNorm2d with trained running
// statistics, GlobalAvgPool2d, Flatten, Unflatten, MaxPool2d, AvgPool2d)
// saved in both formats loads back and computes the same outputs, to the bit, in evaluation mode; its files
// use PyTorch's names and shapes.
func TestConvRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	bn := layers.NewBatchNorm2d(4)
	models := []*layers.Sequential{
		layers.NewSequential(
			layers.NewConv2d(1, 4, 3, layers.Conv2dOptions{Padding: 1, NoBias: true}, rng), bn, layers.NewReLU(),
			layers.NewConv2d(4, 3, 3, layers.Conv2dOptions{Stride: 2}, rng), layers.NewGlobalAvgPool2d(), layers.NewFlatten(),
			layers.NewLinear(3, 2, layers.He, rng)),
		layers.NewSequential(
			layers.NewConv2d(1, 2, 2, layers.Conv2dOptions{Stride: 2, Init: layers.Xavier}, rng), layers.NewFlatten(),
			layers.NewLinear(2*3*3, 2, layers.He, rng)),
		layers.NewSequential(
			layers.NewFlatten(), layers.NewUnflatten(1, 6, 6), layers.NewMaxPool2d(2, 0),
			layers.NewAvgPool2d(2, 1), layers.NewFlatten(), layers.NewLinear(2*2, 3, layers.He, rng)),
	}
	x := tensor.RandNormal(rng, 0, 1, 5, 1, 6, 6)
	models[0].Forward(x) // training mode: running statistics and count move
	if bn.NumBatchesTracked != 1 {
		t.Fatalf("num_batches_tracked %d after one batch", bn.NumBatchesTracked)
	}
	for i, m := range models {
		m.SetTraining(false)
		want := m.Forward(x).Clone()
		for name, save := range map[string]func(*bytes.Buffer) error{
			"safetensors": func(b *bytes.Buffer) error { return modelfile.Save(b, m) },
			"npz":         func(b *bytes.Buffer) error { return modelfile.SaveNPZ(b, &modelfile.Checkpoint{Model: m}) },
		} {
			var buf bytes.Buffer
			if err := save(&buf); err != nil {
				t.Fatalf("model %d, %s: %v", i, name, err)
			}
			if name == "safetensors" && i == 0 {
				for _, s := range []string{`"0.weight":{"dtype":"F64","shape":[4,1,3,3]`, `"1.num_batches_tracked":{"dtype":"I64","shape":[]`,
					`"3.bias":{"dtype":"F64","shape":[3]`, `\"type\":\"Conv2d\",\"config\":{\"in_channels\":4,\"out_channels\":3,\"kernel_size\":3,\"stride\":2,\"padding\":0,\"bias\":true}`} {
					if !strings.Contains(buf.String(), s) {
						t.Errorf("the file lacks %s", s)
					}
				}
				if strings.Contains(buf.String(), `"0.bias"`) {
					t.Error("a Conv2d without bias stored one")
				}
			}
			got, err := modelfile.Load(&buf)
			if err != nil {
				t.Fatalf("model %d, %s: %v", i, name, err)
			}
			if got.String() != m.String() {
				t.Errorf("model %d, %s: saved %v, loaded %v", i, name, m, got)
			}
			got.SetTraining(false)
			y := got.Forward(x)
			for j, v := range want.Data {
				if math.Float64bits(y.Data[j]) != math.Float64bits(v) {
					t.Fatalf("model %d, %s: output %d = %v, want %v", i, name, j, y.Data[j], v)
				}
			}
		}
	}
}
