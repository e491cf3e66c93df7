package npy

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/backprop-go/backprop/internal/ziptest"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hostileNPZ are archives ReadNPZ must refuse, each with what the error
// says. The bombs are honest (the members really unpack to what they
// declare) but cost little to build (see package ziptest), except for the
// CRC-32 of 2 GiB, so they are built once.
var hostileNPZ = sync.OnceValue(func() map[string]struct {
	data []byte
	want string
} {
	type c = struct {
		data []byte
		want string
	}
	f8 := func(n string) []byte { return ziptest.NPYHeader("<f8", "("+n+",)") }
	const half = 512 << 20
	return map[string]c{
		// Four members of 512 MiB of zeros each: a 2 MB file.
		"bomb": {ziptest.NPZ([]ziptest.Member{
			{Name: "a.npy", Head: f8("67108864"), Zeros: half},
			{Name: "b.npy", Head: f8("67108864"), Zeros: half},
			{Name: "c.npy", Head: f8("67108864"), Zeros: half},
			{Name: "d.npy", Head: f8("67108864"), Zeros: half},
		}), "MaxNPZSize"},
		// The same claim without the data: a few hundred bytes.
		"lying bomb": {ziptest.NPZ([]ziptest.Member{
			{Name: "a.npy", Head: f8("67108864"), Zeros: 1 << 16, Declared: half + 128},
			{Name: "b.npy", Head: f8("67108864"), Zeros: 1 << 16, Declared: half + 128},
		}), "MaxNPZSize"},
		// 10⁸ one-byte values: 100 MB unpacked, 800 MB as float64.
		"many values": {ziptest.NPZ([]ziptest.Member{
			{Name: "x.npy", Head: ziptest.NPYHeader("|u1", "(100000000,)"), Zeros: 1e8},
		}), "values in all"},
		// A JSON member followed by 2 MiB of spaces.
		"long raw": {ziptest.NPZ([]ziptest.Member{
			{Name: "__architecture__.json", Head: []byte(`{"version":1,"layers":[]}`), Zeros: 2 << 20, Fill: ' '},
		}), "MaxNPZRaw"},
		"declared short": {ziptest.NPZ([]ziptest.Member{
			{Name: "x.npy", Head: f8("1000"), Zeros: 8000, Declared: 128 + 80},
		}), "unpacks to 208 bytes"},
		"trailing bytes": {ziptest.NPZ([]ziptest.Member{
			{Name: "x.npy", Head: f8("1"), Zeros: 8 + 1<<20},
		}), "unpacks to"},
		"dot dot":     {ziptest.NPZ([]ziptest.Member{{Name: "../../evil.npy", Head: f8("1"), Zeros: 8}}), "member name"},
		"absolute":    {ziptest.NPZ([]ziptest.Member{{Name: "/abs/x.npy", Head: f8("1"), Zeros: 8}}), "absolute"},
		"nul":         {ziptest.NPZ([]ziptest.Member{{Name: "a\x00b.npy", Head: f8("1"), Zeros: 8}}), "control"},
		"backslash":   {ziptest.NPZ([]ziptest.Member{{Name: `..\evil.npy`, Head: f8("1"), Zeros: 8}}), "Windows"},
		"drive":       {ziptest.NPZ([]ziptest.Member{{Name: "C:evil.npy", Head: f8("1"), Zeros: 8}}), "Windows"},
		"empty elem":  {ziptest.NPZ([]ziptest.Member{{Name: "a//b.npy", Head: f8("1"), Zeros: 8}}), "path element"},
		"empty name":  {ziptest.NPZ([]ziptest.Member{{Name: ".npy", Head: f8("1"), Zeros: 8}}), "empty name"},
		"array twice": {ziptest.NPZ([]ziptest.Member{{Name: "a.npy", Head: f8("1"), Zeros: 8}, {Name: "a", Head: []byte("x")}}), "twice"},
	}
})

// TestReadNPZHostile: every hostile archive gets an error wrapping
// ErrFormat that says what is wrong, and costs memory in proportion to the
// archive, not to what it would unpack to.
func TestReadNPZHostile(t *testing.T) {
	for name, c := range hostileNPZ() {
		var err error
		alloc := allocated(func() { _, err = ReadNPZ(bytes.NewReader(c.data), int64(len(c.data))) })
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrFormat mentioning %q", name, err, c.want)
		}
		if limit := 8*uint64(len(c.data)) + 4<<20; alloc > limit {
			t.Errorf("%s: a %d-byte archive allocated %d bytes, more than %d", name, len(c.data), alloc, limit)
		}
	}
}

// TestNPZNames: WriteNPZ refuses every name ReadNPZ would, so it never
// writes a zip-slip archive, and accepts the names a model file uses.
func TestNPZNames(t *testing.T) {
	a := &Array{Shape: []int{1}, Data: []float64{1}}
	for _, name := range []string{"../../evil", "/abs/x", "a\x00b", `a\b`, "C:x", "a//b", "./a", "\xff"} {
		var buf bytes.Buffer
		if err := WriteNPZ(&buf, []Member{{Name: name, Array: a}}); err == nil || !strings.Contains(err.Error(), "member name") {
			t.Errorf("WriteNPZ(%q): err %v", name, err)
		}
		if CheckName(name+".npy") == nil {
			t.Errorf("CheckName(%q) accepts it", name+".npy")
		}
	}
	var buf bytes.Buffer
	if err := WriteNPZ(&buf, []Member{{Name: "", Array: a}}); err == nil {
		t.Error("WriteNPZ of an empty name: no error")
	}
	for _, name := range []string{"0.weight", "optim.0.weight.exp_avg", "__architecture__.json", "dir/x", "é"} {
		if err := CheckName(name); err != nil {
			t.Errorf("CheckName(%q): %v", name, err)
		}
	}
}

// FuzzReadNPZ feeds ReadNPZ arbitrary bytes, starting from the hostile
// archives and numpy's own.
//
//	go test -run '^$' -fuzz FuzzReadNPZ -fuzztime 60s ./npy
func FuzzReadNPZ(f *testing.F) {
	for _, c := range hostileNPZ() {
		if len(c.data) < 1<<16 {
			f.Add(c.data)
		}
	}
	var buf bytes.Buffer
	if err := WriteNPZ(&buf, []Member{{Name: "w", Array: &Array{Shape: []int{2, 1}, Data: []float64{1, 2}}}, {Name: "m.json", Raw: []byte("{}")}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := ReadNPZ(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		// What was read writes and reads back.
		for i := range ms {
			if ms[i].Array != nil {
				ms[i].Array.DType = ""
			}
		}
		var out bytes.Buffer
		if err := WriteNPZ(&out, ms); err != nil {
			t.Fatalf("read archive does not write: %v", err)
		}
		if _, err := ReadNPZ(bytes.NewReader(out.Bytes()), int64(out.Len())); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}
