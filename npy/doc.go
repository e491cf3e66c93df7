// Package npy reads and writes numpy's .npy array files and .npz archives
// of them, so that numpy's np.load and np.save/np.savez exchange arrays with
// Go.
//
// It lives on the bottom floor beside tensor and imports only the standard
// library (and internal/half, the float16 conversion it shares with
// safetensors): it knows arrays of numbers, not layers or models. Package
// modelfile builds its .npz model files on top of it.
//
// # The .npy layout (format version 1.0)
//
//	offset  size  field
//	0       6     magic "\x93NUMPY"
//	6       2     version: major 1, minor 0
//	8       2     H, the header length, uint16 little-endian
//	10      H     the header: an ASCII Python dict literal, padded with
//	              spaces and ended by '\n' so that 10+H is a multiple of 64
//	10+H    …     the data: the elements in C (row-major) order
//
// The header names the element type, the memory order and the shape:
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//
// descr is a typestr: byte order ('<' little, '>' big, '|' not applicable),
// kind ('f' float, 'i' signed, 'u' unsigned, 'b' bool) and size in bytes.
// A 1-D shape is written with a trailing comma, (3,), because (3) is just
// the number 3 in Python; a scalar has shape (). Versions 2.0 and 3.0 differ
// only in a 4-byte header length (and, for 3.0, a UTF-8 header); Read
// accepts them.
//
// Write writes version 1.0 exactly as numpy 1.24's np.save does ('<f8' by
// default, or '<f4' or '<i8'), so the bytes are identical. Read accepts
// every float, integer and bool typestr of either byte order and converts
// it to float64 (exactly, except integers beyond 2⁵³); fortran_order True
// is converted to C order.
//
// # Hostile files
//
// Read checks the magic, the version, the header's syntax and keys (the
// same three numpy requires, nothing else), the header length (at most
// MaxHeaderSize, numpy's default limit), and the element count against
// overflow; the data is read in pieces as it arrives, so a header that
// claims a huge shape costs nothing until the bytes exist. Every error for
// bad data wraps ErrFormat.
//
// # .npz
//
// An .npz file is a zip archive (archive/zip) whose member "name.npy"
// holds the array np.load shows as name. WriteNPZ stores the members
// uncompressed, as np.savez does; ReadNPZ also reads np.savez_compressed's
// deflated members. Members that are not .npy files are returned as raw
// bytes (np.load gives them as bytes too).
package npy
