package homework

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/backprop-go/backprop/atomicfile"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/train"
)

// The files a trained model is kept in, inside its folder. The model is a
// safetensors file (modelfile.SaveFile), which PyTorch and numpy read too; a
// folder from before that holds OldModelFile (BPNN) instead, which is still
// read. SettingsFile says which program trained the model and with which
// settings (the flags, by name).
const (
	ModelFile    = "model.safetensors"
	OldModelFile = "model.bin"
	HistoryFile  = "history.csv"
	SettingsFile = "settings.json"
)

// The sets named in settings.json.
const (
	validationSet  = "stratified half of the test split (random stream 1 of the seed, drawn after the training subsample)"
	heldOutTestSet = "the other half of the test split, evaluated once after training; history.csv rows \"test\""
)

// SettingsJSON returns what settings.json holds for a model that program
// ("partk", "recipe") trained with settings (a struct whose JSON field
// names are its flags'): those fields, "program", and which images the
// validation and held-out sets are. The keys are sorted, so that the same
// settings give the same bytes.
func SettingsJSON(program string, settings any) ([]byte, error) {
	m, err := toMap(settings)
	if err != nil {
		return nil, err
	}
	m["program"] = program
	m["validation"], m["held-out-test"] = validationSet, heldOutTestSet
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

// toMap returns the JSON object of v as a map, numbers kept as they are
// written (json.Number), so that two maps compare exactly.
func toMap(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeMap(raw)
}

func decodeMap(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// ReadSettings reads the settings.json in dir as a map from flag names to
// values (numbers as json.Number). A missing file is an error wrapping
// fs.ErrNotExist.
func ReadSettings(dir string) (map[string]any, error) {
	raw, err := readRegular(filepath.Join(dir, SettingsFile))
	if err != nil {
		return nil, err
	}
	m, err := decodeMap(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, SettingsFile), err)
	}
	return m, nil
}

// SaveModel writes the model, its history and settings.json (SettingsJSON
// of program and settings) into dir; extra, if any, goes into the model
// file beside the weights (an optimiser's state).
//
// settings.json is what says the folder may be reused, so it is removed
// first and written last: a program killed between the renames leaves a
// folder without it, which is trained again, never one whose settings
// describe a model or history it does not hold.
func SaveModel(dir, program string, settings any, model *layers.Sequential, h *train.History, extra []modelfile.StateTensor) error {
	js, err := SettingsJSON(program, settings)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, SettingsFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	c := &modelfile.Checkpoint{Model: model, Extra: extra}
	if err := modelfile.SaveCheckpointFile(filepath.Join(dir, ModelFile), c); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, HistoryFile), h.WriteCSV); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SettingsFile), func(w io.Writer) error {
		_, err := w.Write(js)
		return err
	})
}

// CheckFolders creates every output folder it is given, as pairs of flag
// name and folder ("-out", s.Out, …), and checks that a file can be written
// in it, before any work: a bad -out found after training would throw the
// trained model away. The error names the flag.
func CheckFolders(flagDirs ...string) error {
	for i := 0; i+1 < len(flagDirs); i += 2 {
		flag, dir := flagDirs[i], flagDirs[i+1]
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%s %s: %w", flag, dir, err)
		}
		probe, err := os.CreateTemp(dir, ".write-check*")
		if err != nil {
			return fmt.Errorf("%s %s: cannot write there: %w", flag, dir, err)
		}
		probe.Close()
		os.Remove(probe.Name())
	}
	return nil
}

// CheckModelFolder is CheckFolders for the folder that program is about to
// save a model into, given by flag: before any work, it also refuses a
// folder where the model, history or settings file exists but is not a
// regular file (a folder, say, which the save at the end could not
// replace), and a folder that holds a model another program saved, which
// a program never replaces. A model saved by program itself is replaced:
// running part k again with other flags retrains it.
func CheckModelFolder(flag, dir, program string) error {
	if err := CheckFolders(flag, dir); err != nil {
		return err
	}
	for _, name := range []string{ModelFile, HistoryFile, SettingsFile} {
		path := filepath.Join(dir, name)
		st, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", flag, dir, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s %s: %s is not a regular file (mode %v), so the model could not be saved there: remove it or give %s another folder",
				flag, dir, name, st.Mode(), flag)
		}
	}
	saved, err := ReadSettings(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s %s: %w: remove it or give %s another folder", flag, dir, err, flag)
	}
	if by, _ := saved["program"].(string); by != "" && by != program {
		return fmt.Errorf("%s %s holds a model that %s trained; %s does not replace it: give %s another folder", flag, dir, by, program, flag)
	}
	return nil
}

// errNotTrained is loadModel's error for a folder without settings.json.
var errNotTrained = errors.New("not trained yet")

// Model returns part k's model for the settings s, from s.Model. When that
// folder holds no model yet, it trains one (Train, part k's loop through
// train.Run, which gives the same bits) and saves it there, as part k
// would. When the folder holds a model trained with other settings, or
// anything it cannot read, it refuses, saying which flags differ: it never
// replaces a saved model.
func Model(s *Settings, d *Data, log io.Writer) (*layers.Sequential, *train.History, error) {
	// A save killed in an earlier run left temporary files here; a run that
	// reuses the model saves nothing, so remove them now.
	for _, name := range []string{ModelFile, OldModelFile, HistoryFile, SettingsFile} {
		atomicfile.RemoveStale(filepath.Join(s.Model, name))
	}
	model, h, err := loadModel(s, d.Train.X.Cols(), len(d.TrainSplit.Classes))
	switch {
	case err == nil:
		fmt.Fprintf(log, "reusing the model in %s (same settings)\n", s.Model)
		return model, h, nil
	case !errors.Is(err, errNotTrained):
		return nil, nil, fmt.Errorf("-model %s: %w", s.Model, err)
	}
	fmt.Fprintf(log, "no model in %s yet: training part k's model there\n", s.Model)
	model, h, err = Train(s, d, log)
	if err != nil {
		return nil, nil, err
	}
	return model, h, SaveModel(s.Model, "partk", s, model, h, nil)
}

// LoadPartKModel is the start of parts l to o: it parses part's flags from
// args, loads the data they describe (LoadData), and returns part k's model
// and history (Model). Messages go to log.
func LoadPartKModel(part string, args []string, log io.Writer) (*Settings, *Data, *layers.Sequential, *train.History, error) {
	s, _, err := ParseSettings(part, args, log, nil)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	// Before any work: Model may train and save into -model, and every part
	// but l writes its figures into -out.
	if err := CheckModelFolder("-model", s.Model, "partk"); err != nil {
		return nil, nil, nil, nil, err
	}
	if part != "partl" {
		if err := CheckFolders("-out", s.Out); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	d, err := LoadData(s, log)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	model, h, err := Model(s, d, log)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return s, d, model, h, nil
}

// loadModel loads the model and history in s.Model if part k trained them
// with the settings s, their layer sizes are those s asks for on in inputs
// and classes outputs, and the history is complete (parts l and m read its
// first and last points). A folder without settings.json gives
// errNotTrained.
func loadModel(s *Settings, in, classes int) (*layers.Sequential, *train.History, error) {
	saved, err := ReadSettings(s.Model)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, errNotTrained
	}
	if err != nil {
		return nil, nil, err
	}
	if err := sameSettings(saved, s); err != nil {
		return nil, nil, err
	}
	path := filepath.Join(s.Model, ModelFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		path = filepath.Join(s.Model, OldModelFile) // saved before models were safetensors
	}
	model, err := modelfile.LoadFile(path)
	if err != nil {
		return nil, nil, err
	}
	// settings.json could be out of step with the model after a crash (or
	// a hand-copied file): the sizes must be those the flags ask for.
	want, err := s.Sizes(in, classes)
	if err != nil {
		return nil, nil, err
	}
	if got := linearSizes(model); !slices.Equal(got, want) {
		return nil, nil, fmt.Errorf("%s has layer sizes %v, the flags ask for %v", filepath.Base(path), got, want)
	}
	hraw, err := readRegular(filepath.Join(s.Model, HistoryFile))
	if err != nil {
		return nil, nil, err
	}
	h, err := train.ReadCSV(bytes.NewReader(hraw))
	if err != nil {
		return nil, nil, err
	}
	nt, nv := len(h.Train), len(h.Val)
	switch {
	case nt == 0 || nv == 0:
		return nil, nil, fmt.Errorf("%s holds %d training and %d validation rows", HistoryFile, nt, nv)
	case h.Val[nv-1].Update != h.Train[nt-1].Update:
		return nil, nil, fmt.Errorf("%s ends without the validation of its last update %d", HistoryFile, h.Train[nt-1].Update)
	}
	h.LR = s.LR
	if len(h.Test) == 0 {
		return nil, nil, errors.New("its history has no held-out test result")
	}
	return model, h, nil
}

// sameSettings returns nil if saved (a settings.json) is part k's for s,
// and otherwise an error that names every flag that differs and what to do.
func sameSettings(saved map[string]any, s *Settings) error {
	want, err := SettingsJSON("partk", s)
	if err != nil {
		return err
	}
	w, err := decodeMap(want)
	if err != nil {
		return err
	}
	if by, ok := saved["program"].(string); !ok {
		return errors.New("it holds a model saved by an older version of part k: run part k again (go run ./examples/partk), or give -model another folder")
	} else if by != "partk" {
		return fmt.Errorf("it holds a model that %s trained, not part k's: give -model part k's folder", by)
	}
	var diff []string
	for k, v := range w {
		if fmt.Sprint(saved[k]) != fmt.Sprint(v) {
			diff = append(diff, fmt.Sprintf("-%s %v (here %v)", k, saved[k], v))
		}
	}
	if len(diff) == 0 {
		return nil
	}
	sort.Strings(diff)
	return fmt.Errorf("part k trained the model there with %s; it is not replaced: give -model a folder of its own (one without a model trains it there), or the flags it was trained with",
		strings.Join(diff, ", "))
}

// readRegular reads the file at path, refusing, before opening it, anything
// that is not a regular file: a FIFO would block forever, /dev/zero never
// end.
func readRegular(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (mode %v)", path, st.Mode())
	}
	return os.ReadFile(path)
}

// linearSizes returns the widths a chain of Linear layers maps between:
// the input width of the first, then the output width of each.
func linearSizes(model *layers.Sequential) []int {
	var sizes []int
	for _, l := range model.Layers() {
		if lin, ok := l.(*layers.Linear); ok {
			if len(sizes) == 0 {
				sizes = append(sizes, lin.In())
			}
			sizes = append(sizes, lin.Out())
		}
	}
	return sizes
}
