package modelfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/backprop-go/backprop/atomicfile"
	"github.com/backprop-go/backprop/layers"
)

// Models used to be saved in this small binary format, BPNN, which Load
// still reads: package layers of this module wrote it, as layers.Save,
// until models became safetensors files (see the package documentation). It is
// little-endian throughout:
//
//	offset  size  field
//	0       4     magic "BPNN"
//	4       4     uint32 format version, currently 1
//	8       4     uint32 number of layers N
//	12      …     N layer records, in order:
//	                1 byte kind: 1 = Linear, 2 = ReLU
//	                Linear: uint32 in, uint32 out,
//	                        out·in float64 weights W, row-major
//	                        (row j holds the weights of output unit j),
//	                        out float64 biases b
//	                ReLU: nothing more
//	end−4   4     uint32 CRC-32 (IEEE) of every byte before it
//
// It stores only Sequentials of Linear and ReLU layers; the checksum
// catches a corrupt or truncated file instead of loading garbage weights.

const (
	fileMagic   = "BPNN"
	fileVersion = 1
	kindLinear  = 1
	kindReLU    = 2
)

// Errors returned by Load and LoadFile, wrapped with details; test for them
// with errors.Is.
var (
	// ErrBadMagic means the data starts like none of the model formats
	// (safetensors, .npz, BPNN): it is not a saved model.
	ErrBadMagic = errors.New("modelfile: not a model file (neither safetensors, .npz nor BPNN)")
	// ErrVersion means the file was written in a format version this code
	// cannot read.
	ErrVersion = errors.New("modelfile: unsupported file version")
	// ErrTruncated means the data ends before the model does.
	ErrTruncated = errors.New("modelfile: file truncated")
	// ErrChecksum means the CRC-32 stored in the file does not match its
	// contents: the file is corrupt.
	ErrChecksum = errors.New("modelfile: checksum mismatch (corrupt file)")
	// ErrMalformed means the checksum is right but the contents do not
	// describe a valid model (unknown layer kind, impossible sizes, …).
	ErrMalformed = errors.New("modelfile: malformed model file")
)

// Load reads a model written by Save (safetensors), by SaveNPZ (.npz) or
// by an older version of this package (BPNN); it tells them apart by their
// first bytes. Bad data gives an error, never a model: the error wraps
// ErrBadMagic if the data is none of them, ErrMalformed for a safetensors or
// .npz file that is invalid or does not describe a model, ErrChecksum if its
// SHA-256 does not match, and, for a BPNN file,
// ErrVersion for another format version, ErrTruncated if the data ends
// too early, ErrChecksum if the stored CRC does not match (together with
// ErrTruncated when the data also looks cut off), and ErrMalformed if the
// checksum is right but the records do not describe a valid model.
func Load(r io.Reader) (*layers.Sequential, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("modelfile: Load: %w", err)
	}
	if k := sniff(data); k == "safetensors" || k == "npz" {
		c, err := LoadCheckpoint(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return c.Model, nil
	}
	if len(data) < len(fileMagic) || string(data[:len(fileMagic)]) != fileMagic {
		if len(data) < len(fileMagic) && string(data) == fileMagic[:len(data)] {
			return nil, fmt.Errorf("%w: %d bytes", ErrTruncated, len(data))
		}
		return nil, fmt.Errorf("%w: starts with %q", ErrBadMagic, data[:min(len(data), len(fileMagic))])
	}
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: %d bytes, no version", ErrTruncated, len(data))
	}
	if v := binary.LittleEndian.Uint32(data[4:]); v != fileVersion {
		return nil, fmt.Errorf("%w: file has version %d, this code reads version %d", ErrVersion, v, fileVersion)
	}
	if len(data) < 16 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than header and checksum", ErrTruncated, len(data))
	}
	body := data[:len(data)-4]
	stored, computed := binary.LittleEndian.Uint32(data[len(data)-4:]), crc32.ChecksumIEEE(body)
	if stored != computed {
		// The checksum is compared before any size in the file is trusted.
		// A dry parse, which allocates nothing, tells a cut-off file from a
		// damaged one; a damaged layer count or size can look like a cut,
		// so say both.
		if _, err := parseModel(body, false); errors.Is(err, ErrTruncated) {
			return nil, fmt.Errorf("%w (%w: stored CRC %08x, computed %08x)", err, ErrChecksum, stored, computed)
		}
		return nil, fmt.Errorf("%w: stored CRC %08x, computed %08x", ErrChecksum, stored, computed)
	}
	return parseModel(body, true)
}

// parseModel decodes the header and layer records in body (the file without
// its checksum). With build false it only checks the records and allocates
// nothing. Every size is checked against the bytes actually left in body
// before anything is allocated, so a hostile header cannot ask for more
// memory than the file itself occupies.
func parseModel(body []byte, build bool) (*layers.Sequential, error) {
	d := decoder{buf: body, off: 8}
	n, ok := d.uint32()
	if !ok {
		return nil, d.truncated("layer count")
	}
	var ls []layers.Layer
	width := -1 // output width of the last Linear layer, to check the chain
	for i := 0; i < int(n); i++ {
		kind, ok := d.byte()
		if !ok {
			return nil, d.truncated(fmt.Sprintf("layer %d of %d", i, n))
		}
		switch kind {
		case kindLinear:
			in, ok1 := d.uint32()
			out, ok2 := d.uint32()
			if !ok1 || !ok2 {
				return nil, d.truncated(fmt.Sprintf("layer %d of %d", i, n))
			}
			if in == 0 || out == 0 {
				return nil, fmt.Errorf("%w: layer %d: Linear(%d→%d)", ErrMalformed, i, in, out)
			}
			// Check the size against the bytes left before allocating.
			// in·out+out = out·(in+1) < 2³²·2³² cannot overflow uint64, but
			// 8 times it can (2147483647→1073741824 gives 2⁶⁴ ≡ 0), so
			// divide the bytes left instead of multiplying the count.
			if floats := uint64(out) * (uint64(in) + 1); floats > uint64(len(d.buf)-d.off)/8 {
				return nil, d.truncated(fmt.Sprintf("weights of layer %d of %d, Linear(%d→%d)", i, n, in, out))
			}
			if width >= 0 && int(in) != width {
				return nil, fmt.Errorf("%w: layer %d: Linear(%d→%d) follows a layer with %d outputs", ErrMalformed, i, in, out, width)
			}
			width = int(out)
			if !build {
				d.off += 8 * int(out) * (int(in) + 1)
				continue
			}
			l := linearFrom(int(in), int(out), nil, nil)
			for j := range l.W.Value.Data {
				l.W.Value.Data[j], _ = d.float64()
			}
			for j := range l.B.Value.Data {
				l.B.Value.Data[j], _ = d.float64()
			}
			ls = append(ls, l)
		case kindReLU:
			if build {
				ls = append(ls, layers.NewReLU())
			}
		default:
			return nil, fmt.Errorf("%w: layer %d has unknown kind %d", ErrMalformed, i, kind)
		}
	}
	if d.off != len(d.buf) {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the last layer", ErrMalformed, len(d.buf)-d.off)
	}
	if !build {
		return nil, nil
	}
	return layers.NewSequential(ls...), nil
}

// decoder reads little-endian values from buf, reporting false at its end.
type decoder struct {
	buf []byte
	off int
}

func (d *decoder) byte() (byte, bool) {
	if d.off+1 > len(d.buf) {
		return 0, false
	}
	d.off++
	return d.buf[d.off-1], true
}

func (d *decoder) uint32() (uint32, bool) {
	if d.off+4 > len(d.buf) {
		return 0, false
	}
	d.off += 4
	return binary.LittleEndian.Uint32(d.buf[d.off-4:]), true
}

func (d *decoder) float64() (float64, bool) {
	if d.off+8 > len(d.buf) {
		return 0, false
	}
	d.off += 8
	return math.Float64frombits(binary.LittleEndian.Uint64(d.buf[d.off-8:])), true
}

func (d *decoder) truncated(what string) error {
	return fmt.Errorf("%w: data ends at byte %d while reading %s", ErrTruncated, len(d.buf)+4, what)
}

// SaveFile saves s to the file at path in the format Save writes. It writes
// a temporary file in the same directory and renames it over path only once
// it is complete, so path never holds a half-written model, even if the
// program dies mid-write.
func SaveFile(path string, s *layers.Sequential) error {
	return writeAtomic(path, func(w io.Writer) error { return Save(w, s) })
}

// writeAtomic writes the file at path with write, through a temporary file
// in the same directory that is synced and renamed over path only when
// complete (package atomicfile, shared by every file the module writes).
func writeAtomic(path string, write func(io.Writer) error) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("modelfile: SaveFile: %w", err)
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("modelfile: SaveFile: %w", err)
	}
	return nil
}

// LoadFile loads a model saved with SaveFile (or Save) from the file at path.
// It refuses anything but a regular file (a folder, a FIFO, a device such as
// /dev/zero) before reading from it, since those could block or never end.
func LoadFile(path string) (*layers.Sequential, error) {
	c, err := LoadCheckpointFile(path)
	if err != nil {
		return nil, err
	}
	return c.Model, nil
}
