package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/internal/half"
)

// MaxHeaderSize is the longest header Read accepts, in bytes: numpy's
// default max_header_size.
const MaxHeaderSize = 10000

// ErrFormat is wrapped by every error Read returns for data that is not a
// valid .npy file; test for it with errors.Is.
var ErrFormat = errors.New("npy: invalid file")

const magic = "\x93NUMPY"

// Array is an n-dimensional array of numbers, held as float64 in C
// (row-major) order.
type Array struct {
	// Shape lists the dimensions, outermost first; empty for a scalar.
	Shape []int
	// Data holds the product of Shape elements.
	Data []float64
	// DType is the typestr of the file: Write stores "<f8" when it is
	// empty, and also writes "<f4" (rounding each value to float32) and
	// "<i8" (whole numbers only). Read sets it to what the file held,
	// e.g. "<f4" or ">i8".
	DType string
}

// Write writes a to w as a version 1.0 .npy file, byte for byte what
// numpy's np.save writes for the same array. Nothing is written if a is
// invalid.
func Write(w io.Writer, a *Array) error {
	b, err := Marshal(a)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Marshal returns a encoded as a .npy file (see Write).
func Marshal(a *Array) ([]byte, error) {
	dtype := a.DType
	if dtype == "" {
		dtype = "<f8"
	}
	for _, d := range a.Shape {
		if d < 0 {
			return nil, fmt.Errorf("npy: negative dimension in shape %v", a.Shape)
		}
	}
	// Checked for 8-byte elements whatever dtype is written, so that every
	// array Marshal accepts is one Read accepts back as <f8.
	n64, ok := elements(a.Shape, 8)
	if !ok {
		return nil, fmt.Errorf("npy: shape %v overflows", a.Shape)
	}
	n := int(n64)
	if n != len(a.Data) {
		return nil, fmt.Errorf("npy: shape %v holds %d values, Data has %d", a.Shape, n, len(a.Data))
	}
	var size int
	switch dtype {
	case "<f8", "<i8":
		size = 8
	case "<f4":
		size = 4
	default:
		return nil, fmt.Errorf("npy: Write stores <f8, <f4 or <i8, not %q", dtype)
	}
	// The header as numpy writes it: sorted keys, repr of each value, then
	// spare spaces so that the first dimension can grow in place, then
	// padding to a 64-byte boundary and a newline.
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", dtype, shapeRepr(a.Shape))
	if len(a.Shape) > 0 {
		hdr += strings.Repeat(" ", 21-len(strconv.Itoa(a.Shape[0])))
	}
	hlen := len(hdr) + 1
	pad := 64 - (len(magic)+2+2+hlen)%64
	if hlen+pad > math.MaxUint16 {
		return nil, fmt.Errorf("npy: header of %d bytes too long for format 1.0", hlen+pad)
	}
	out := make([]byte, 0, len(magic)+4+hlen+pad+size*n)
	out = append(out, magic...)
	out = append(out, 1, 0)
	out = binary.LittleEndian.AppendUint16(out, uint16(hlen+pad))
	out = append(out, hdr...)
	out = append(out, strings.Repeat(" ", pad)...)
	out = append(out, '\n')
	for i, v := range a.Data {
		switch dtype {
		case "<f8":
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		case "<f4":
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(v)))
		case "<i8":
			if v != math.Trunc(v) || !(v >= -(1<<63) && v < 1<<63) {
				return nil, fmt.Errorf("npy: value %d is %g, not an int64", i, v)
			}
			out = binary.LittleEndian.AppendUint64(out, uint64(int64(v)))
		}
	}
	return out, nil
}

// shapeRepr writes shape as Python's repr of a tuple: (), (3,), (2, 3).
func shapeRepr(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Read reads one .npy array from r and converts it to float64 in C order.
// It reads exactly the array's bytes, so arrays can follow each other in a
// stream, and allocates only as the data arrives.
func Read(r io.Reader) (*Array, error) {
	h, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	return h.readData(r, false)
}

// header is a parsed .npy header with what reading the data needs.
type header struct {
	parsed
	order binary.ByteOrder
	size  int                                    // bytes per element
	conv  func(binary.ByteOrder, []byte) float64 // one element to float64
	n     uint64                                 // number of elements
	bytes int64                                  // bytes of the file before the data
}

// dataBytes is the size of the data that follows the header.
func (h *header) dataBytes() uint64 { return h.n * uint64(h.size) }

// readHeader reads the prefix and header of a .npy file from r (at most
// 12 + MaxHeaderSize bytes) and checks them; the element count is checked
// against overflow, but nothing is allocated for it yet.
func readHeader(r io.Reader) (*header, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("%w: %d-byte prefix: %v", ErrFormat, len(pre), err)
	}
	if string(pre[:6]) != magic {
		return nil, fmt.Errorf("%w: does not start with \\x93NUMPY", ErrFormat)
	}
	var hlen uint32
	lenBytes := 2
	switch major, minor := pre[6], pre[7]; {
	case major == 1 && minor == 0:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%w: header length: %v", ErrFormat, err)
		}
		hlen = uint32(binary.LittleEndian.Uint16(b[:]))
	case (major == 2 || major == 3) && minor == 0:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%w: header length: %v", ErrFormat, err)
		}
		hlen, lenBytes = binary.LittleEndian.Uint32(b[:]), 4
	default:
		return nil, fmt.Errorf("%w: format version %d.%d, this code reads 1.0, 2.0 and 3.0", ErrFormat, major, minor)
	}
	if hlen > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header of %d bytes exceeds the limit of %d", ErrFormat, hlen, MaxHeaderSize)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	p, err := parseHeader(string(hdr))
	if err != nil {
		return nil, fmt.Errorf("%w: header %q: %v", ErrFormat, bytes.TrimRight(hdr, " \n"), err)
	}
	h := &header{parsed: p, bytes: int64(len(pre) + lenBytes + int(hlen))}
	h.order, h.size, h.conv, err = decoder(p.descr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var ok bool
	if h.n, ok = elements(p.shape, h.size); !ok {
		return nil, fmt.Errorf("%w: shape %v overflows", ErrFormat, p.shape)
	}
	return h, nil
}

// elements returns the number of elements of shape (whose dimensions are
// not negative) and whether they fit in an int64 count of bytes at size
// bytes each. A shape with a zero dimension holds no elements however
// large the others are, so it never overflows: numpy writes such files,
// and the answer must not depend on the order of the dimensions.
func elements(shape []int, size int) (uint64, bool) {
	for _, d := range shape {
		if d == 0 {
			return 0, true
		}
	}
	n := uint64(1)
	for _, d := range shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64/uint64(size) {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// readData reads the h.n elements that follow the header from r, in pieces
// of at most 64 KiB, converting each piece as it arrives. With prealloc
// the result is allocated at once (the caller has bounded h.n); without,
// it grows with the data, so a header claiming a huge shape costs nothing
// until the bytes exist.
func (h *header) readData(r io.Reader, prealloc bool) (*Array, error) {
	var data []float64
	if prealloc {
		data = make([]float64, 0, h.n)
	}
	buf := make([]byte, min(h.dataBytes(), 1<<16))
	per := uint64(len(buf) / max(h.size, 1)) // elements per piece
	for left := h.n; left > 0; {
		k := min(left, per)
		if got, err := io.ReadFull(r, buf[:k*uint64(h.size)]); err != nil {
			have := uint64(len(data)*h.size + got)
			return nil, fmt.Errorf("%w: shape %v of %s needs %d data bytes, have %d", ErrFormat, h.shape, h.descr, h.dataBytes(), have)
		}
		for i := 0; i < int(k); i++ {
			data = append(data, h.conv(h.order, buf[i*h.size:]))
		}
		left -= k
	}
	if data == nil {
		data = []float64{}
	}
	a := &Array{Shape: h.shape, DType: h.descr, Data: data}
	if h.fortran && len(h.shape) > 1 {
		a.Data = fromFortran(a.Data, h.shape)
	}
	return a, nil
}

// fromFortran reorders data, stored with the first index varying fastest,
// into C order (the last index fastest).
func fromFortran(data []float64, shape []int) []float64 {
	out := make([]float64, len(data))
	idx := make([]int, len(shape)) // C-order multi-index of out[i]
	for i := range out {
		// Fortran offset: idx[0] + shape[0]*(idx[1] + shape[1]*(…)).
		off := 0
		for k := len(shape) - 1; k >= 0; k-- {
			off = off*shape[k] + idx[k]
		}
		out[i] = data[off]
		for k := len(shape) - 1; k >= 0; k-- { // next C-order index
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// decoder returns the byte order, element size and converter for descr.
func decoder(descr string) (binary.ByteOrder, int, func(binary.ByteOrder, []byte) float64, error) {
	if len(descr) < 3 {
		return nil, 0, nil, fmt.Errorf("dtype %q is not a typestr such as '<f8'", descr)
	}
	var order binary.ByteOrder
	switch descr[0] {
	case '<', '|':
		order = binary.LittleEndian
	case '>':
		order = binary.BigEndian
	default:
		return nil, 0, nil, fmt.Errorf("dtype %q: byte order %q is not '<', '>' or '|'", descr, descr[0])
	}
	var conv func(binary.ByteOrder, []byte) float64
	switch descr[1:] {
	case "f8":
		conv = func(o binary.ByteOrder, b []byte) float64 { return math.Float64frombits(o.Uint64(b)) }
	case "f4":
		conv = func(o binary.ByteOrder, b []byte) float64 { return float64(math.Float32frombits(o.Uint32(b))) }
	case "f2":
		conv = func(o binary.ByteOrder, b []byte) float64 { return half.ToFloat64(o.Uint16(b)) }
	case "i8":
		conv = func(o binary.ByteOrder, b []byte) float64 { return float64(int64(o.Uint64(b))) }
	case "i4":
		conv = func(o binary.ByteOrder, b []byte) float64 { return float64(int32(o.Uint32(b))) }
	case "i2":
		conv = func(o binary.ByteOrder, b []byte) float64 { return float64(int16(o.Uint16(b))) }
	case "i1":
		conv = func(_ binary.ByteOrder, b []byte) float64 { return float64(int8(b[0])) }
	case "u8":
		conv = func(o binary.ByteOrder, b []byte) float64 { return float64(o.Uint64(b)) }
	case "u4":
		conv = func(o binary.ByteOrder, b []byte) float64 { return float64(o.Uint32(b)) }
	case "u2":
		conv = func(o binary.ByteOrder, b []byte) float64 { return float64(o.Uint16(b)) }
	case "u1", "b1":
		conv = func(_ binary.ByteOrder, b []byte) float64 { return float64(b[0]) }
	default:
		return nil, 0, nil, fmt.Errorf("dtype %q: this code reads float (f2, f4, f8), int, uint and bool arrays", descr)
	}
	size, _ := strconv.Atoi(descr[2:])
	if size > 1 && descr[0] == '|' {
		return nil, 0, nil, fmt.Errorf("dtype %q: a %d-byte type needs a byte order", descr, size)
	}
	return order, size, conv, nil
}
