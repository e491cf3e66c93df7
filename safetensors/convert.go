package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/backprop-go/backprop/internal/half"
)

// Float64s returns the tensor's elements converted to float64, in C order.
// F64, F32, F16, BF16 and every integer dtype of up to 32 bits convert
// exactly; I64 and U64 exactly up to 2⁵³ in magnitude; BOOL gives 0 or 1.
// The 8-bit float dtypes are not converted (an error).
func (t Tensor) Float64s() ([]float64, error) {
	n, err := byteSize(t.DType, t.Shape)
	if err != nil {
		return nil, fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
	}
	if n != uint64(len(t.Data)) {
		return nil, fmt.Errorf("safetensors: tensor %q: %s%v needs %d bytes, Data has %d", t.Name, t.DType, t.Shape, n, len(t.Data))
	}
	size := t.DType.Size()
	out := make([]float64, len(t.Data)/size)
	le := binary.LittleEndian
	for i := range out {
		b := t.Data[i*size:]
		switch t.DType {
		case F64:
			out[i] = math.Float64frombits(le.Uint64(b))
		case F32:
			out[i] = float64(math.Float32frombits(le.Uint32(b)))
		case F16:
			out[i] = half.ToFloat64(le.Uint16(b))
		case BF16:
			out[i] = float64(math.Float32frombits(uint32(le.Uint16(b)) << 16))
		case I64:
			out[i] = float64(int64(le.Uint64(b)))
		case U64:
			out[i] = float64(le.Uint64(b))
		case I32:
			out[i] = float64(int32(le.Uint32(b)))
		case U32:
			out[i] = float64(le.Uint32(b))
		case I16:
			out[i] = float64(int16(le.Uint16(b)))
		case U16:
			out[i] = float64(le.Uint16(b))
		case I8:
			out[i] = float64(int8(b[0]))
		case U8:
			out[i] = float64(b[0])
		case BOOL:
			if b[0] != 0 {
				out[i] = 1
			}
		default:
			return nil, fmt.Errorf("safetensors: tensor %q: cannot convert %s to float64", t.Name, t.DType)
		}
	}
	return out, nil
}

// FromFloat64 returns a tensor called name of the given dtype and shape
// holding values (in C order). F64 stores the values exactly, F32 rounds
// each to the nearest float32, and I64 accepts only whole numbers within
// ±2⁶³ (PyTorch keeps counters such as BatchNorm's num_batches_tracked as
// I64). The values are not kept: Data is a new slice.
func FromFloat64(name string, dtype DType, shape []int, values []float64) (Tensor, error) {
	n, err := byteSize(dtype, shape)
	if err != nil {
		return Tensor{}, fmt.Errorf("safetensors: tensor %q: %w", name, err)
	}
	size := uint64(dtype.Size())
	if n/size != uint64(len(values)) {
		return Tensor{}, fmt.Errorf("safetensors: tensor %q: shape %v holds %d values, have %d", name, shape, n/size, len(values))
	}
	t := Tensor{Name: name, DType: dtype, Shape: append([]int{}, shape...), Data: make([]byte, n)}
	le := binary.LittleEndian
	for i, v := range values {
		b := t.Data[uint64(i)*size:]
		switch dtype {
		case F64:
			le.PutUint64(b, math.Float64bits(v))
		case F32:
			le.PutUint32(b, math.Float32bits(float32(v)))
		case I64:
			if v != math.Trunc(v) || !(v >= -(1<<63) && v < 1<<63) {
				return Tensor{}, fmt.Errorf("safetensors: tensor %q: value %d is %g, not an int64", name, i, v)
			}
			le.PutUint64(b, uint64(int64(v)))
		default:
			return Tensor{}, fmt.Errorf("safetensors: tensor %q: FromFloat64 writes F64, F32 or I64, not %s", name, dtype)
		}
	}
	return t, nil
}
