package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strconv"
	"unicode/utf8"
)

// MaxHeaderSize is the largest header Parse accepts, in bytes: the limit of
// the reference implementation.
const MaxHeaderSize = 100_000_000

// MaxMetadataEntries is the most key-value pairs Parse accepts in
// __metadata__, and Write writes. The header limit alone lets a file hold
// millions of tiny pairs, which take seconds and gigabytes to decode; a
// model file has three, and Hugging Face's files a handful.
const MaxMetadataEntries = 1000

// ErrFormat is wrapped by every error Parse and Read return for data that is
// not a valid safetensors file; test for it with errors.Is.
var ErrFormat = errors.New("safetensors: invalid file")

// DType names the element type of a tensor, spelled as in the header.
type DType string

// The dtypes of the format. Size gives their width in bytes.
const (
	BOOL    DType = "BOOL"
	U8      DType = "U8"
	I8      DType = "I8"
	F8_E5M2 DType = "F8_E5M2" // 8-bit float, 5 exponent bits (read as bytes only)
	F8_E4M3 DType = "F8_E4M3" // 8-bit float, 4 exponent bits (read as bytes only)
	I16     DType = "I16"
	U16     DType = "U16"
	F16     DType = "F16" // IEEE half precision
	BF16    DType = "BF16"
	I32     DType = "I32"
	U32     DType = "U32"
	F32     DType = "F32"
	F64     DType = "F64"
	I64     DType = "I64"
	U64     DType = "U64"
)

// Size returns the width of one element in bytes, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case BOOL, U8, I8, F8_E5M2, F8_E4M3:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}

// Tensor is one named tensor of a file.
type Tensor struct {
	// Name is the tensor's key in the header, e.g. "0.weight".
	Name string
	// DType is the element type.
	DType DType
	// Shape lists the dimensions, outermost first; empty for a scalar.
	Shape []int
	// Data holds the elements' little-endian bytes in C (row-major) order:
	// len(Data) is the product of Shape times DType.Size(). Tensors
	// returned by Parse share Data with the parsed buffer.
	Data []byte
}

// File is the content of a safetensors file.
type File struct {
	// Tensors are the tensors in data order (the order Write stores them
	// and Parse finds them). Names must be unique and must not be
	// "__metadata__".
	Tensors []Tensor
	// Metadata is the free-form string map stored under "__metadata__";
	// nil writes no such key.
	Metadata map[string]string
}

// Lookup returns the tensor called name.
func (f *File) Lookup(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Marshal returns f encoded as a safetensors file. It checks what Parse
// will check: known dtypes, data lengths that match the shapes, and unique
// names.
func Marshal(f *File) ([]byte, error) {
	hdr, size, err := header(f)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, 8+len(hdr)+int(size))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(hdr)))
	buf = append(buf, hdr...)
	for _, t := range f.Tensors {
		buf = append(buf, t.Data...)
	}
	return buf, nil
}

// Write writes f to w as a safetensors file (see Marshal). Nothing is
// written if f is invalid.
func Write(w io.Writer, f *File) error {
	hdr, _, err := header(f)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(hdr)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	for _, t := range f.Tensors {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// header returns the padded JSON header of f and the size of its data.
// The tensor entries are written with their keys in the reference
// implementation's order (dtype, shape, data_offsets) and no spaces, so a
// file without metadata is byte-for-byte what the reference writes for the
// same tensors in the same order.
func header(f *File) ([]byte, uint64, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(f.Metadata) > MaxMetadataEntries {
		return nil, 0, fmt.Errorf("safetensors: %d metadata entries, more than the %d a reader accepts (MaxMetadataEntries)", len(f.Metadata), MaxMetadataEntries)
	}
	if f.Metadata != nil {
		b.WriteString(`"__metadata__":{`)
		keys := make([]string, 0, len(f.Metadata))
		for k := range f.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(&b, k)
			b.WriteByte(':')
			writeString(&b, f.Metadata[k])
		}
		b.WriteByte('}')
	}
	seen := make(map[string]bool, len(f.Tensors))
	var off uint64
	for i, t := range f.Tensors {
		if t.Name == "__metadata__" {
			return nil, 0, fmt.Errorf("safetensors: tensor %d is called %q, the key reserved for metadata", i, t.Name)
		}
		if seen[t.Name] {
			return nil, 0, fmt.Errorf("safetensors: two tensors are called %q", t.Name)
		}
		seen[t.Name] = true
		n, err := byteSize(t.DType, t.Shape)
		if err != nil {
			return nil, 0, fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
		}
		if n != uint64(len(t.Data)) {
			return nil, 0, fmt.Errorf("safetensors: tensor %q: %s%v needs %d bytes, Data has %d", t.Name, t.DType, t.Shape, n, len(t.Data))
		}
		if i > 0 || f.Metadata != nil {
			b.WriteByte(',')
		}
		writeString(&b, t.Name)
		b.WriteString(`:{"dtype":`)
		writeString(&b, string(t.DType))
		b.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, off, off+n)
		off += n
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes(), off, nil
}

// writeString writes s as a JSON string.
func writeString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}

// byteSize returns the number of bytes of a tensor of dtype d and shape,
// or an error for an unknown dtype, a negative dimension or an overflow.
func byteSize(d DType, shape []int) (uint64, error) {
	size := d.Size()
	if size == 0 {
		return 0, fmt.Errorf("unknown dtype %q", d)
	}
	n := uint64(size)
	for _, s := range shape {
		if s < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 {
			return 0, fmt.Errorf("shape %v of %s overflows", shape, d)
		}
		n = lo
	}
	return n, nil
}

// Read reads a whole safetensors file from r and parses it (see Parse).
// It allocates only as much as r actually delivers.
func Read(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// info is one tensor entry of a header while it is being validated.
type info struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
}

// Parse decodes and validates a safetensors file held in data (see the
// package documentation for every rule). The returned tensors' Data slices
// share memory with data. Every error wraps ErrFormat.
func Parse(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: %d bytes, fewer than the 8 of the header length", ErrFormat, len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header length %d exceeds the limit of %d bytes", ErrFormat, n, MaxHeaderSize)
	}
	if n > uint64(len(data)-8) {
		return nil, fmt.Errorf("%w: header length %d, but only %d bytes follow", ErrFormat, n, len(data)-8)
	}
	hdr := data[8 : 8+n]
	if !utf8.Valid(hdr) {
		return nil, fmt.Errorf("%w: header is not valid UTF-8", ErrFormat)
	}
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, fmt.Errorf("%w: header does not start with '{'", ErrFormat)
	}
	infos, meta, err := parseHeader(hdr)
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	// Validate in offset order, as the reference does.
	sort.SliceStable(infos, func(i, j int) bool {
		if infos[i].begin != infos[j].begin {
			return infos[i].begin < infos[j].begin
		}
		return infos[i].end < infos[j].end
	})
	var pos uint64
	for _, t := range infos {
		if t.begin != pos || t.end < t.begin {
			return nil, fmt.Errorf("%w: tensor %q: data_offsets [%d,%d] do not start where the previous tensor ends (%d)", ErrFormat, t.name, t.begin, t.end, pos)
		}
		size, err := byteSize(t.dtype, t.shape)
		if err != nil {
			return nil, fmt.Errorf("%w: tensor %q: %v", ErrFormat, t.name, err)
		}
		if t.end-t.begin != size {
			return nil, fmt.Errorf("%w: tensor %q: %s%v needs %d bytes, data_offsets [%d,%d] give %d", ErrFormat, t.name, t.dtype, t.shape, size, t.begin, t.end, t.end-t.begin)
		}
		pos = t.end
	}
	body := data[8+n:]
	if pos != uint64(len(body)) {
		return nil, fmt.Errorf("%w: the tensors cover %d data bytes, the file has %d after the header", ErrFormat, pos, len(body))
	}
	f := &File{Metadata: meta, Tensors: make([]Tensor, len(infos))}
	for i, t := range infos {
		f.Tensors[i] = Tensor{Name: t.name, DType: t.dtype, Shape: t.shape, Data: body[t.begin:t.end:t.end]}
	}
	return f, nil
}

// parseHeader walks the header's JSON tokens, so that a duplicate key is
// seen rather than silently overwritten.
func parseHeader(hdr []byte) ([]info, map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, err
	}
	var (
		infos []info
		meta  map[string]string
		seen  = make(map[string]bool)
	)
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return nil, nil, err
		}
		if seen[key] {
			return nil, nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		if key == "__metadata__" {
			meta, err = parseMetadata(dec)
			if err != nil {
				return nil, nil, fmt.Errorf("__metadata__: %v", err)
			}
			continue
		}
		t, err := parseInfo(dec)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %v", key, err)
		}
		t.name = key
		infos = append(infos, t)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, nil, err
	}
	// Only the space padding may follow the object.
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("unexpected %v after the header object", tok)
	}
	return infos, meta, nil
}

// parseMetadata reads the __metadata__ value: null or an object of strings.
func parseMetadata(dec *json.Decoder) (map[string]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want an object of strings, have %v", tok)
	}
	meta := make(map[string]string)
	for dec.More() {
		if len(meta) == MaxMetadataEntries {
			return nil, fmt.Errorf("more than %d entries (the limit, MaxMetadataEntries)", MaxMetadataEntries)
		}
		k, err := stringToken(dec)
		if err != nil {
			return nil, err
		}
		if _, dup := meta[k]; dup {
			return nil, fmt.Errorf("key %q appears twice", k)
		}
		v, err := stringToken(dec)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", k, err)
		}
		meta[k] = v
	}
	return meta, expectDelim(dec, '}')
}

// parseInfo reads one tensor entry {"dtype", "shape", "data_offsets"}.
// Other keys are ignored, as the reference's decoder ignores them.
func parseInfo(dec *json.Decoder) (info, error) {
	var t info
	if err := expectDelim(dec, '{'); err != nil {
		return t, err
	}
	var haveDType, haveShape, haveOffsets bool
	for dec.More() {
		k, err := stringToken(dec)
		if err != nil {
			return t, err
		}
		switch k {
		case "dtype":
			if haveDType {
				return t, errors.New(`"dtype" appears twice`)
			}
			s, err := stringToken(dec)
			if err != nil {
				return t, fmt.Errorf("dtype: %v", err)
			}
			t.dtype, haveDType = DType(s), true
			if t.dtype.Size() == 0 {
				return t, fmt.Errorf("unknown dtype %q", s)
			}
		case "shape":
			if haveShape {
				return t, errors.New(`"shape" appears twice`)
			}
			shape, err := uintArray(dec)
			if err != nil {
				return t, fmt.Errorf("shape: %v", err)
			}
			t.shape = make([]int, len(shape))
			for i, s := range shape {
				if s > uint64(maxInt) {
					return t, fmt.Errorf("shape: dimension %d too large", s)
				}
				t.shape[i] = int(s)
			}
			haveShape = true
		case "data_offsets":
			if haveOffsets {
				return t, errors.New(`"data_offsets" appears twice`)
			}
			offs, err := uintArray(dec)
			if err != nil {
				return t, fmt.Errorf("data_offsets: %v", err)
			}
			if len(offs) != 2 {
				return t, fmt.Errorf("data_offsets: want [begin, end], have %d numbers", len(offs))
			}
			t.begin, t.end, haveOffsets = offs[0], offs[1], true
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return t, err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return t, err
	}
	switch {
	case !haveDType:
		return t, errors.New(`missing "dtype"`)
	case !haveShape:
		return t, errors.New(`missing "shape"`)
	case !haveOffsets:
		return t, errors.New(`missing "data_offsets"`)
	}
	return t, nil
}

const maxInt = int(^uint(0) >> 1)

// uintArray reads a JSON array of non-negative integers.
func uintArray(dec *json.Decoder) ([]uint64, error) {
	if err := expectDelim(dec, '['); err != nil {
		return nil, err
	}
	var out []uint64
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("want a non-negative integer, have %v", tok)
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want a non-negative integer, have %s", num)
		}
		out = append(out, v)
	}
	return out, expectDelim(dec, ']')
}

func stringToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want a string, have %v", tok)
	}
	return s, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %v, have %v", want, tok)
	}
	return nil
}
