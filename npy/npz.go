package npy

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The limits ReadNPZ enforces. A zip member can be deflated a thousandfold
// (a 2 MB archive can unpack to 2 GiB), so the sizes an archive declares are
// checked against them before anything is read, and reading stops at the
// bound a member declares.
const (
	// MaxNPZSize is the most bytes the members of an archive may unpack
	// to, all together, and the most its arrays may take once converted to
	// float64 (8 bytes a value): 512 MiB, a model of 64 million parameters.
	MaxNPZSize = 512 << 20
	// MaxNPZRaw is the most bytes of one member that is not an .npy file
	// (a model file's architecture JSON, a few kilobytes, is one): 1 MiB.
	MaxNPZRaw = 1 << 20
)

// Member is one file of an .npz archive: an array or raw bytes.
type Member struct {
	// Name is the key np.load shows: for an array, the member's file name
	// without ".npy"; for raw bytes, the whole file name.
	Name string
	// Array is the array, or nil for a raw member.
	Array *Array
	// Raw holds the bytes of a member that is not an array.
	Raw []byte
}

// fileName is the name of m's file in the archive.
func (m Member) fileName() string {
	if m.Array != nil {
		return m.Name + ".npy"
	}
	return m.Name
}

// CheckName returns an error if name cannot be the name of a file in an
// .npz archive: empty, not UTF-8, holding a NUL or another control
// character, a backslash or a colon, starting with "/", or with an empty,
// "." or ".." element between slashes. Such names (zip-slip names like
// "../../x.npy" among them) would let an unzip tool write outside its
// folder, or mean another file on Windows; WriteNPZ never writes one and
// ReadNPZ refuses an archive that holds one.
func CheckName(name string) error {
	bad := func(why string) error { return fmt.Errorf("member name %q %s", name, why) }
	if name == "" {
		return bad("is empty")
	}
	if !utf8.ValidString(name) {
		return bad("is not UTF-8")
	}
	for _, c := range name {
		switch {
		case c < 0x20 || c == 0x7f:
			return bad("holds a control character")
		case c == '\\' || c == ':':
			return bad(fmt.Sprintf("holds %q, a path separator on Windows", c))
		}
	}
	if strings.HasPrefix(name, "/") {
		return bad("is an absolute path")
	}
	for _, e := range strings.Split(name, "/") {
		if e == "" || e == "." || e == ".." {
			return bad("has an empty, \".\" or \"..\" path element")
		}
	}
	return nil
}

// WriteNPZ writes members to w as an .npz archive, arrays as "Name.npy",
// stored without compression like np.savez. Nothing useful is written if a
// member is invalid; names must be unique and pass CheckName.
func WriteNPZ(w io.Writer, members []Member) error {
	seen := map[string]bool{}
	var files [][]byte
	for _, m := range members {
		if m.Name == "" {
			return fmt.Errorf("npy: WriteNPZ: member name is empty")
		}
		if err := CheckName(m.fileName()); err != nil {
			return fmt.Errorf("npy: WriteNPZ: %w", err)
		}
		if seen[m.Name] {
			return fmt.Errorf("npy: WriteNPZ: member name %q appears twice", m.Name)
		}
		seen[m.Name] = true
		if m.Array == nil {
			files = append(files, m.Raw)
			continue
		}
		b, err := Marshal(m.Array)
		if err != nil {
			return fmt.Errorf("npy: WriteNPZ: %s: %w", m.Name, err)
		}
		files = append(files, b)
	}
	zw := zip.NewWriter(w)
	for i, m := range members {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: m.fileName(), Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := fw.Write(files[i]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// ReadNPZ reads an .npz archive of size bytes from r. Members named
// "*.npy" are read as arrays (an invalid one is an error wrapping
// ErrFormat); others are returned raw. The members keep the archive's
// order.
//
// Before reading any member it checks every name (CheckName, no name
// twice) and the sizes the archive declares: at most MaxNPZRaw bytes for a
// raw member, at most MaxNPZSize for all members together. An array must
// then declare exactly the size its .npy header gives (shape × dtype), and
// all arrays together may hold at most MaxNPZSize/8 values. So memory stays
// within MaxNPZSize however far the members would unpack, and every error
// wraps ErrFormat.
func ReadNPZ(r io.ReaderAt, size int64) ([]Member, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrFormat, err)
	}
	seen := map[string]bool{}
	var total uint64
	for _, f := range zr.File {
		if err := CheckName(f.Name); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		key := strings.TrimSuffix(f.Name, ".npy")
		if key == "" || strings.HasSuffix(key, "/") {
			return nil, fmt.Errorf("%w: member %s names an array with an empty name", ErrFormat, f.Name)
		}
		if seen[key] {
			return nil, fmt.Errorf("%w: member %s appears twice", ErrFormat, key)
		}
		seen[key] = true
		if key == f.Name && f.UncompressedSize64 > MaxNPZRaw {
			return nil, fmt.Errorf("%w: member %s unpacks to %d bytes, more than the %d allowed for a member that is not an array (npy.MaxNPZRaw)",
				ErrFormat, f.Name, f.UncompressedSize64, MaxNPZRaw)
		}
		if total += f.UncompressedSize64; total > MaxNPZSize || f.UncompressedSize64 > MaxNPZSize {
			return nil, fmt.Errorf("%w: the members unpack to more than %d bytes (the limit, npy.MaxNPZSize)", ErrFormat, MaxNPZSize)
		}
	}
	var out []Member
	values := uint64(0) // float64 values read so far
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: member %s: %v", ErrFormat, f.Name, err)
		}
		m, err := readMember(f, rc, &values)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// readMember reads the member f from rc; values counts the float64 values
// of the archive's arrays, against MaxNPZSize/8.
func readMember(f *zip.File, rc io.Reader, values *uint64) (Member, error) {
	fail := func(err any) (Member, error) {
		return Member{}, fmt.Errorf("%w: member %s: %v", ErrFormat, f.Name, err)
	}
	base, ok := strings.CutSuffix(f.Name, ".npy")
	if !ok {
		raw, err := io.ReadAll(io.LimitReader(rc, MaxNPZRaw+1))
		if err != nil {
			return fail(err)
		}
		if len(raw) > MaxNPZRaw {
			return fail(fmt.Sprintf("more than %d bytes", MaxNPZRaw))
		}
		return Member{Name: f.Name, Raw: raw}, nil
	}
	h, err := readHeader(rc)
	if err != nil {
		return Member{}, fmt.Errorf("member %s: %w", f.Name, err)
	}
	if want := uint64(h.bytes) + h.dataBytes(); f.UncompressedSize64 != want {
		return fail(fmt.Sprintf("the archive says it unpacks to %d bytes, its header and shape %v of %s make %d",
			f.UncompressedSize64, h.shape, h.descr, want))
	}
	if *values += h.n; *values > MaxNPZSize/8 {
		return fail(fmt.Sprintf("the arrays hold more than %d values in all (the limit, npy.MaxNPZSize/8)", MaxNPZSize/8))
	}
	a, err := h.readData(rc, true)
	if err != nil {
		return Member{}, fmt.Errorf("member %s: %w", f.Name, err)
	}
	// The zip reader checks the CRC-32 when it reaches the member's end.
	var one [1]byte
	if n, err := rc.Read(one[:]); n > 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = fmt.Errorf("bytes after the array")
		}
		return fail(err)
	}
	return Member{Name: base, Array: a}, nil
}
