package data

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLookupAliases(t *testing.T) {
	for name, want := range map[string]*spec{
		"fashion-mnist": fashionMNIST, "fashion": fashionMNIST, "fashionmnist": fashionMNIST,
		"FashionMNIST": fashionMNIST, "fashion_mnist": fashionMNIST, "mnist": mnist, "MNIST": mnist,
	} {
		if s, err := lookup(name); err != nil || s != want {
			t.Errorf("lookup(%q) = %v, %v", name, s, err)
		}
	}
	if _, err := Load("cifar10", true, Options{}); err == nil || !strings.Contains(err.Error(), "unknown dataset") {
		t.Errorf("Load(cifar10): %v", err)
	}
}

// checkSynth checks that d is split train of the synthetic dataset s.
func checkSynth(t *testing.T, d *Dataset, s synth, train bool) {
	t.Helper()
	prefix := "t10k"
	if train {
		prefix = "train"
	}
	img := s[prefix+"-images-idx3-ubyte"]
	lab := s[prefix+"-labels-idx1-ubyte"]
	if d.Rows != 4 || d.Cols != 3 || d.N != len(lab)-8 || d.Train != train {
		t.Fatalf("got N=%d %d×%d train=%v", d.N, d.Rows, d.Cols, d.Train)
	}
	if !bytes.Equal(d.Images, img[16:]) || !bytes.Equal(d.Labels, lab[8:]) {
		t.Fatalf("images or labels differ from the files")
	}
}

func TestLoadLayouts(t *testing.T) {
	s := newSynth(30, 0)
	for _, c := range []struct{ sub, name string }{
		{"fashion-mnist", "fashion"},
		{"FashionMNIST/raw", "fashion-mnist"},
		{"", "fashionmnist"}, // files straight in the root
		{"mnist", "mnist"},
		{"MNIST/raw", "mnist"},
		{"", "mnist"},
	} {
		for _, compressed := range []bool{true, false} {
			opts := isolate(t, s, s)
			opts.Root = t.TempDir()
			dir := filepath.Join(opts.Root, c.sub)
			s.write(t, dir, compressed)
			for _, train := range []bool{true, false} {
				d, err := Load(c.name, train, opts)
				if err != nil {
					t.Fatalf("%s in %q (gzip %v): %v", c.name, c.sub, compressed, err)
				}
				checkSynth(t, d, s, train)
				if d.Source != filepath.Clean(dir) {
					t.Errorf("Source %q, want %q", d.Source, dir)
				}
			}
		}
	}
}

func TestLoadSearchOrder(t *testing.T) {
	s := newSynth(20, 0)
	opts := isolate(t, s, nil)
	root, env, sys := t.TempDir(), t.TempDir(), t.TempDir()
	cwd, _ := os.Getwd()
	opts.over.system = []string{sys}
	t.Setenv(EnvData, env)
	s.write(t, filepath.Join(sys), true)
	s.write(t, filepath.Join(cwd, "data", "FashionMNIST", "raw"), false)
	s.write(t, filepath.Join(env, "fashion-mnist"), true)
	s.write(t, filepath.Join(root, "fashion-mnist"), false)

	// Remove the copies one by one, from the first place searched on.
	for _, want := range []string{
		filepath.Join(root, "fashion-mnist"),
		filepath.Join(env, "fashion-mnist"),
		filepath.Join("data", "FashionMNIST", "raw"),
		sys,
	} {
		opts.Root = root
		d, err := Load("fashion", true, opts)
		if err != nil {
			t.Fatal(err)
		}
		if d.Source != want {
			t.Fatalf("loaded from %q, want %q", d.Source, want)
		}
		if !filepath.IsAbs(want) {
			want = filepath.Join(cwd, want)
		}
		if err := os.RemoveAll(want); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load("fashion", true, opts); !errors.Is(err, ErrNotFound) {
		t.Fatalf("with every copy gone: %v", err)
	}
}

// Files straight in a root have the same names for both datasets: only
// their checksums say which is which.
func TestLoadFlatRootTellsDatasetsApart(t *testing.T) {
	fashion, digits := newSynth(20, 0), newSynth(20, 100)
	opts := isolate(t, fashion, digits)
	opts.Root = t.TempDir()
	digits.write(t, opts.Root, true)

	if d, err := Load("mnist", true, opts); err != nil {
		t.Fatal(err)
	} else {
		checkSynth(t, d, digits, true)
	}
	_, err := Load("fashion-mnist", true, opts)
	var ce *ChecksumError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &ce) {
		t.Fatalf("loading FashionMNIST from MNIST files: %v", err)
	}
	if ce.Algorithm != "SHA-256" || !strings.HasSuffix(ce.File, "train-images-idx3-ubyte.gz") ||
		ce.Want != fashion.sums("fashion-mnist")["fashion-mnist/train-images-idx3-ubyte"].sha256 ||
		ce.Got != sha256Hex(digits["train-images-idx3-ubyte"]) {
		t.Errorf("checksum error %+v", ce)
	}

	// With a valid copy further down the search, that one is used, and the
	// rejected one is reported on Progress.
	t.Setenv(EnvData, t.TempDir())
	fashion.write(t, filepath.Join(os.Getenv(EnvData), "fashion-mnist"), true)
	var log bytes.Buffer
	opts.Progress = &log
	d, err := Load("fashion-mnist", true, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkSynth(t, d, fashion, true)
	if !strings.Contains(log.String(), "skipped") || !strings.Contains(log.String(), "SHA-256") {
		t.Errorf("progress log %q does not report the skipped copy", log.String())
	}
}

func TestChecksumErrorNamesKnownFile(t *testing.T) {
	err := &ChecksumError{File: "x/train-images-idx3-ubyte.gz", Algorithm: "SHA-256",
		Want: fashionMNIST.train[0].sha256, Got: mnist.train[0].sha256}
	msg := err.Error()
	for _, want := range []string{"x/train-images-idx3-ubyte.gz", err.Want, err.Got, "that is mnist train-images-idx3-ubyte"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}

func TestLoadNotFoundSaysWhereAndHow(t *testing.T) {
	opts := isolate(t, nil, nil)
	opts.Root = filepath.Join(t.TempDir(), "nowhere")
	env := t.TempDir()
	t.Setenv(EnvData, env)
	opts.over.system = fashionMNIST.system // the real Debian folder, to see it named
	if _, err := os.Stat(fashionMNIST.system[0]); err == nil {
		t.Skip("the Debian package is installed here, so the dataset is found")
	}
	_, err := Load("fashion-mnist", false, opts)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	msg := err.Error()
	for _, want := range []string{
		filepath.Join(opts.Root, "fashion-mnist"),
		filepath.Join(opts.Root, "FashionMNIST", "raw"),
		filepath.Join(env, "fashion-mnist"),
		filepath.Join("data", "fashion-mnist"),
		"/usr/share/datasets/fashion-mnist",
		"t10k-images-idx3-ubyte",
		"Download: true",
		EnvData,
		"apt-get install dataset-fashion-mnist",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	opts.over.system = nil // as for MNIST, which no package installs
	if _, err := Load("mnist", false, opts); err == nil || strings.Contains(err.Error(), "apt-get") {
		t.Errorf("MNIST has no Debian package, yet: %v", err)
	}
}

func TestLoadPrefersValidCopy(t *testing.T) {
	s := newSynth(20, 0)
	opts := isolate(t, s, nil)
	opts.Root = t.TempDir()
	dir := filepath.Join(opts.Root, "fashion-mnist")
	s.write(t, dir, true)
	// A damaged uncompressed copy beside the good .gz: the .gz is used.
	bad := slices.Clone(s["train-images-idx3-ubyte"])
	bad[20]++
	os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), bad, 0o644)
	d, err := Load("fashion", true, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkSynth(t, d, s, true)
}

func TestLoadRejectsBadFiles(t *testing.T) {
	base := newSynth(20, 0)
	for _, c := range []struct {
		name   string
		change func(s synth)
		gz     bool
		want   string
	}{
		{"counts disagree", func(s synth) {
			s["train-labels-idx1-ubyte"] = idxBytes([]int{19}, s["train-labels-idx1-ubyte"][8:27])
		}, true, "20 images but 19 labels"},
		{"label out of range", func(s synth) {
			lab := slices.Clone(s["train-labels-idx1-ubyte"])
			lab[8+5] = 10
			s["train-labels-idx1-ubyte"] = lab
		}, false, "label 10 of image 5 out of range [0, 10)"},
		{"images not 3-D", func(s synth) {
			s["train-images-idx3-ubyte"] = idxBytes([]int{20, 12}, s["train-images-idx3-ubyte"][16:])
		}, true, "image file has dimensions [20 12]"},
		{"truncated", func(s synth) {
			s["train-images-idx3-ubyte"] = s["train-images-idx3-ubyte"][:100]
		}, false, "truncated"},
	} {
		s := synth{}
		for k, v := range base {
			s[k] = v
		}
		c.change(s)
		opts := isolate(t, s, nil) // checksums of the broken files: only the structure is wrong
		opts.Root = t.TempDir()
		s.write(t, filepath.Join(opts.Root, "fashion-mnist"), c.gz)
		_, err := Load("fashion", true, opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}

	// A file called .gz that is not compressed.
	opts := isolate(t, base, nil)
	opts.Root = t.TempDir()
	base.write(t, opts.Root, false)
	for name := range base {
		os.Rename(filepath.Join(opts.Root, name), filepath.Join(opts.Root, name+".gz"))
	}
	if _, err := Load("fashion", true, opts); err == nil || !strings.Contains(err.Error(), "not gzip-compressed") {
		t.Errorf("raw file named .gz: %v", err)
	}
}

// A data file that is there but unusable (a symlink loop, a dangling link,
// a folder, a FIFO) is reported with what is wrong with it, not as missing
// (issue #9, case 18).
func TestLoadSaysWhyAFileIsUnusable(t *testing.T) {
	s := newSynth(20, 0)
	for _, c := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"symlink loop", func(p string) error { return os.Symlink(p, p) }, "too many levels of symbolic links"},
		{"dangling link", func(p string) error { return os.Symlink(p+".gone", p) }, "dangling symbolic link"},
		{"folder", func(p string) error { return os.Mkdir(p, 0o755) }, "is a folder"},
		{"fifo", mkfifo, "is a FIFO"},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := isolate(t, s, nil)
			opts.Root = t.TempDir()
			dir := filepath.Join(opts.Root, "fashion-mnist")
			s.write(t, dir, true)
			p := filepath.Join(dir, "t10k-images-idx3-ubyte.gz")
			os.Remove(p)
			if err := c.make(p); err != nil {
				t.Skip(err)
			}
			done := make(chan error, 1)
			go func() { _, err := Load("fashion", false, opts); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
					t.Errorf("got %v, want an error naming %s and saying %q", err, p, c.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Load still running after 10 s")
			}
		})
	}
}

// The same for the folder a dataset should be in.
func TestLoadSaysWhyAFolderIsUnusable(t *testing.T) {
	s := newSynth(20, 0)
	opts := isolate(t, s, nil)
	opts.Root = t.TempDir()
	loop := filepath.Join(opts.Root, "fashion-mnist")
	if err := os.Symlink(loop, loop); err != nil {
		t.Skip(err)
	}
	file := filepath.Join(opts.Root, "FashionMNIST", "raw")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load("fashion", false, opts)
	if err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") ||
		!strings.Contains(err.Error(), "is a regular file, not a folder") {
		t.Errorf("got %v, want the symlink loop and the file named", err)
	}
}

// An unreadable folder is reported with its permission error (issue #9,
// case 18). Root reads everything, so the test needs another user.
func TestLoadSaysFolderIsUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read any folder")
	}
	s := newSynth(20, 0)
	opts := isolate(t, s, nil)
	opts.Root = t.TempDir()
	dir := filepath.Join(opts.Root, "fashion-mnist")
	s.write(t, dir, true)
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	_, err := Load("fashion", false, opts)
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("got %v, want the permission error", err)
	}
}
