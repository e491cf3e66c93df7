// Package ziptest builds the hostile files that the tests and fuzz seeds
// of the file formats (npy, modelfile) feed to their readers: .npz
// archives whose members deflate a thousandfold, lie about their sizes or
// carry unsafe names. It imports only the standard library and is used
// only by tests; being internal, it is not part of the module's API.
package ziptest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Member is one member of an archive built by NPZ: Head, then Zeros bytes
// of value Fill (zero unless set), then Tail.
type Member struct {
	Name  string
	Head  []byte
	Zeros int64
	Fill  byte
	Tail  []byte
	// Declared, if not 0, is the uncompressed size the archive states
	// instead of the true one.
	Declared int64
}

// NPZ returns a zip archive of the members, deflated. It costs time and
// memory in proportion to the archive's size, not to what it unpacks to:
// the zeros are one compressed block of up to 1 MiB repeated (deflate
// blocks that end in a sync flush can be concatenated).
func NPZ(ms []Member) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		var body bytes.Buffer
		body.Write(deflated(m.Head))
		body.Write(repeated(m.Zeros, m.Fill))
		body.Write(deflated(m.Tail))
		body.Write([]byte{1, 0, 0, 0xff, 0xff}) // final, empty stored block
		size := int64(len(m.Head)) + m.Zeros + int64(len(m.Tail))
		crc := crc32.Update(0, crc32.IEEETable, m.Head)
		chunk := bytes.Repeat([]byte{m.Fill}, 1<<20)
		for left := m.Zeros; left > 0; left -= int64(len(chunk)) {
			crc = crc32.Update(crc, crc32.IEEETable, chunk[:min(left, int64(len(chunk)))])
		}
		crc = crc32.Update(crc, crc32.IEEETable, m.Tail)
		if m.Declared != 0 {
			size = m.Declared
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: m.Name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(body.Len()), UncompressedSize64: uint64(size)})
		if err != nil {
			panic(err)
		}
		w.Write(body.Bytes())
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// deflated returns b compressed as non-final deflate blocks ending in a
// sync flush, so that more blocks can follow.
func deflated(b []byte) []byte {
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestCompression)
	fw.Write(b)
	fw.Flush()
	return out.Bytes()
}

// repeated returns n bytes b as non-final deflate blocks.
func repeated(n int64, b byte) []byte {
	const block = 1 << 20
	var out bytes.Buffer
	if full := n / block; full > 0 {
		one := deflated(bytes.Repeat([]byte{b}, block))
		for i := int64(0); i < full; i++ {
			out.Write(one)
		}
	}
	if rest := n % block; rest > 0 {
		out.Write(deflated(bytes.Repeat([]byte{b}, int(rest))))
	}
	return out.Bytes()
}

// NPYHeader returns the prefix and header of a version 1.0 .npy file of
// the given dtype and shape (a Python tuple such as "(3,)"), which Zeros
// zero bytes of data can follow.
func NPYHeader(descr, shape string) []byte {
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	pad := 64 - (10+len(hdr)+1)%64
	hdr += string(bytes.Repeat([]byte(" "), pad%64)) + "\n"
	b := append([]byte("\x93NUMPY"), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(hdr)))
	return append(b, hdr...)
}
