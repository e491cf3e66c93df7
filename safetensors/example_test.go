package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/backprop-go/backprop/safetensors"
)

// Write a 2×3 weight matrix and a bias, read them back.
func Example() {
	w, _ := safetensors.FromFloat64("0.weight", safetensors.F64, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
	b, _ := safetensors.FromFloat64("0.bias", safetensors.F32, []int{2}, []float64{0.5, -0.5})
	var buf bytes.Buffer
	err := safetensors.Write(&buf, &safetensors.File{
		Tensors:  []safetensors.Tensor{w, b},
		Metadata: map[string]string{"format": "pt"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// 8 bytes of header length, the JSON header padded with spaces, 56 bytes of data.
	n := binary.LittleEndian.Uint64(buf.Bytes())
	hdr := buf.Bytes()[8 : 8+n]
	json := bytes.TrimRight(hdr, " ")
	fmt.Printf("%d bytes, header of %d: %s + %d spaces\n", buf.Len(), n, json, len(hdr)-len(json))

	f, err := safetensors.Parse(buf.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range f.Tensors {
		v, _ := t.Float64s()
		fmt.Println(t.Name, t.DType, t.Shape, v)
	}
	fmt.Println(f.Metadata)
	// Output:
	// 224 bytes, header of 160: {"__metadata__":{"format":"pt"},"0.weight":{"dtype":"F64","shape":[2,3],"data_offsets":[0,48]},"0.bias":{"dtype":"F32","shape":[2],"data_offsets":[48,56]}} + 5 spaces
	// 0.weight F64 [2 3] [1 2 3 4 5 6]
	// 0.bias F32 [2] [0.5 -0.5]
	// map[format:pt]
}
