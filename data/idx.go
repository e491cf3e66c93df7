package data

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// idxUint8 is the IDX element type code for unsigned bytes, the only type
// MNIST-style files use.
const idxUint8 = 0x08

// idx is one decoded IDX file: its dimensions, outermost first, and its
// elements in row-major order.
type idx struct {
	dims []int
	data []uint8
}

// decodeIDX reads one IDX file of size bytes from r, gzip-compressed or
// not, and returns it with the hex SHA-256 of the decompressed bytes.
// Compression is detected from the first two bytes (gzip's 1f 8b); name is
// only used to reject a file called *.gz that is not compressed, which is
// almost always a mislabelled or half-finished download.
//
// The file is read once: the hash is computed on the decompressed stream as
// the parser consumes it, so checking costs no second pass.
func decodeIDX(r io.ReaderAt, size int64, name string) (*idx, string, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10)
	var src io.Reader = br
	// room bounds how many bytes the file can hold once decompressed.
	room := size
	head, _ := br.Peek(2)
	switch {
	case len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("bad gzip header: %w", err)
		}
		src = &gzipMembers{zr: zr, br: br}
		room = gzipRoom(r, size)
	case strings.HasSuffix(name, ".gz") && len(head) == 0:
		return nil, "", errors.New("named .gz but an empty file (0 bytes)")
	case strings.HasSuffix(name, ".gz"):
		return nil, "", fmt.Errorf("named .gz but not gzip-compressed (starts with % x, gzip starts with 1f 8b)", head)
	}
	h := sha256.New()
	m, err := readIDX(io.TeeReader(src, h), room)
	if err != nil {
		return nil, "", err
	}
	return m, hex.EncodeToString(h.Sum(nil)), nil
}

// gzipRoom estimates the decompressed size of a gzip file for allocating
// the buffer. Its last four bytes store the size mod 2³² (ISIZE), which
// anyone can forge: 0xffffffff under a header that claims as much would
// have a 5 MB file allocate 4 GiB up front. So the stored size is believed
// only up to maxGzipRatio times the compressed size (MNIST-style files
// compress about 2–5×); beyond that the buffer grows as data actually
// arrives, which costs a little copying for a legitimate file that
// compresses better, and protects memory from one that lies.
func gzipRoom(r io.ReaderAt, size int64) int64 {
	var tail [4]byte
	if size < 18 {
		return size
	}
	if _, err := r.ReadAt(tail[:], size-4); err != nil {
		return size
	}
	return min(int64(binary.LittleEndian.Uint32(tail[:])), maxGzipRatio*size)
}

// maxGzipRatio is how many times its compressed size a gzip file's stored
// decompressed size may be before gzipRoom stops believing it.
const maxGzipRatio = 16

// gzipMembers decompresses a gzip file member by member, like gzip.Reader
// in its default multistream mode, but tells junk after the last member
// ("junk after the gzip stream: N bytes") from a stream that ends early,
// which the default mode reports alike as a bad or truncated header.
type gzipMembers struct {
	zr *gzip.Reader
	br *bufio.Reader // the compressed bytes, positioned after zr's member
}

func (g *gzipMembers) Read(p []byte) (int, error) {
	g.zr.Multistream(false)
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		// End of one member: another may follow, or nothing, or junk.
		next, _ := g.br.Peek(2)
		switch {
		case len(next) == 0:
			return n, io.EOF
		case len(next) == 2 && next[0] == 0x1f && next[1] == 0x8b:
			if err := g.zr.Reset(g.br); err != nil {
				return n, fmt.Errorf("bad gzip header of a second member: %w", err)
			}
			g.zr.Multistream(false)
			if n > 0 {
				return n, nil
			}
		default:
			junk, _ := io.Copy(io.Discard, g.br)
			return n, fmt.Errorf("junk after the gzip stream: %d bytes", junk)
		}
	}
}

// readIDX parses an uncompressed IDX stream.
//
// The format (http://yann.lecun.com/exdb/mnist/) is a 4-byte magic number
// 00 00 TT DD, where TT is the element type and DD the number of
// dimensions, then DD big-endian uint32 sizes, then the elements in
// row-major order, and nothing after them.
//
// room is a good guess of the stream's length, used to allocate the
// buffer up front; when unknown, pass a negative value.
func readIDX(r io.Reader, room int64) (*idx, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("truncated: %d bytes, an IDX header has at least 8", n)
		}
		return nil, err
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: starts with % x, IDX starts with 00 00", magic)
	}
	if magic[2] != idxUint8 {
		return nil, fmt.Errorf("IDX element type %#02x not supported (only %#02x, unsigned bytes)", magic[2], idxUint8)
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, errors.New("IDX file declares 0 dimensions")
	}
	raw := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, raw); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("truncated header: %d dimensions need %d bytes of sizes, file has %d", nd, 4*nd, n)
		}
		return nil, err
	}
	dims := make([]int, nd)
	total := 1
	for i := range dims {
		d := int(binary.BigEndian.Uint32(raw[4*i:]))
		dims[i] = d
		if d != 0 && total > math.MaxInt/d {
			return nil, fmt.Errorf("IDX dimensions %v overflow", dims[:i+1])
		}
		total *= d
	}
	prealloc := total
	if rest := room - int64(4+4*nd); room >= 0 && rest < int64(total) {
		prealloc = int(max(rest, 0))
	}
	data, err := readExactly(r, total, prealloc)
	if err != nil {
		return nil, fmt.Errorf("IDX dimensions %v: %w", dims, err)
	}
	// Read to the end: a longer file is not the file we think it is, and for
	// gzip it is reaching EOF that checks the CRC.
	var one [1]byte
	switch n, err := io.ReadFull(r, one[:]); {
	case n > 0:
		return nil, fmt.Errorf("trailing data after the %d bytes that IDX dimensions %v describe", total, dims)
	case err == io.ErrUnexpectedEOF:
		return nil, errors.New("truncated: compressed stream ends early")
	case err != io.EOF:
		return nil, err
	}
	return &idx{dims: dims, data: data}, nil
}

// readExactly reads n bytes from r. It allocates prealloc bytes up front
// (at least 1 MiB unless n is smaller) and grows the buffer, doubling, only
// as bytes actually arrive, so a forged 16-byte header that claims
// gigabytes costs at most about twice the size of the real data.
func readExactly(r io.Reader, n, prealloc int) ([]byte, error) {
	buf := make([]byte, 0, min(n, max(prealloc, 1<<20)))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n-len(buf), len(buf)))
		}
		m, err := r.Read(buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+m]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if len(buf) < n {
				return nil, fmt.Errorf("truncated: %d bytes of data, header promises %d", len(buf), n)
			}
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}
