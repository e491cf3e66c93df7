package modelfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/internal/fileutil"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/safetensors"
)

// Metadata keys of a model file.
const (
	MetaArchitecture = "backprop.architecture"
	MetaSHA256       = "backprop.sha256"
)

// architecture is the JSON stored under MetaArchitecture (and in a .npz as
// NPZArchitecture).
type architecture struct {
	Version int         `json:"version"`
	Layers  []layerSpec `json:"layers"`
}

type layerSpec struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

const architectureVersion = 1

// Checkpoint is everything a model file can hold: the model, other named
// tensors, and string metadata. Save and Load handle just the model;
// SaveCheckpoint and LoadCheckpoint the rest too. An optimiser, say,
// saves its state beside the model:
//
//	c := &modelfile.Checkpoint{Model: model,
//		Extra:    []modelfile.StateTensor{{Name: "optim.0.weight.momentum_buffer", Shape: []int{256, 784}, Data: v}},
//		Metadata: map[string]string{"optim": `{"type":"SGD","lr":0.1,"momentum":0.9}`}}
//	err := modelfile.SaveCheckpointFile("model.safetensors", c)
//
// and finds it again in LoadCheckpointFile's Extra and Metadata.
// OptimizerTensors makes those tensors for an optimiser of package optim.
type Checkpoint struct {
	// Model is the network; every one of its layers must be registered
	// (see Register).
	Model *layers.Sequential
	// Extra holds tensors that are not the model's, stored after them
	// under their own Names, which must not start with a digit (the
	// model's names do) and must be unique.
	Extra []StateTensor
	// Metadata holds extra strings for __metadata__. Keys starting with
	// "backprop." and the key "format" are reserved.
	Metadata map[string]string
}

// encodeModel returns the architecture and the named tensors of s, in
// state_dict order.
func encodeModel(s *layers.Sequential) (*architecture, []StateTensor, error) {
	if s == nil {
		return nil, nil, fmt.Errorf("the model is nil")
	}
	arch := &architecture{Version: architectureVersion}
	var tensors []StateTensor
	for i, l := range s.Layers() {
		c, err := codecFor(l)
		if err != nil {
			return nil, nil, fmt.Errorf("layer %d: %w", i, err)
		}
		st, err := c.encode(l)
		if err != nil {
			return nil, nil, fmt.Errorf("layer %d (%s): %w", i, c.name, err)
		}
		if len(st.Config) > 0 {
			var buf bytes.Buffer
			if err := json.Compact(&buf, st.Config); err != nil {
				return nil, nil, fmt.Errorf("layer %d (%s): config is not JSON: %w", i, c.name, err)
			}
			st.Config = buf.Bytes()
		}
		arch.Layers = append(arch.Layers, layerSpec{Type: c.name, Config: st.Config})
		for _, t := range st.Tensors {
			if t.Name == "" || strings.Contains(t.Name, "/") {
				return nil, nil, fmt.Errorf("layer %d (%s): tensor name %q: want a PyTorch name such as \"weight\"", i, c.name, t.Name)
			}
			t.Name = strconv.Itoa(i) + "." + t.Name
			tensors = append(tensors, t)
		}
	}
	return arch, tensors, nil
}

// flatten checks c's names and returns what both file formats store: the
// architecture JSON and every tensor, the model's then the extra ones.
func (c *Checkpoint) flatten() ([]byte, []StateTensor, error) {
	if c == nil {
		return nil, nil, fmt.Errorf("the checkpoint is nil")
	}
	if err := checkExtra(c); err != nil {
		return nil, nil, err
	}
	arch, tensors, err := encodeModel(c.Model)
	if err != nil {
		return nil, nil, err
	}
	archJSON, err := json.Marshal(arch)
	if err != nil {
		return nil, nil, err
	}
	return archJSON, append(tensors, c.Extra...), nil
}

// checkExtra checks the names of a checkpoint's extra tensors and metadata.
func checkExtra(c *Checkpoint) error {
	for _, t := range c.Extra {
		if t.Name == "" || (t.Name[0] >= '0' && t.Name[0] <= '9') || strings.HasPrefix(t.Name, "__") {
			return fmt.Errorf("extra tensor name %q: must not be empty or start with a digit (the model's names do) or \"__\"", t.Name)
		}
	}
	for k := range c.Metadata {
		if k == "format" || strings.HasPrefix(k, "backprop.") {
			return fmt.Errorf("metadata key %q is reserved", k)
		}
	}
	return nil
}

func toSafetensor(t StateTensor) (safetensors.Tensor, error) {
	dt := safetensors.F64
	if t.Int {
		dt = safetensors.I64
	}
	return safetensors.FromFloat64(t.Name, dt, t.Shape, t.Data)
}

// SaveCheckpoint writes c to w as a safetensors file. Nothing is written
// if the model holds an unregistered layer or a name is invalid.
func SaveCheckpoint(w io.Writer, c *Checkpoint) error {
	archJSON, tensors, err := c.flatten()
	if err != nil {
		return fmt.Errorf("modelfile: Save: %w", err)
	}
	f := &safetensors.File{Metadata: map[string]string{"format": "pt", MetaArchitecture: string(archJSON)}}
	for k, v := range c.Metadata {
		f.Metadata[k] = v
	}
	h := sha256.New()
	for _, t := range tensors {
		st, err := toSafetensor(t)
		if err != nil {
			return fmt.Errorf("modelfile: Save: %w", err)
		}
		h.Write(st.Data)
		f.Tensors = append(f.Tensors, st)
	}
	f.Metadata[MetaSHA256] = hex.EncodeToString(h.Sum(nil))
	if err := safetensors.Write(w, f); err != nil {
		return fmt.Errorf("modelfile: Save: %w", err)
	}
	return nil
}

// Save writes s to w as a safetensors model file (see the package
// documentation), which PyTorch and numpy can read. It returns an
// error, without writing anything, if s holds a layer type that is not
// registered (see Register).
func Save(w io.Writer, s *layers.Sequential) error {
	return SaveCheckpoint(w, &Checkpoint{Model: s})
}

// isSafetensors reports whether data looks like a safetensors file rather
// than a BPNN or .npz one: a plausible header length followed by '{'.
func isSafetensors(data []byte) bool {
	return len(data) >= 9 && data[8] == '{' && string(data[:4]) != fileMagic
}

// parseCheckpoint decodes a safetensors model file held in data.
func parseCheckpoint(data []byte) (*Checkpoint, error) {
	f, err := safetensors.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if want, ok := f.Metadata[MetaSHA256]; ok {
		h := sha256.New()
		for _, t := range f.Tensors {
			h.Write(t.Data)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return nil, fmt.Errorf("%w: stored SHA-256 %s, computed %s", ErrChecksum, want, got)
		}
	}
	archJSON, ok := f.Metadata[MetaArchitecture]
	if !ok {
		return nil, fmt.Errorf("%w: no %q in the safetensors metadata, so the layers are unknown "+
			"(docs/interop.md shows how to add it to a file written elsewhere)", ErrMalformed, MetaArchitecture)
	}
	var named []StateTensor
	for _, t := range f.Tensors {
		v, err := t.Float64s()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		named = append(named, StateTensor{Name: t.Name, Shape: t.Shape, Data: v, Int: isInt(t.DType)})
	}
	c, err := buildCheckpoint([]byte(archJSON), named)
	if err != nil {
		return nil, err
	}
	for k, v := range f.Metadata {
		if k != "format" && !strings.HasPrefix(k, "backprop.") {
			if c.Metadata == nil {
				c.Metadata = map[string]string{}
			}
			c.Metadata[k] = v
		}
	}
	return c, nil
}

func isInt(d safetensors.DType) bool {
	switch d {
	case safetensors.F64, safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F8_E4M3, safetensors.F8_E5M2:
		return false
	}
	return true
}

// buildCheckpoint rebuilds the model that archJSON describes from the
// named tensors; the tensors that do not start with a digit are Extra.
func buildCheckpoint(archJSON []byte, named []StateTensor) (*Checkpoint, error) {
	var arch architecture
	if err := json.Unmarshal(archJSON, &arch); err != nil {
		return nil, fmt.Errorf("%w: architecture: %v", ErrMalformed, err)
	}
	if arch.Version != architectureVersion {
		return nil, fmt.Errorf("%w: architecture version %d, this code reads version %d", ErrVersion, arch.Version, architectureVersion)
	}
	perLayer := make([][]StateTensor, len(arch.Layers))
	c := &Checkpoint{}
	for _, t := range named {
		if strings.HasPrefix(t.Name, "__") {
			// As safetensors reserves "__metadata__" and the .npz its JSON
			// members; SaveCheckpoint refuses such a name, so what loads
			// can be saved again.
			return nil, fmt.Errorf("%w: tensor %q: names starting with \"__\" are reserved", ErrMalformed, t.Name)
		}
		if t.Name == "" || t.Name[0] < '0' || t.Name[0] > '9' {
			c.Extra = append(c.Extra, t)
			continue
		}
		idx, name, ok := strings.Cut(t.Name, ".")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 || i >= len(arch.Layers) || strconv.Itoa(i) != idx {
			return nil, fmt.Errorf("%w: tensor %q belongs to no layer of the %d in the architecture", ErrMalformed, t.Name, len(arch.Layers))
		}
		t.Name = name
		perLayer[i] = append(perLayer[i], t)
	}
	ls := make([]layers.Layer, len(arch.Layers))
	for i, spec := range arch.Layers {
		cd, err := codecNamed(spec.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: layer %d: %w", ErrMalformed, i, err)
		}
		st := LayerState{Config: spec.Config, Tensors: perLayer[i]}
		l, err := cd.decode(st)
		if err != nil {
			return nil, fmt.Errorf("%w: layer %d (%s): %v", ErrMalformed, i, spec.Type, err)
		}
		if l == nil || isNilPointer(l) {
			return nil, fmt.Errorf("%w: layer %d (%s): decode returned no layer", ErrMalformed, i, spec.Type)
		}
		// Every tensor of the file must have been used: the decoded layer
		// encodes to the same names.
		back, err := cd.encode(l)
		if err != nil {
			return nil, fmt.Errorf("%w: layer %d (%s): %v", ErrMalformed, i, spec.Type, err)
		}
		if got, want := tensorNames(st.Tensors), tensorNames(back.Tensors); got != want {
			return nil, fmt.Errorf("%w: layer %d (%s) has tensors [%s] in the file, want [%s]", ErrMalformed, i, spec.Type, got, want)
		}
		ls[i] = l
	}
	if err := checkWidths(ls); err != nil {
		return nil, err
	}
	c.Model = layers.NewSequential(ls...)
	return c, nil
}

func tensorNames(ts []StateTensor) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	// Order does not matter for the check, the set does.
	sort.Strings(names)
	return strings.Join(names, " ")
}

// sniff says which format data is in, for Load's errors and dispatch.
func sniff(data []byte) string {
	switch {
	case len(data) >= 4 && string(data[:4]) == fileMagic:
		return "bpnn"
	case len(data) >= 4 && string(data[:4]) == "PK\x03\x04":
		return "npz"
	case isSafetensors(data):
		return "safetensors"
	}
	return ""
}

// LoadCheckpoint reads a model file written by SaveCheckpoint or Save (or
// an older BPNN file, or a .npz written by SaveNPZ) from r, with its extra
// tensors and metadata. Errors wrap the same sentinels as Load's.
func LoadCheckpoint(r io.Reader) (*Checkpoint, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("modelfile: Load: %w", err)
	}
	switch sniff(data) {
	case "safetensors":
		return parseCheckpoint(data)
	case "npz":
		return parseNPZ(data)
	}
	s, err := Load(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Model: s}, nil
}

// SaveCheckpointFile writes c to the file at path, atomically like SaveFile.
func SaveCheckpointFile(path string, c *Checkpoint) error {
	return writeAtomic(path, func(w io.Writer) error { return SaveCheckpoint(w, c) })
}

// LoadCheckpointFile reads the model file at path with everything in it.
// Like LoadFile, it refuses anything but a regular file.
func LoadCheckpointFile(path string) (*Checkpoint, error) {
	f, err := fileutil.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("modelfile: LoadFile: %w", err)
	}
	defer f.Close()
	c, err := LoadCheckpoint(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return c, nil
}

// isNilPointer reports whether l is a typed nil pointer, which a decode
// function might return together with a nil error.
func isNilPointer(l layers.Layer) bool {
	v := reflect.ValueOf(l)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
