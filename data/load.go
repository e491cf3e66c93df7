package data

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backprop-go/backprop/atomicfile"
	"github.com/backprop-go/backprop/internal/fileutil"
)

// EnvData is the environment variable naming a data root folder, searched
// after Options.Root and before ./data and the user cache folder.
const EnvData = "BACKPROP_DATA"

// ErrNotFound is wrapped by the error Load returns when no valid copy of the
// dataset was found and downloading was not allowed.
var ErrNotFound = errors.New("dataset not found")

// Options says where Load looks for a dataset and whether it may download it.
// The zero value searches the usual places and never touches the network.
type Options struct {
	// Root is a data root folder searched before all others. When set it is
	// also where downloads go.
	Root string
	// Download allows fetching the files from the official mirrors when no
	// valid copy is found, like torchvision's download=True.
	Download bool
	// Progress receives download progress (nil: silent). On a terminal it
	// is a one-line bar with an ETA, redrawn in place; otherwise a few
	// plain lines.
	Progress io.Writer
	// Mirrors replaces the official download base URLs; each is tried in
	// order, fetching <mirror>/<file>.gz.
	Mirrors []string
	// HTTPClient is used for downloads (nil: http.DefaultClient).
	HTTPClient *http.Client
	// IdleTimeout abandons a download that receives no data for this long
	// (0: 30 seconds), so a stalled server cannot hang Load.
	IdleTimeout time.Duration
	// Timeout abandons a download that has not finished this long after it
	// started (0: 10 minutes, enough for the largest file at 50 kB/s), so a
	// server trickling bytes just fast enough to keep IdleTimeout quiet
	// cannot hang Load either. It covers all files of one split.
	Timeout time.Duration

	over *overrides // tests only: see overrides
}

// overrides lets this package's tests run the search and download code on
// small synthetic files, which the real checksums would reject.
type overrides struct {
	sums   map[string]fileSpec // by "<dataset>/<file name>"
	system []string            // replaces spec.system
	cache  string              // replaces the user cache folder
}

// ChecksumError reports a file whose contents are not the expected ones.
type ChecksumError struct {
	File      string // path or URL
	Algorithm string // "SHA-256" of the decompressed file, or "MD5" of a downloaded .gz
	Want, Got string // hex digests
}

// Error says which file failed which check, with both sums.
func (e *ChecksumError) Error() string {
	what := "SHA-256 of the decompressed file"
	if e.Algorithm != "SHA-256" {
		what = e.Algorithm + " of the download"
	}
	msg := fmt.Sprintf("data: %s: %s is %s, want %s", e.File, what, e.Got, e.Want)
	if k := knownFile(e.Got); k != "" {
		msg += " (that is " + k + ")"
	}
	return msg
}

// FashionMNIST loads Zalando's Fashion-MNIST: 28×28 grey images of 10
// kinds of clothing, 60,000 for training and 10,000 for testing.
func FashionMNIST(train bool, opts Options) (*Dataset, error) {
	return Load("fashion-mnist", train, opts)
}

// MNIST loads LeCun's MNIST handwritten digits: 28×28 grey images of the
// digits 0 to 9, 60,000 for training and 10,000 for testing.
func MNIST(train bool, opts Options) (*Dataset, error) {
	return Load("mnist", train, opts)
}

// Load reads the training (train=true) or test split of the named dataset,
// "fashion-mnist" (also "fashion", "fashionmnist") or "mnist". It searches
// the folders listed in the package documentation, uses the first one
// holding a valid copy, and, if none does and opts.Download is set,
// downloads the files. Every file is checked against its known SHA-256.
func Load(name string, train bool, opts Options) (*Dataset, error) {
	s, err := lookup(name)
	if err != nil {
		return nil, err
	}
	files := s.files(train, &opts)
	// Downloads killed in an earlier run left their temporary files in the
	// cache folder; remove them now, even if nothing is downloaded this time.
	for _, f := range files {
		atomicfile.RemoveStale(filepath.Join(cacheRoot(&opts), s.name, f.name+".gz"))
	}
	var looked []string
	var rejected []error
	for _, p := range s.places(&opts) {
		d, err := s.loadDir(p.dir, train, files)
		if err == nil {
			for _, e := range rejected {
				note(opts.Progress, "data: skipped a copy that failed its checks: %v", e)
			}
			return d, nil
		}
		looked = append(looked, fmt.Sprintf("  %s (%s): %v", p.dir, p.why, err))
		if _, missing := err.(missingError); !missing {
			rejected = append(rejected, err)
		}
	}
	if !opts.Download {
		return nil, s.notFound(train, &opts, looked, rejected, nil)
	}
	d, err := s.download(train, files, &opts)
	if err != nil {
		// Say why the download failed, and also where the data could
		// have been found instead.
		return nil, s.notFound(train, &opts, looked, rejected, err)
	}
	return d, nil
}

// missingError says a folder does not hold the files at all, as opposed
// to holding files that fail their checks.
type missingError string

func (e missingError) Error() string { return string(e) }

// place is a folder Load looks in and why it looks there.
type place struct{ dir, why string }

// places lists the folders to search, in order, without repeats.
func (s *spec) places(o *Options) []place {
	var roots []place
	if o.Root != "" {
		roots = append(roots, place{o.Root, "Options.Root"})
	}
	if env := os.Getenv(EnvData); env != "" {
		roots = append(roots, place{env, "$" + EnvData})
	}
	roots = append(roots, place{"data", "./data"}, place{userCache(o), "the user cache folder"})

	var ps []place
	seen := map[string]bool{}
	add := func(dir, why string) {
		key, err := filepath.Abs(dir)
		if err != nil {
			key = filepath.Clean(dir)
		}
		if !seen[key] {
			seen[key] = true
			ps = append(ps, place{filepath.Clean(dir), why})
		}
	}
	for _, r := range roots {
		add(filepath.Join(r.dir, s.name), r.why)
		add(filepath.Join(r.dir, s.torch, "raw"), r.why+", torchvision layout")
		// Files straight in the root could be either dataset (the names are
		// the same); the SHA-256 check tells them apart.
		add(r.dir, r.why)
	}
	for _, dir := range s.systemDirs(o) {
		add(dir, "Debian package "+s.debian)
	}
	return ps
}

// systemDirs returns the folders a distribution package installs the
// dataset in.
func (s *spec) systemDirs(o *Options) []string {
	if o.over != nil {
		return o.over.system
	}
	return s.system
}

// cacheRoot is where downloads go: Root if set, else $BACKPROP_DATA, else
// the user cache folder. The files land in its <dataset name> subfolder.
func cacheRoot(o *Options) string {
	if o.Root != "" {
		return o.Root
	}
	if env := os.Getenv(EnvData); env != "" {
		return env
	}
	return userCache(o)
}

// userCache is the user's cache folder for this module,
// os.UserCacheDir()/backprop (~/.cache/backprop on Linux,
// ~/Library/Caches/backprop on macOS, %LocalAppData%\backprop on Windows),
// or backprop in the temporary folder on a system that names no cache
// folder.
func userCache(o *Options) string {
	if o.over != nil && o.over.cache != "" {
		return o.over.cache
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "backprop")
	}
	return filepath.Join(os.TempDir(), "backprop")
}

// loadDir loads a split from the files in dir, or explains why it cannot.
func (s *spec) loadDir(dir string, train bool, files [2]fileSpec) (*Dataset, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		switch {
		case err == nil:
			return nil, missingError("is " + fileutil.Kind(st.Mode()) + ", not a folder")
		case !errors.Is(err, fs.ErrNotExist):
			return nil, missingError(err.Error()) // a symlink loop, no permission, …
		}
		return nil, missingError("no such folder")
	}
	var paths [2][]string
	var absent, unusable []string
	for i, f := range files {
		var why []string
		paths[i], why = existing(dir, f.name)
		if len(paths[i]) == 0 {
			absent = append(absent, f.name+"[.gz]")
			unusable = append(unusable, why...)
		}
	}
	if len(absent) > 0 {
		msg := "no " + strings.Join(absent, " or ")
		if len(unusable) > 0 {
			msg += " (" + strings.Join(unusable, "; ") + ")"
		}
		return nil, missingError(msg)
	}
	images, err := readFirstValid(paths[0], files[0])
	if err != nil {
		return nil, err
	}
	labels, err := readFirstValid(paths[1], files[1])
	if err != nil {
		return nil, err
	}
	return newDataset(s, train, images, labels, dir)
}

// existing returns the paths of name in dir that exist as regular files,
// the uncompressed file first since it is faster to read. For each path
// that is there but cannot be used (a folder, a FIFO, a symlink loop, a
// dangling link, an unreadable folder) it says why, so the caller does not
// report it as simply missing.
func existing(dir, name string) (paths, unusable []string) {
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		st, err := os.Stat(p)
		switch {
		case err == nil && st.Mode().IsRegular():
			paths = append(paths, p)
		case err == nil:
			unusable = append(unusable, p+" is "+fileutil.Kind(st.Mode()))
		case errors.Is(err, fs.ErrNotExist):
			if target, lerr := os.Readlink(p); lerr == nil {
				unusable = append(unusable, fmt.Sprintf("%s is a dangling symbolic link to %s", p, target))
			}
			// else: simply absent, which the caller reports
		default:
			unusable = append(unusable, err.Error()) // names the path and the reason
		}
	}
	return paths, unusable
}

// readFirstValid reads the first of paths that passes its checks, or
// returns the first path's error (a missingError if there is no path).
func readFirstValid(paths []string, f fileSpec) (*idx, error) {
	first := error(missingError("no " + f.name + "[.gz]"))
	if len(paths) > 0 {
		first = nil
	}
	for _, p := range paths {
		m, err := readVerified(p, f)
		if err == nil {
			return m, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// readVerified decodes one IDX file and checks its SHA-256.
func readVerified(path string, f fileSpec) (*idx, error) {
	fh, err := fileutil.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	m, sum, err := decodeIDX(fh, st.Size(), path)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	if sum != f.sha256 {
		return nil, &ChecksumError{File: path, Algorithm: "SHA-256", Want: f.sha256, Got: sum}
	}
	return m, nil
}

// notFound builds the error listing every place looked and how to get the
// data. downloadErr is the failed download's error, if one was tried.
func (s *spec) notFound(train bool, o *Options, looked []string, rejected []error, downloadErr error) error {
	split := "test"
	if train {
		split = "train"
	}
	files := s.files(train, o)
	var b strings.Builder
	fmt.Fprintf(&b, "data: no valid copy of the %s %s split (%s[.gz], %s[.gz]). Looked in:\n",
		s.name, split, files[0].name, files[1].name)
	for _, l := range looked {
		b.WriteString(l + "\n")
	}
	b.WriteString("To get it:\n")
	if downloadErr == nil {
		fmt.Fprintf(&b, "  - pass data.Options{Download: true} (the examples: -download) to download it into %s\n",
			filepath.Join(cacheRoot(o), s.name))
	} else {
		fmt.Fprintf(&b, "  - the download into %s failed: %v\n  - so copy the files there by hand, from a machine that can reach the mirrors\n",
			filepath.Join(cacheRoot(o), s.name), strings.ReplaceAll(downloadErr.Error(), "\n", "\n      "))
	}
	fmt.Fprintf(&b, "  - or set %s to a folder holding %s/ with the four files", EnvData, s.name)
	for _, dir := range s.systemDirs(o) {
		fmt.Fprintf(&b, "\n  - or apt-get install %s, which puts them in %s", s.debian, dir)
	}
	errs := append([]error{ErrNotFound}, rejected...)
	if downloadErr != nil {
		errs = append(errs, downloadErr)
	}
	return &notFoundError{msg: b.String(), errs: errs}
}

// notFoundError carries the long explanation and unwraps to ErrNotFound
// and to each copy's own failure (for errors.Is and errors.As).
type notFoundError struct {
	msg  string
	errs []error
}

func (e *notFoundError) Error() string   { return e.msg }
func (e *notFoundError) Unwrap() []error { return e.errs }

// note writes one line of progress information, if anyone listens.
func note(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
