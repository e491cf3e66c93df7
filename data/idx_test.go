package data

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func decodeBytes(b []byte, name string) (*idx, string, error) {
	return decodeIDX(bytes.NewReader(b), int64(len(b)), name)
}

func TestDecodeIDX(t *testing.T) {
	pixels := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	raw := idxBytes([]int{2, 2, 3}, pixels)
	for _, c := range []struct {
		name string
		file []byte
	}{
		{"images", raw},
		{"images.gz", gzipBytes(raw)},
		{"images-no-suffix", gzipBytes(raw)}, // compression is detected, not guessed from the name
	} {
		m, sum, err := decodeBytes(c.file, c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(m.dims, []int{2, 2, 3}) || !bytes.Equal(m.data, pixels) {
			t.Errorf("%s: got dims %v data %v", c.name, m.dims, m.data)
		}
		if want := sha256Hex(raw); sum != want {
			t.Errorf("%s: SHA-256 %s, want %s (of the decompressed file)", c.name, sum, want)
		}
	}
}

func TestDecodeIDXEmptyDimension(t *testing.T) {
	m, _, err := decodeBytes(idxBytes([]int{0, 28, 28}, nil), "empty")
	if err != nil || len(m.data) != 0 || !slices.Equal(m.dims, []int{0, 28, 28}) {
		t.Fatalf("got %v, %v", m, err)
	}
}

func TestDecodeIDXErrors(t *testing.T) {
	good := idxBytes([]int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	corrupt := gzipBytes(good)
	corrupt[len(corrupt)-6] ^= 0xff // inside the CRC-32 trailer
	for _, c := range []struct {
		name, file string
		b          []byte
		want       string
	}{
		{"empty", "f", nil, "truncated"},
		{"short magic", "f", []byte{0, 0, 8}, "truncated"},
		{"wrong magic", "f", []byte{1, 2, 8, 1, 0, 0, 0, 0}, "not an IDX file"},
		{"png", "f", []byte("\x89PNG\r\n\x1a\n"), "not an IDX file"},
		{"float elements", "f", []byte{0, 0, 0x0d, 1, 0, 0, 0, 0}, "element type 0x0d not supported"},
		{"no dimensions", "f", []byte{0, 0, 8, 0}, "0 dimensions"},
		{"short dimensions", "f", []byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0}, "truncated header"},
		{"short data", "f", good[:len(good)-1], "truncated"},
		{"short data gz", "f.gz", gzipBytes(good[:len(good)-1]), "truncated"},
		{"cut gzip stream", "f.gz", gzipBytes(good)[:20], "truncated"},
		{"trailing data", "f", append(slices.Clip(good), 0), "trailing data"},
		{"bad gzip CRC", "f.gz", corrupt, "checksum"},
		{"bad gzip header", "f.gz", []byte{0x1f, 0x8b, 0, 0}, "bad gzip header"},
		{"named .gz but raw", "train-images-idx3-ubyte.gz", good, "not gzip-compressed"},
		// Issue #9, case 18: say what is wrong with the gzip file.
		{"junk after gzip", "f.gz", append(gzipBytes(good), "junk"...), "junk after the gzip stream: 4 bytes"},
		{"long junk after gzip", "f.gz", append(gzipBytes(good), make([]byte, 100)...), "junk after the gzip stream: 100 bytes"},
		{"empty .gz", "f.gz", nil, "empty file"},
		{"dimension overflow", "f", []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "overflow"},
	} {
		_, _, err := decodeBytes(c.b, c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// A 16-byte header may claim any size. The parser must not believe it
// before the data arrives, raw or compressed.
func TestDecodeIDXHugeHeaderAllocatesLittle(t *testing.T) {
	header := []byte{0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0x10, 0, 0, 0, 0x10, 0} // 60000×4096×4096: 1 TB
	for _, c := range []struct {
		name string
		b    []byte
	}{{"raw", header}, {"gz", gzipBytes(header)}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := decodeBytes(c.b, "f")
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("%s: got %v, want a truncation error", c.name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte file", c.name, n, len(c.b))
		}
	}
}

// A gzip file stores its decompressed size mod 2³² in its last four bytes
// (ISIZE). Faked to 0xffffffff under a header claiming as much, it must not
// make the parser allocate gigabytes for a file of one megabyte (issue #9,
// case 4).
func TestDecodeIDXFakedGzipTrailer(t *testing.T) {
	const claim = 0xfffffff0 // elements the header promises: 4 GiB
	raw := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2)) // incompressible: the .gz is about 1 MiB
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	file := gzipBytes(append([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xf0}, raw...))
	binary.LittleEndian.PutUint32(file[len(file)-4:], 0xffffffff)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := decodeBytes(file, "f.gz")
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("a 1 MiB file claiming 4 GiB decoded without error")
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Errorf("allocated %d MiB for a %d KiB file claiming %d elements", n>>20, len(file)>>10, uint64(claim))
	}
}

// Concatenated gzip members are one valid gzip file, not junk.
func TestDecodeIDXGzipMembers(t *testing.T) {
	raw := idxBytes([]int{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	file := append(gzipBytes(raw[:5]), gzipBytes(raw[5:])...)
	m, sum, err := decodeBytes(file, "f.gz")
	if err != nil || !bytes.Equal(m.data, raw[12:]) || sum != sha256Hex(raw) {
		t.Fatalf("two gzip members: %v, %v", m, err)
	}
}

func FuzzParseIDX(f *testing.F) {
	good := idxBytes([]int{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add(good)
	f.Add(gzipBytes(good))
	f.Add(idxBytes([]int{3}, []byte{0, 1, 9}))
	f.Add(idxBytes([]int{0}, nil))
	f.Add(good[:10])
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1})
	f.Add(gzipBytes([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff}))
	// Issue #9: a faked gzip size trailer under a header claiming 4 GiB,
	// junk after the gzip stream, two gzip members, an empty file.
	faked := gzipBytes(append([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xf0}, make([]byte, 1000)...))
	binary.LittleEndian.PutUint32(faked[len(faked)-4:], 0xffffffff)
	f.Add(faked)
	f.Add(append(gzipBytes(good), "junk"...))
	f.Add(append(gzipBytes(good[:5]), gzipBytes(good[5:])...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, name := range []string{"f", "f.gz"} {
			m, sum, err := decodeBytes(b, name)
			if err != nil {
				continue
			}
			n := 1
			for _, d := range m.dims {
				n *= d
			}
			if len(m.data) != n {
				t.Fatalf("dims %v hold %d elements, data has %d", m.dims, n, len(m.data))
			}
			if len(b) > 0 && b[0] == 0 && sum != sha256Hex(b) {
				t.Fatalf("SHA-256 of an uncompressed file is %s, want %s", sum, sha256Hex(b))
			}
		}
	})
}
