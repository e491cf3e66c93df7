package modelfile

import (
	"bytes"
	"encoding/binary"
	"github.com/backprop-go/backprop/layers"
	"hash/crc32"
	"math"
	"testing"
)

// loadSeeds are the starting points of FuzzLoad besides the files in
// testdata/fuzz/FuzzLoad: real saved models (safetensors, and BPNN and .npz
// ones), every truncation of a safetensors one, copies
// with one bit flipped, the crafted BPNN headers (a 25-byte file claiming
// Linear(2147483647→1073741824)) and the hostile files of hostile_test.go.
func loadSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, sizes := range [][]int{{3, 2}, {4, 3, 2}, {2, 5, 5, 1}} {
		var buf bytes.Buffer
		if err := Save(&buf, layers.NewMLP(sizes, layers.He, newRNG(uint64(len(sizes))))); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	real := seeds[1]
	// The same models in the two other formats Load reads: the old BPNN
	// files and .npz archives.
	for _, sizes := range [][]int{{3, 2}, {4, 3, 2}} {
		var old, nz bytes.Buffer
		m := layers.NewMLP(sizes, layers.He, newRNG(uint64(len(sizes))))
		if err := saveBPNN(&old, m); err != nil {
			t.Fatal(err)
		}
		if err := SaveNPZ(&nz, &Checkpoint{Model: m}); err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, old.Bytes(), nz.Bytes())
	}
	for n := 0; n < len(real); n += 7 {
		seeds = append(seeds, real[:n])
	}
	for _, i := range []int{0, 5, 8, 12, 13, 17, 21, len(real) - 1} {
		b := bytes.Clone(real)
		b[i] ^= 0x80
		seeds = append(seeds, b)
	}
	seeds = append(seeds,
		crafted(2147483647, 1073741824),
		crafted(0xffffffff, 0xffffffff),
		crafted(1<<31, 1<<31))
	// The hostile files of hostile_test.go: npz bombs and unsafe names,
	// impossible counts, widths that do not chain.
	for _, c := range hostileFiles(t) {
		seeds = append(seeds, c.data)
	}
	return seeds
}

// FuzzLoad feeds Load arbitrary bytes. Load must return a model or an
// error, never panic, hang or allocate far beyond the input; a model it
// returns must survive a save and load unchanged. Each input is also tried
// with its checksum repaired, so the fuzzer reaches the record parser
// instead of stopping at the CRC every time.
//
//	go test -run '^$' -fuzz FuzzLoad -fuzztime 60s ./modelfile
func FuzzLoad(f *testing.F) {
	for _, s := range loadSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		try := func(b []byte) {
			s, err := Load(bytes.NewReader(b))
			if (s == nil) == (err == nil) {
				t.Fatalf("Load returned model %v and error %v", s, err)
			}
			if err != nil {
				return
			}
			var buf bytes.Buffer
			if err := Save(&buf, s); err != nil {
				t.Fatalf("a loaded model cannot be saved: %v", err)
			}
			again, err := Load(&buf)
			if err != nil {
				t.Fatalf("a loaded model, saved again, does not load: %v", err)
			}
			if again.String() != s.String() || len(again.Params()) != len(s.Params()) {
				t.Fatalf("saved %s, loaded %s", s, again)
			}
			for i, p := range s.Params() {
				q := again.Params()[i]
				for j, v := range p.Value.Data {
					if math.Float64bits(v) != math.Float64bits(q.Value.Data[j]) {
						t.Fatalf("%s[%d]: saved %v, loaded %v", p.Name, j, v, q.Value.Data[j])
					}
				}
			}
		}
		try(data)
		if len(data) >= 4 && string(data[:4]) == fileMagic && len(data) >= 16 {
			body := data[:len(data)-4]
			try(binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.ChecksumIEEE(body)))
		}
	})
}
