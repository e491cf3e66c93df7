package modelfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/backprop-go/backprop/npy"
)

// An .npz model file (SaveNPZ) is a zip of .npy files: "0.weight.npy",
// "0.bias.npy", … (float64, '<f8'; Int tensors '<i8'), holding the same
// tensors under the same names as the safetensors file, then two JSON
// members that np.load shows as raw bytes:
//
//	__architecture__.json   what the safetensors metadata holds under
//	                        "backprop.architecture"
//	__metadata__.json       a Checkpoint's Metadata, if it has any
//
// A Python loop over np.load(path) that builds a state_dict skips the
// names starting with "__". The zip stores a CRC-32 of every member, which
// catches a corrupt file as the SHA-256 does in safetensors.
//
// Names starting with "__" are reserved for those members, as safetensors
// reserves "__metadata__": an array member named so is refused when
// loading, in both formats (SaveCheckpoint refuses such an Extra name, so
// what loads can be saved again), and so is a member name npy.CheckName refuses ("../x.npy",
// "/abs.npy", a NUL), on reading and on writing. npy.ReadNPZ bounds what
// the archive may unpack to (npy.MaxNPZSize, npy.MaxNPZRaw for the JSON
// members) before reading it.

// Names of the JSON members of an .npz model file.
const (
	NPZArchitecture = "__architecture__.json"
	NPZMetadata     = "__metadata__.json"
)

// SaveNPZ writes c to w as an .npz archive that numpy's np.load reads.
// Nothing is written if the model holds an unregistered layer.
func SaveNPZ(w io.Writer, c *Checkpoint) error {
	archJSON, tensors, err := c.flatten()
	if err != nil {
		return fmt.Errorf("modelfile: SaveNPZ: %w", err)
	}
	var ms []npy.Member
	for _, t := range tensors {
		a := &npy.Array{Shape: t.Shape, Data: t.Data}
		if t.Int {
			a.DType = "<i8"
		}
		ms = append(ms, npy.Member{Name: t.Name, Array: a})
	}
	ms = append(ms, npy.Member{Name: NPZArchitecture, Raw: archJSON})
	if len(c.Metadata) > 0 {
		meta, err := json.Marshal(c.Metadata)
		if err != nil {
			return fmt.Errorf("modelfile: SaveNPZ: %w", err)
		}
		ms = append(ms, npy.Member{Name: NPZMetadata, Raw: meta})
	}
	// Encode in memory first, so that an invalid tensor writes nothing.
	var buf bytes.Buffer
	if err := npy.WriteNPZ(&buf, ms); err != nil {
		return fmt.Errorf("modelfile: SaveNPZ: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// SaveNPZFile writes c to the file at path as an .npz archive, atomically
// like SaveFile.
func SaveNPZFile(path string, c *Checkpoint) error {
	return writeAtomic(path, func(w io.Writer) error { return SaveNPZ(w, c) })
}

// parseNPZ decodes an .npz model file held in data.
func parseNPZ(data []byte) (*Checkpoint, error) {
	ms, err := npy.ReadNPZ(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var (
		archJSON, metaJSON []byte
		named              []StateTensor
	)
	for _, m := range ms {
		switch {
		case m.Name == NPZArchitecture:
			archJSON = m.Raw
		case m.Name == NPZMetadata:
			metaJSON = m.Raw
		case m.Array != nil:
			named = append(named, StateTensor{Name: m.Name, Shape: m.Array.Shape, Data: m.Array.Data, Int: m.Array.DType[1] != 'f'})
		default:
			return nil, fmt.Errorf("%w: unexpected member %s in the archive", ErrMalformed, m.Name)
		}
	}
	if archJSON == nil {
		return nil, fmt.Errorf("%w: no %s in the archive, so the layers are unknown "+
			"(docs/interop.md shows how to add it to a file written elsewhere)", ErrMalformed, NPZArchitecture)
	}
	c, err := buildCheckpoint(archJSON, named)
	if err != nil {
		return nil, err
	}
	if metaJSON != nil {
		if err := json.Unmarshal(metaJSON, &c.Metadata); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, NPZMetadata, err)
		}
	}
	return c, nil
}
