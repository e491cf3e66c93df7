package modelfile_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/tensor"
)

// Save a model and load it back; the copy computes the same outputs.
func ExampleSave() {
	rng := rand.New(rand.NewPCG(3, 3))
	model := layers.NewMLP([]int{5, 4, 2}, layers.Xavier, rng)
	var buf bytes.Buffer
	if err := modelfile.Save(&buf, model); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bytes:", buf.Len())
	loaded, err := modelfile.Load(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.RandNormal(rng, 0, 1, 1, 5)
	want := model.Forward(x).Clone()
	fmt.Println(loaded, "same output:", fmt.Sprint(loaded.Forward(x)) == fmt.Sprint(want))
	// Output:
	// bytes: 872
	// Sequential(Linear(5→4), ReLU, Linear(4→2)) same output: true
}
