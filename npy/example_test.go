package npy_test

import (
	"bytes"
	"fmt"

	"github.com/backprop-go/backprop/npy"
)

// Write a 2×3 array as numpy's np.save would, and read it back.
func Example() {
	var buf bytes.Buffer
	a := &npy.Array{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}}
	if err := npy.Write(&buf, a); err != nil {
		fmt.Println(err)
		return
	}
	b := buf.Bytes()
	fmt.Printf("%d bytes; data starts at byte %d\n", len(b), len(b)-6*8)
	fmt.Printf("header: %s\n", bytes.TrimRight(b[10:len(b)-48], " \n"))

	back, err := npy.Read(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.DType, back.Shape, back.Data)
	// Output:
	// 176 bytes; data starts at byte 128
	// header: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
	// <f8 [2 3] [1 2 3 4 5 6]
}

// An .npz archive holds several arrays; np.load(path) shows them by name.
func ExampleWriteNPZ() {
	var buf bytes.Buffer
	err := npy.WriteNPZ(&buf, []npy.Member{
		{Name: "weight", Array: &npy.Array{Shape: []int{1, 2}, Data: []float64{0.5, -1}}},
		{Name: "bias", Array: &npy.Array{Shape: []int{1}, Data: []float64{0.25}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	members, err := npy.ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range members {
		fmt.Println(m.Name, m.Array.Shape, m.Array.Data)
	}
	// Output:
	// weight [1 2] [0.5 -1]
	// bias [1] [0.25]
}
