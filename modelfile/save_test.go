package modelfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"github.com/backprop-go/backprop/layers"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// savedBytes returns s in the old BPNN format, which Load must keep reading.
func savedBytes(t *testing.T, s *layers.Sequential) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := saveBPNN(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// reseal replaces the checksum of a (modified) file with a correct one.
func reseal(b []byte) []byte {
	body := b[:len(b)-4]
	return binary.LittleEndian.AppendUint32(append([]byte(nil), body...), crc32.ChecksumIEEE(body))
}

// An old BPNN file still loads.
func TestLoadBPNN(t *testing.T) {
	rng := newRNG(7)
	s := layers.NewMLP([]int{5, 4, 3, 2}, layers.He, rng)
	for _, p := range s.Params() {
		if p.Name[2] == 'b' {
			p.Value.Data[0] = rng.NormFloat64()
		}
	}
	data := savedBytes(t, s)
	// 12-byte header, 2 Linear(9 bytes + floats) with ReLU(1 byte) between... and CRC.
	wantLen := 12 + (9 + 8*(5*4+4)) + 1 + (9 + 8*(4*3+3)) + 1 + (9 + 8*(3*2+2)) + 4
	if len(data) != wantLen {
		t.Errorf("saved %d bytes, want %d", len(data), wantLen)
	}
	got, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, s, got)
	x := randT(rng, 3, 5)
	closeTo(t, "output of loaded model", got.Forward(x).Data, s.Forward(x).Data, 0)
}

func TestSaveLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bpnn")
	s := layers.NewMLP([]int{3, 2}, layers.Xavier, newRNG(8))
	if err := SaveFile(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "W", got.Params()[0].Value.Data, s.Params()[0].Value.Data, 0)

	// A model that cannot be saved leaves the old file untouched and no
	// temporary file behind.
	bad := layers.NewSequential(layers.NewLinear(3, 2, layers.He, newRNG(1)), &unregistered{})
	if err := SaveFile(path, bad); err == nil {
		t.Fatal("SaveFile of a model with an unsupported layer succeeded")
	}
	if _, err := LoadFile(path); err != nil {
		t.Fatalf("old file damaged by failed save: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after a failed save, want 1", len(entries))
	}
	if err := SaveFile(filepath.Join(dir, "missing", "m.bpnn"), s); err == nil {
		t.Error("SaveFile into a missing directory succeeded")
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.bpnn")); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
}

func TestSaveUnsupported(t *testing.T) {
	var buf bytes.Buffer
	err := Save(&buf, layers.NewSequential(layers.NewReLU(), &unregistered{}))
	if err == nil || buf.Len() != 0 {
		t.Fatalf("Save of an unsupported layer: err %v, wrote %d bytes", err, buf.Len())
	}
	// The error names the type and says how to register it.
	for _, want := range []string{"layer 1", "*modelfile.unregistered", "modelfile.Register"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	data := savedBytes(t, layers.NewMLP([]int{3, 2, 2}, layers.He, newRNG(9)))
	load := func(b []byte) error {
		s, err := Load(bytes.NewReader(b))
		if err == nil || s != nil {
			t.Fatalf("Load returned model %v and error %v", s, err)
		}
		return err
	}

	for n := 0; n < len(data); n++ {
		if err := load(data[:n]); !errors.Is(err, ErrTruncated) {
			t.Fatalf("file cut to %d of %d bytes: error %v, want ErrTruncated", n, len(data), err)
		}
	}

	for i := range data {
		b := bytes.Clone(data)
		b[i] ^= 0x10
		err := load(b)
		want := ErrChecksum
		switch {
		case i < 4:
			want = ErrBadMagic
		case i < 8:
			want = ErrVersion
		}
		if !errors.Is(err, want) {
			t.Fatalf("byte %d flipped: error %v, want %v", i, err, want)
		}
	}
	if err := load([]byte("PK\x03\x04 not a zip file")); !errors.Is(err, ErrMalformed) {
		t.Errorf("broken zip file: %v", err)
	}
	if err := load([]byte("GIF89a an image")); !errors.Is(err, ErrBadMagic) {
		t.Errorf("image: %v", err)
	}

	// A wrong version with a valid checksum is still refused.
	b := bytes.Clone(data)
	binary.LittleEndian.PutUint32(b[4:], 2)
	if err := load(reseal(b)); !errors.Is(err, ErrVersion) {
		t.Errorf("version 2: %v", err)
	}

	// Valid checksums around invalid contents.
	b = bytes.Clone(data)
	b[12] = 9 // kind of the first layer
	if err := load(reseal(b)); !errors.Is(err, ErrMalformed) {
		t.Errorf("unknown layer kind: %v", err)
	}
	b = bytes.Clone(data)
	binary.LittleEndian.PutUint32(b[13:], 1<<31) // in of the first layer: huge
	binary.LittleEndian.PutUint32(b[17:], 1<<31) // out
	if err := load(reseal(b)); !errors.Is(err, ErrTruncated) || errors.Is(err, ErrChecksum) {
		t.Errorf("huge layer: %v", err)
	}
	b = bytes.Clone(data)
	binary.LittleEndian.PutUint32(b[8:], 7) // layer count
	if err := load(reseal(b)); !errors.Is(err, ErrTruncated) {
		t.Errorf("too many layers: %v", err)
	}
	b = bytes.Clone(data)
	binary.LittleEndian.PutUint32(b[8:], 2) // layer count: one trailing layer left over
	if err := load(reseal(b)); !errors.Is(err, ErrMalformed) {
		t.Errorf("trailing data: %v", err)
	}

	// Layers whose sizes do not chain.
	var buf bytes.Buffer
	if err := saveBPNN(&buf, layers.NewSequential(layers.NewLinear(3, 4, layers.He, newRNG(1)), layers.NewLinear(5, 2, layers.He, newRNG(1)))); err != nil {
		t.Fatal(err)
	}
	if err := load(buf.Bytes()); !errors.Is(err, ErrMalformed) {
		t.Errorf("mismatched layer sizes: %v", err)
	}
}

// crafted returns a model file with one Linear(in→out) header and no
// weights, sealed with a correct CRC: 25 bytes that claim far more.
func crafted(in, out uint32) []byte {
	b := []byte(fileMagic)
	b = binary.LittleEndian.AppendUint32(b, fileVersion)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = append(b, kindLinear)
	b = binary.LittleEndian.AppendUint32(b, in)
	b = binary.LittleEndian.AppendUint32(b, out)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// A header whose sizes overflow 64-bit arithmetic (8·(in·out+out) = 2⁶⁴
// wraps to 0) must be refused, not allocated (issue #9, case 1).
func TestLoadHugeHeader(t *testing.T) {
	for _, c := range []struct{ in, out uint32 }{
		{2147483647, 1073741824}, // 8·(in·out+out) = 2⁶⁴ exactly
		{0xffffffff, 0xffffffff},
		{0xffffffff, 1},
		{1, 0xffffffff},
		{1 << 31, 1 << 31},
	} {
		b := crafted(c.in, c.out)
		if len(b) != 25 {
			t.Fatalf("crafted file is %d bytes, want 25", len(b))
		}
		for _, sealed := range []bool{true, false} {
			data := b
			if !sealed {
				data = append([]byte(nil), b...)
				data[len(data)-1] ^= 0xff
			}
			_, err := Load(bytes.NewReader(data))
			if err == nil {
				t.Fatalf("Linear(%d→%d), sealed %v: Load succeeded", c.in, c.out, sealed)
			}
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("Linear(%d→%d), sealed %v: error %v, want ErrTruncated", c.in, c.out, sealed, err)
			}
			if sealed == errors.Is(err, ErrChecksum) {
				t.Errorf("Linear(%d→%d), sealed %v: error %v, ErrChecksum %v", c.in, c.out, sealed, err, !sealed)
			}
		}
	}
}

// LoadFile and LoadCheckpointFile refuse anything that is not a regular file
// before reading it:
// /dev/zero would be read until memory runs out, a FIFO would block forever
// (issue #9, case 3).
func TestLoadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	paths := []string{dir}
	if err := mkfifo(fifo); err == nil {
		paths = append(paths, fifo)
	} else {
		t.Logf("no FIFO: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	loaders := map[string]func(string) error{
		"LoadFile":           func(p string) error { _, err := LoadFile(p); return err },
		"LoadCheckpointFile": func(p string) error { _, err := LoadCheckpointFile(p); return err },
	}
	for name, load := range loaders {
		for _, p := range paths {
			done := make(chan error, 1)
			go func() { done <- load(p) }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "not a regular file") {
					t.Errorf("%s(%s): %v, want an error saying it is not a regular file", name, p, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s(%s) still running after 5 s", name, p)
			}
		}
	}
}
