// Package modelfile saves and loads networks: a layers.Sequential to a
// file and back, with the optimiser's state beside it when training should
// resume. It is the Go counterpart of torch.save and torch.load, and sits
// apart from the layers the way those sit apart from torch.nn: package
// layers knows how to compute, this package how to store.
//
// It lives one floor above layers and optim and below train: it imports
// tensor, layers and optim, the format packages safetensors and npy,
// atomicfile for writing and internal/fileutil for reading, and nothing
// else of the module. No package below it imports it, so layers imports
// only tensor.
//
// # The file
//
// A model file is a safetensors file (package safetensors has the byte
// layout). Its tensors are the network's state_dict as PyTorch's
// nn.Sequential names it: "<index>.<name>", the index being the layer's
// position (a ReLU takes an index and stores nothing), e.g.
//
//	0.weight  F64 [256 784]   (out×in, as nn.Linear)
//	0.bias    F64 [256]
//	2.weight  F64 [128 256]
//	…
//
// and its __metadata__ holds three strings:
//
//	"format":                "pt" (what Hugging Face's loaders look for)
//	"backprop.architecture": {"version":1,"layers":[{"type":"Linear",
//	                          "config":{"in_features":784,"out_features":256}},
//	                          {"type":"ReLU"},…]}
//	"backprop.sha256":       the SHA-256 of the data section, in hex
//
// The architecture is what Load needs to rebuild the network without being
// told its shape; the hash catches a corrupt file, which the format itself
// would not notice. A file written elsewhere (by the Python in
// docs/interop.md) may leave the hash out; it is checked when present.
// Tensors that do not belong to the model (optimiser state, see
// OptimizerTensors) may follow under names that do not start with a digit:
// see Checkpoint.
//
// SaveNPZ writes the same tensors under the same names as an .npz archive
// for numpy (see npz.go), and Load also reads the BPNN files that versions
// of this module before safetensors wrote (see save.go). Load tells the
// three apart by their first bytes.
//
// # Layers
//
// Each layer is stored as a type name, a JSON config and its tensors; the
// registry (Register) maps Go types to those names and back. Every layer
// of package layers is registered here; a layer written elsewhere is
// registered by its own package, as Register's documentation shows. Tensors may have any
// rank: a convolution's weight [out, in, kH, kW] is stored with that shape
// in both formats.
//
// # Bad files
//
// Load does not panic, whatever the bytes, and checks what it can before
// returning a model: sizes are checked against the bytes present before
// anything is allocated, every tensor must belong to a layer and have the
// shape its config implies, and consecutive layers must agree on their
// widths (a Linear(5→2) after a BatchNorm1d(784) is an error naming both
// layers). Whether the model fits the data is the caller's to check, with
// Widths. docs/reliability.md lists the limits and what each hostile input
// gets.
package modelfile
