package npy

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
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

// WriteNPZ writes members to w as an .npz archive, arrays as "Name.npy",
// stored without compression like np.savez. Nothing useful is written if a
// member is invalid; names must be unique.
func WriteNPZ(w io.Writer, members []Member) error {
	seen := map[string]bool{}
	var files [][]byte
	for _, m := range members {
		if seen[m.Name] || m.Name == "" {
			return fmt.Errorf("npy: WriteNPZ: member name %q is empty or appears twice", m.Name)
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
		name := m.Name
		if m.Array != nil {
			name += ".npy"
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
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
func ReadNPZ(r io.ReaderAt, size int64) ([]Member, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrFormat, err)
	}
	var out []Member
	seen := map[string]bool{}
	for _, f := range zr.File {
		if seen[f.Name] {
			return nil, fmt.Errorf("%w: member %s appears twice", ErrFormat, f.Name)
		}
		seen[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: member %s: %v", ErrFormat, f.Name, err)
		}
		m, err := readMember(f.Name, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func readMember(name string, rc io.Reader) (Member, error) {
	if base, ok := strings.CutSuffix(name, ".npy"); ok {
		a, err := Read(rc)
		if err != nil {
			return Member{}, fmt.Errorf("member %s: %w", name, err)
		}
		// The zip reader checks the CRC-32 only at the end of the member.
		if n, err := io.Copy(io.Discard, rc); err != nil || n > 0 {
			if err == nil {
				err = fmt.Errorf("%d bytes after the array", n)
			}
			return Member{}, fmt.Errorf("%w: member %s: %v", ErrFormat, name, err)
		}
		return Member{Name: base, Array: a}, nil
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, rc); err != nil {
		return Member{}, fmt.Errorf("%w: member %s: %v", ErrFormat, name, err)
	}
	return Member{Name: name, Raw: buf.Bytes()}, nil
}
