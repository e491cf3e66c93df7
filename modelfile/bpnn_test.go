package modelfile

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/backprop-go/backprop/layers"
)

// saveBPNN writes s to w in the BPNN format described above, which Save
// wrote until models became safetensors files; tests use it to make old
// files. It returns an error, without writing anything, if s holds a layer
// the format cannot store.
func saveBPNN(w io.Writer, s *layers.Sequential) error {
	buf := []byte(fileMagic)
	buf = binary.LittleEndian.AppendUint32(buf, fileVersion)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s.Layers())))
	for i, l := range s.Layers() {
		switch l := l.(type) {
		case *layers.Linear:
			buf = append(buf, kindLinear)
			buf = binary.LittleEndian.AppendUint32(buf, uint32(l.In()))
			buf = binary.LittleEndian.AppendUint32(buf, uint32(l.Out()))
			for _, v := range l.W.Value.Data {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
			}
			for _, v := range l.B.Value.Data {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
			}
		case *layers.ReLU:
			buf = append(buf, kindReLU)
		default:
			return fmt.Errorf("modelfile: saveBPNN: layer %d is a %T; only Linear and ReLU layers can be saved", i, l)
		}
	}
	buf = binary.LittleEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	_, err := w.Write(buf)
	return err
}
