// Package atomicfile has one job: write a file so that its path holds
// either the old contents or the complete new ones, never half a file, and
// leave no temporary file behind.
//
// Every file this module writes goes through it: models (modelfile), datasets
// downloaded into the cache (data), figures (plot), reports (diagnose), and
// the history.csv and settings.json of the example programs. It is its own
// package, on the bottom floor beside tensor and importing only the standard
// library (and internal/fileutil), because those writers live on every
// floor of the package graph: a helper inside any one of them would have
// plot import modelfile, or modelfile import plot, which the graph forbids. One helper means one behaviour:
// permissions 0644 (a model or a figure is for sharing), fsync before the
// rename, and one naming pattern for temporaries.
//
// The recipe: the bytes go to a temporary file ".<name>.tmp<digits>" in the
// destination's folder (the same file system, so the rename is atomic),
// which is synced to disk and renamed over the destination only when
// complete. On any error the temporary file is removed.
//
// A program killed mid-write (kill -9, power loss) cannot remove its
// temporary file. So Create removes stale ones of the same destination, those
// older than the running process, and RemovePending removes the ones still
// being written, for a program's SIGINT handler (the example programs
// install one).
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/backprop-go/backprop/internal/fileutil"
)

// started is (about) when the process started: a temporary file last
// modified before it belongs to a process that is gone.
var started = time.Now()

// mtimeSlack is how far a file's modification time can lag the clock
// time.Now reads: Linux stamps files from a coarse clock that advances once
// per scheduler tick (up to 10 ms), so a file written just after the
// process started can look older than started. A stale file must be older
// than started by this much; one left by a run that ended less than a
// second before this one started waits for the next run.
const mtimeSlack = time.Second

// pending are the temporary files being written, by name, for RemovePending.
var pending = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// File is a temporary file that becomes the destination on Commit. It is an
// *os.File, so it can be written, and read back, before that.
type File struct {
	*os.File
	path string // the destination
	done bool   // committed or aborted
}

// Create starts writing the file at path: it returns a temporary file in
// path's folder, after removing stale temporaries of path left by earlier
// runs (see RemoveStale). Finish with Commit, or Abort on failure (Abort
// after Commit does nothing, so "defer f.Abort()" is the idiom).
func Create(path string) (*File, error) {
	RemoveStale(path)
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		return nil, err
	}
	pending.Lock()
	pending.names[f.Name()] = true
	pending.Unlock()
	return &File{File: f, path: path}, nil
}

// Commit makes the file readable by all (0644), syncs it to disk, closes it
// and renames it over the destination. On error the temporary file is
// removed and the destination is untouched.
func (f *File) Commit() (err error) {
	if f.done {
		return fmt.Errorf("atomicfile: %s: already committed or aborted", f.path)
	}
	defer func() {
		if err != nil {
			f.Abort()
		}
	}()
	// CreateTemp makes the file private (0600); what we write is for sharing.
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		return err
	}
	f.done = true
	forget(f.Name())
	return nil
}

// Abort closes and removes the temporary file, leaving the destination as
// it was. It does nothing after Commit or a first Abort.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
	forget(f.Name())
}

func forget(name string) {
	pending.Lock()
	delete(pending.names, name)
	pending.Unlock()
}

// Write writes the file at path with write, atomically: through Create,
// then Commit if write succeeds, Abort if not.
func Write(path string, write func(w io.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	return f.Commit()
}

// RemovePending removes the temporary files of every File not yet
// committed or aborted. It is meant for a signal handler that is about to
// end the program; files being written meanwhile are not waited for.
func RemovePending() {
	pending.Lock()
	defer pending.Unlock()
	for name := range pending.names {
		os.Remove(name)
		delete(pending.names, name)
	}
}

// RemoveStale removes the temporary files of path that an earlier run left
// behind: those named like this package's (".<name>.tmp<digits>") or like
// the module's older ones ("<name>.<digits>.tmp"), last modified before the
// running process started (by a second at least, see mtimeSlack), so that a
// temporary file another program is writing right now is left alone. It
// returns how many it removed.
func RemoveStale(path string) int {
	dir, base := filepath.Dir(path), filepath.Base(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	removed := 0
	for _, e := range entries {
		if !isTemp(e.Name(), base) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(started.Add(-mtimeSlack)) {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}

// tempPrefix is the start of the temporary files' names for path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// isTemp reports whether name is a temporary file of base: ".<base>.tmp"
// or "<base>." followed by digits and ".tmp".
func isTemp(name, base string) bool {
	if rest, ok := strings.CutPrefix(name, "."+base+".tmp"); ok {
		return allDigits(rest)
	}
	if rest, ok := strings.CutPrefix(name, base+"."); ok {
		if digits, ok := strings.CutSuffix(rest, ".tmp"); ok {
			return allDigits(digits)
		}
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// CheckFolder prepares dir for files that a program will write there
// later, and fails now if it could not, before any work is done whose
// result would then be lost. It creates dir if needed, checks that a file
// can be created in it (through Create, as the real writes will), and for
// each name in files checks that dir/name is absent or a regular file: a
// folder or a FIFO in its place would make the final rename fail. It also
// removes stale temporaries of each name (RemoveStale), so list the names
// of older formats too (a model folder's "model.bin" beside
// "model.safetensors"), whose temporaries no write removes any more.
func CheckFolder(dir string, files ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	probe, err := Create(filepath.Join(dir, ".write-check"))
	if err != nil {
		return fmt.Errorf("atomicfile: cannot write in %s: %w", dir, err)
	}
	probe.Abort()
	for _, name := range files {
		path := filepath.Join(dir, name)
		RemoveStale(path)
		st, err := os.Lstat(path)
		switch {
		case err == nil && st.Mode().IsRegular():
		case err == nil && st.Mode()&os.ModeSymlink != 0:
			// Rename replaces the link itself, whatever it points to.
		case err == nil:
			return fmt.Errorf("atomicfile: %s is %s, so the file cannot be saved there", path, fileutil.Kind(st.Mode()))
		case !os.IsNotExist(err):
			return fmt.Errorf("atomicfile: %w", err)
		}
	}
	return nil
}
