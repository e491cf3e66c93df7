// Package safetensors reads and writes the safetensors file format, the
// format PyTorch's ecosystem (Hugging Face, safetensors.torch) uses to store
// tensors without pickle.
//
// It lives on the bottom floor beside tensor and imports only the standard
// library (and internal/half, the float16 conversion it shares with npy): it
// knows bytes, names, dtypes and shapes, not layers or models.
// Package modelfile builds its model files on top of it.
//
// # The byte layout
//
//	offset   size  field
//	0        8     N, the header length, uint64 little-endian
//	8        N     the header: UTF-8 JSON, padded with spaces so that 8+N
//	               is a multiple of 8 (the data is then 8-byte aligned)
//	8+N      …     the data: every tensor's raw little-endian bytes in C
//	               (row-major) order, back to back, in header order
//
// The header is one JSON object. Each key but one names a tensor:
//
//	{"__metadata__":{"format":"pt"},
//	 "0.weight":{"dtype":"F64","shape":[3,4],"data_offsets":[0,96]},
//	 "0.bias":{"dtype":"F64","shape":[3],"data_offsets":[96,120]}}
//
// data_offsets are [begin, end) byte offsets into the data section (not the
// file); the one special key "__metadata__" maps strings to strings and is
// free for the writer's use. A shape of [] is a scalar (one element).
//
// # Validation
//
// Parse follows the checks of the reference implementation
// (huggingface/safetensors, safetensors/src/tensor.rs), and Write produces
// only files that pass them:
//
//   - the file has at least 8 bytes; N is at most MaxHeaderSize
//     (100,000,000, the reference's limit) and 8+N fits in the file;
//   - the header is valid UTF-8, starts with '{' and is one JSON object
//     (trailing whitespace is the padding);
//   - every dtype is one of the known names, every shape entry a
//     non-negative integer, data_offsets exactly two integers;
//   - sorted by offsets, the tensors are contiguous: the first starts at
//     0, each starts where the previous ended, and end ≥ begin;
//   - each tensor's byte count end−begin equals the product of its shape
//     times its dtype's size, computed without overflow;
//   - the last tensor ends exactly at the end of the file: file size =
//     8 + N + data size.
//
// Parse is stricter than the reference in one respect: a key that appears
// twice in the header (or in __metadata__) is an error. JSON itself allows
// duplicate keys and a decoder into a map keeps only the last, so two
// readers could see two different tensors under one name; the header is
// therefore walked token by token rather than decoded into a map. It also
// accepts at most MaxMetadataEntries pairs in __metadata__ (the reference
// sets no limit), since a header of the maximal size could otherwise hold
// millions of them.
//
// Hostile input (a huge claimed length, overlapping offsets, bad JSON, an
// unknown dtype) gives an error wrapping ErrFormat, never a panic, and
// nothing is allocated in proportion to a claimed size: the data is only
// sliced, after its size has been checked against the bytes that exist.
//
// # Numbers
//
// A Tensor holds raw bytes. Float64s converts any numeric dtype to float64:
// F64, F32, F16 and BF16 exactly (every such value is a float64), integers
// exactly up to 2⁵³. FromFloat64 goes the other way for F64 (exact), F32
// (rounded to nearest) and I64 (whole numbers only).
package safetensors
