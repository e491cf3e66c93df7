package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

func f32bytes(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// The reference implementation's own serialisation tests
// (safetensors/src/tensor.rs, test_serialization and test_empty): the
// writer must produce the same bytes.
func TestMarshalMatchesReference(t *testing.T) {
	one := &File{Tensors: []Tensor{{Name: "attn.0", DType: F32, Shape: []int{1, 2, 3}, Data: f32bytes(0, 1, 2, 3, 4, 5)}}}
	want := []byte{
		64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
		116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
		58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
		101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
		0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
	}
	got, err := Marshal(one)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal:\n got %q\nwant %q", got, want)
	}

	got, err = Marshal(&File{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32}; !bytes.Equal(got, want) {
		t.Errorf("empty file: got %v, want %v", got, want)
	}
	got, err = Marshal(&File{Metadata: map[string]string{"framework": "pt"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]byte{40, 0, 0, 0, 0, 0, 0, 0}, `{"__metadata__":{"framework":"pt"}}     `...); !bytes.Equal(got, want) {
		t.Errorf("metadata only: got %q, want %q", got, want)
	}
	// Write gives the same bytes as Marshal.
	var buf bytes.Buffer
	if err := Write(&buf, one); err != nil {
		t.Fatal(err)
	}
	if b, _ := Marshal(one); !bytes.Equal(buf.Bytes(), b) {
		t.Error("Write and Marshal differ")
	}
}

func TestRoundTrip(t *testing.T) {
	f64s := []float64{1, -2, math.Pi, 1e-300, math.Inf(1), math.Copysign(0, -1)} // negative zero survives
	w, _ := FromFloat64("0.weight", F64, []int{2, 3}, f64s)
	b, _ := FromFloat64("0.bias", F32, []int{2}, []float64{0.1, -7})
	n, _ := FromFloat64("1.num_batches_tracked", I64, []int{}, []float64{12345})
	f := &File{Tensors: []Tensor{w, b, n}, Metadata: map[string]string{"format": "pt", "é": "ü\"\n"}}
	data, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if hl := binary.LittleEndian.Uint64(data); (8+hl)%8 != 0 {
		t.Errorf("header length %d: data not 8-byte aligned", hl)
	}
	g, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Metadata, f.Metadata) {
		t.Errorf("metadata %v, want %v", g.Metadata, f.Metadata)
	}
	if len(g.Tensors) != 3 {
		t.Fatalf("%d tensors, want 3", len(g.Tensors))
	}
	for i, want := range f.Tensors {
		got := g.Tensors[i]
		if got.Name != want.Name || got.DType != want.DType || !reflect.DeepEqual(got.Shape, want.Shape) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("tensor %d: got %+v, want %+v", i, got, want)
		}
	}
	v, _ := g.Tensors[0].Float64s()
	numtest.SameSlices(t, "F64 values", v, f64s)
	if len(v) == 6 && !math.Signbit(v[5]) {
		t.Errorf("F64 value %v: the sign of negative zero is lost", v[5])
	}
	v, _ = g.Tensors[1].Float64s()
	numtest.SameSlices(t, "F32 values", v, []float64{float64(float32(0.1)), -7})
	v, _ = g.Tensors[2].Float64s()
	numtest.SameSlices(t, "I64 scalar", v, []float64{12345})
	if _, ok := g.Lookup("0.bias"); !ok {
		t.Error("Lookup(0.bias) failed")
	}
}

func TestConversions(t *testing.T) {
	le := binary.LittleEndian
	cases := []struct {
		dtype DType
		data  []byte
		want  []float64
	}{
		{F16, le.AppendUint16(le.AppendUint16(le.AppendUint16(le.AppendUint16(nil, 0x3c00), 0xc000), 0x0001), 0x7bff), []float64{1, -2, math.Ldexp(1, -24), 65504}},
		{BF16, le.AppendUint16(nil, 0x3f80), []float64{1}},
		{I32, le.AppendUint32(nil, uint32(0xffffffff)), []float64{-1}},
		{U8, []byte{200}, []float64{200}},
		{I8, []byte{200}, []float64{-56}},
		{BOOL, []byte{0, 1}, []float64{0, 1}},
	}
	for _, c := range cases {
		tn := Tensor{Name: "x", DType: c.dtype, Shape: []int{len(c.want)}, Data: c.data}
		got, err := tn.Float64s()
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, %v; want %v", c.dtype, got, err, c.want)
		}
	}
	if _, err := (Tensor{Name: "x", DType: F8_E4M3, Shape: []int{1}, Data: []byte{1}}).Float64s(); err == nil {
		t.Error("F8 converted")
	}
	if _, err := FromFloat64("c", I64, []int{1}, []float64{0.5}); err == nil {
		t.Error("0.5 stored as I64")
	}
	if _, err := FromFloat64("c", F64, []int{2}, []float64{1}); err == nil {
		t.Error("1 value stored in shape [2]")
	}
}

func TestMarshalRefuses(t *testing.T) {
	ok := Tensor{Name: "a", DType: F64, Shape: []int{1}, Data: make([]byte, 8)}
	for name, f := range map[string]*File{
		"duplicate":  {Tensors: []Tensor{ok, ok}},
		"reserved":   {Tensors: []Tensor{{Name: "__metadata__", DType: F64, Shape: []int{}, Data: make([]byte, 8)}}},
		"short data": {Tensors: []Tensor{{Name: "a", DType: F64, Shape: []int{2}, Data: make([]byte, 8)}}},
		"dtype":      {Tensors: []Tensor{{Name: "a", DType: "F128", Shape: []int{}, Data: make([]byte, 16)}}},
		"negative":   {Tensors: []Tensor{{Name: "a", DType: F64, Shape: []int{-1}}}},
	} {
		if _, err := Marshal(f); err == nil {
			t.Errorf("%s: Marshal succeeded", name)
		}
		var buf bytes.Buffer
		if err := Write(&buf, f); err == nil || buf.Len() != 0 {
			t.Errorf("%s: Write wrote %d bytes, err %v", name, buf.Len(), err)
		}
	}
}

// file assembles a file from a raw header and n data bytes, padding the
// header with spaces as a writer would.
func file(hdr string, n int) []byte {
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	return append(append(b, hdr...), make([]byte, n)...)
}

// hostile lists invalid files, each with a word its error must contain.
// They are also the fuzzer's seeds.
func hostile() map[string]struct {
	data []byte
	want string
} {
	huge := binary.LittleEndian.AppendUint64(nil, math.MaxUint64)
	return map[string]struct {
		data []byte
		want string
	}{
		"empty":              {nil, "fewer than the 8"},
		"huge header length": {append(huge, "{}"...), "exceeds the limit"},
		"header past end":    {binary.LittleEndian.AppendUint64(nil, 1000), "only 0 bytes follow"},
		"bad utf8":           {file("{\"\xff\":1}", 0), "UTF-8"},
		"not an object":      {file(`[1,2]`, 0), "start with '{'"},
		"bad json":           {file(`{"a":{"dtype":"F64",`, 0), "header"},
		"trailing":           {file(`{}{}`, 0), "after the header"},
		"duplicate tensor":   {file(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}`, 16), "twice"},
		"duplicate meta":     {file(`{"__metadata__":{"k":"1","k":"2"}}`, 0), "twice"},
		"meta not string":    {file(`{"__metadata__":{"k":1}}`, 0), "want a string"},
		"unknown dtype":      {file(`{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, 16), "unknown dtype"},
		"missing shape":      {file(`{"a":{"dtype":"F64","data_offsets":[0,8]}}`, 8), "missing"},
		"negative shape":     {file(`{"a":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}`, 8), "non-negative"},
		"float shape":        {file(`{"a":{"dtype":"F64","shape":[1.5],"data_offsets":[0,8]}}`, 8), "non-negative"},
		"three offsets":      {file(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8,9]}}`, 8), "begin, end"},
		"gap at start":       {file(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}`, 16), "do not start"},
		"overlap":            {file(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}`, 16), "do not start"},
		"end before begin":   {file(`{"a":{"dtype":"F64","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F64","shape":[0],"data_offsets":[0,18446744073709551615]}}`, 0), "bytes"},
		"size mismatch":      {file(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "needs 12 bytes"},
		"shape overflow":     {file(`{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, 8), "overflows"},
		"huge tensor":        {file(`{"a":{"dtype":"F64","shape":[1000000000000],"data_offsets":[0,8000000000000]}}`, 8), "cover"},
		"short data":         {file(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`, 8), "cover 16"},
		"extra data":         {file(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, 9), "cover 8"},
		"many metadata":      {file(manyMetadata(MaxMetadataEntries+1), 0), "MaxMetadataEntries"},
	}
}

// manyMetadata returns a header whose __metadata__ holds n entries.
func manyMetadata(n int) string {
	var b strings.Builder
	b.WriteString(`{"__metadata__":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":""`, i)
	}
	b.WriteString("}}")
	return b.String()
}

// TestMetadataEntries: MaxMetadataEntries pairs are read and written, one
// more is refused both ways.
func TestMetadataEntries(t *testing.T) {
	f, err := Parse(file(manyMetadata(MaxMetadataEntries), 0))
	if err != nil || len(f.Metadata) != MaxMetadataEntries {
		t.Fatalf("%d entries: %v", MaxMetadataEntries, err)
	}
	if _, err := Marshal(f); err != nil {
		t.Errorf("Marshal of %d entries: %v", MaxMetadataEntries, err)
	}
	f.Metadata["one more"] = ""
	if _, err := Marshal(f); err == nil || !strings.Contains(err.Error(), "MaxMetadataEntries") {
		t.Errorf("Marshal of %d entries: %v", len(f.Metadata), err)
	}
}

func TestParseRejects(t *testing.T) {
	for name, c := range hostile() {
		_, err := Parse(c.data)
		if err == nil {
			t.Errorf("%s: parsed", name)
			continue
		}
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want ErrFormat mentioning %q", name, err, c.want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	// Offsets sorted in the data but listed in another order in the JSON,
	// unknown keys in a tensor entry, null metadata, a zero-size tensor and
	// a scalar: all valid for the reference.
	data := file(`{"b":{"dtype":"F64","shape":[],"data_offsets":[8,16]},"__metadata__":null,"z":{"dtype":"I8","shape":[0,5],"data_offsets":[16,16]},"a":{"extra":[1,{}],"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, 16)
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tn := range f.Tensors {
		names = append(names, tn.Name)
	}
	if want := []string{"a", "b", "z"}; !reflect.DeepEqual(names, want) {
		t.Errorf("tensors in data order %v, want %v", names, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range hostile() {
		f.Add(c.data)
	}
	good, _ := FromFloat64("0.weight", F64, []int{2, 2}, []float64{1, 2, 3, 4})
	data, _ := Marshal(&File{Tensors: []Tensor{good}, Metadata: map[string]string{"a": "b"}})
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		// A file that parses must convert (unless 8-bit floats) and
		// survive a round trip unchanged.
		for _, tn := range g.Tensors {
			if _, err := tn.Float64s(); err != nil && tn.DType != F8_E4M3 && tn.DType != F8_E5M2 {
				t.Fatalf("parsed tensor does not convert: %v", err)
			}
		}
		again, err := Marshal(g)
		if err != nil {
			t.Fatalf("parsed file does not marshal: %v", err)
		}
		h, err := Parse(again)
		if err != nil {
			t.Fatalf("re-marshalled file does not parse: %v", err)
		}
		if !reflect.DeepEqual(g.Metadata, h.Metadata) || len(g.Tensors) != len(h.Tensors) {
			t.Fatal("round trip changed the file")
		}
	})
}
