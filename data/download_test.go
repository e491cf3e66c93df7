package data

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// mirror is a fake download server. It serves the gzip files of a synthetic
// dataset, or misbehaves as told, and counts requests.
type mirror struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

// newMirror starts a server whose handler gets the requested file's gzip
// bytes (nil if unknown).
func newMirror(t *testing.T, s synth, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *mirror {
	m := &mirror{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.requests = append(m.requests, path.Base(r.URL.Path))
		m.mu.Unlock()
		raw, ok := s[strings.TrimSuffix(path.Base(r.URL.Path), ".gz")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		handle(w, r, gzipBytes(raw))
	}))
	t.Cleanup(m.Close)
	return m
}

func serve(w http.ResponseWriter, r *http.Request, body []byte) { w.Write(body) }

func (m *mirror) got() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.requests)
}

func TestDownload(t *testing.T) {
	s := newSynth(40, 0)
	srv := newMirror(t, s, serve)
	opts := isolate(t, s, nil)
	opts.Root = t.TempDir()
	opts.Download = true
	opts.Mirrors = []string{srv.URL + "/files/"}
	var log bytes.Buffer
	opts.Progress = &log

	d, err := Load("fashion", true, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkSynth(t, d, s, true)
	if d.Source != opts.Mirrors[0] {
		t.Errorf("Source %q, want the mirror", d.Source)
	}
	want := []string{"fashion-mnist/train-images-idx3-ubyte.gz", "fashion-mnist/train-labels-idx1-ubyte.gz"}
	if got := files(t, opts.Root); !slices.Equal(got, want) {
		t.Errorf("files after download: %v, want %v", got, want)
	}
	if !strings.Contains(log.String(), "downloading "+srv.URL+"/files/train-images-idx3-ubyte.gz") ||
		!strings.Contains(log.String(), "train-labels-idx1-ubyte.gz: done") {
		t.Errorf("progress log:\n%s", log.String())
	}

	// The second time, the files are on disk: no request.
	n := len(srv.got())
	d, err = Load("fashion", true, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkSynth(t, d, s, true)
	if len(srv.got()) != n || d.Source != filepath.Join(opts.Root, "fashion-mnist") {
		t.Errorf("second load asked the server again or came from %q", d.Source)
	}
}

// The cache folder defaults to $BACKPROP_DATA, then the user cache folder,
// never ./data (in a clone, the data package's source folder); a second
// load finds what the first downloaded there.
func TestDownloadCacheRoot(t *testing.T) {
	s := newSynth(20, 0)
	srv := newMirror(t, s, serve)
	opts := isolate(t, nil, s)
	opts.Download = true
	opts.Mirrors = []string{srv.URL}
	if _, err := Load("mnist", false, opts); err != nil {
		t.Fatal(err)
	}
	if got := files(t, opts.over.cache); len(got) != 2 || !strings.HasPrefix(got[0], "mnist/t10k") {
		t.Errorf("the user cache folder holds %v", got)
	}
	if got := files(t, "data"); len(got) != 0 {
		t.Errorf("./data holds %v", got)
	}
	n := len(srv.got())
	if d, err := Load("mnist", false, Options{over: opts.over}); err != nil || d.Source != filepath.Join(opts.over.cache, "mnist") || len(srv.got()) != n {
		t.Errorf("second load without Download: %v, from %v, %d requests (want none)", err, d, len(srv.got())-n)
	}
	env := t.TempDir()
	t.Setenv(EnvData, env)
	if _, err := Load("mnist", true, opts); err != nil {
		t.Fatal(err)
	}
	if got := files(t, env); len(got) != 2 || !strings.HasPrefix(got[0], "mnist/train") {
		t.Errorf("$%s holds %v", EnvData, got)
	}
}

// Only what is missing or broken is fetched.
func TestDownloadOnlyWhatIsMissing(t *testing.T) {
	s := newSynth(20, 0)
	srv := newMirror(t, s, serve)
	opts := isolate(t, s, nil)
	opts.Root = t.TempDir()
	opts.Download = true
	opts.Mirrors = []string{srv.URL}
	dir := filepath.Join(opts.Root, "fashion-mnist")
	s.write(t, dir, true)
	os.Remove(filepath.Join(dir, "train-labels-idx1-ubyte.gz"))
	os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), gzipBytes([]byte("junk")), 0o644)

	for _, train := range []bool{true, false} {
		d, err := Load("fashion", train, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkSynth(t, d, s, train)
	}
	if got, want := srv.got(), []string{"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"}; !slices.Equal(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}
}

func TestDownloadNextMirror(t *testing.T) {
	s := newSynth(20, 0)
	broken := newMirror(t, s, func(w http.ResponseWriter, r *http.Request, body []byte) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	good := newMirror(t, s, serve)
	opts := isolate(t, s, nil)
	opts.Root = t.TempDir()
	opts.Download = true
	opts.Mirrors = []string{broken.URL, good.URL}
	var log bytes.Buffer
	opts.Progress = &log
	d, err := Load("fashion", true, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkSynth(t, d, s, true)
	if d.Source != good.URL {
		t.Errorf("Source %q, want %q", d.Source, good.URL)
	}
	if len(broken.got()) != 2 || len(good.got()) != 2 || !strings.Contains(log.String(), "500 Internal Server Error") {
		t.Errorf("requests: broken %v, good %v; log:\n%s", broken.got(), good.got(), log.String())
	}
	if got := files(t, opts.Root); len(got) != 2 {
		t.Errorf("files %v", got)
	}
}

// Each way a download can fail must leave nothing behind, and say why.
func TestDownloadFailuresLeaveNothing(t *testing.T) {
	s := newSynth(200, 0)
	other := newSynth(200, 1)
	for _, c := range []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request, body []byte)
		want   string
	}{
		{"not found", func(w http.ResponseWriter, r *http.Request, body []byte) {
			http.NotFound(w, r)
		}, "404 Not Found"},
		{"corrupted body", func(w http.ResponseWriter, r *http.Request, body []byte) {
			body = slices.Clone(body)
			body[len(body)/2] ^= 0x55
			w.Write(body)
		}, "MD5 of the download is"},
		{"valid gzip of other data", func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.Write(gzipBytes(other[strings.TrimSuffix(path.Base(r.URL.Path), ".gz")])[:len(body)])
		}, "MD5 of the download is"},
		{"valid gzip of other data, longer", func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.Write(append(gzipBytes(other[strings.TrimSuffix(path.Base(r.URL.Path), ".gz")]), make([]byte, 10)...))
		}, "more than the expected"},
		{"connection dropped midway", func(w http.ResponseWriter, r *http.Request, body []byte) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body))
			buf.Write(body[:len(body)/2])
			buf.Flush()
			conn.Close()
		}, "unexpected EOF"},
		{"stalled server", func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			select { // until the client gives up
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, "stalled: no data for 200ms"},
		// Issue #9, case 2: a body that never ends stops at the expected
		// size instead of filling the disk ...
		{"endless body", func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.Write(body)
			junk := make([]byte, 64<<10)
			for r.Context().Err() == nil {
				if _, err := w.Write(junk); err != nil {
					return
				}
			}
		}, "more than the expected"},
		{"endless body, announced", func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.Header().Set("Content-Length", "1099511627776")
			w.Write(body)
		}, "announces 1099511627776 bytes, more than the expected"},
		// ... and a server trickling a byte every 50 ms, which keeps the idle
		// watchdog quiet, meets the overall deadline.
		{"trickle", func(w http.ResponseWriter, r *http.Request, body []byte) {
			for i := range body {
				if _, err := w.Write(body[i : i+1]); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}, "not finished after 700ms (Options.Timeout)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newMirror(t, s, c.handle)
			opts := isolate(t, s, nil)
			opts.Root = t.TempDir()
			opts.Download = true
			opts.Mirrors = []string{srv.URL}
			opts.IdleTimeout = 200 * time.Millisecond
			opts.Timeout = 700 * time.Millisecond
			start := time.Now()
			_, err := Load("fashion", true, opts)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Load took %v", d)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) ||
				!strings.Contains(err.Error(), srv.URL+"/train-images-idx3-ubyte.gz") {
				t.Errorf("got %v, want an error naming the URL and containing %q", err, c.want)
			}
			// The error also says where else the data could have been.
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "Looked in:") {
				t.Errorf("a failed download does not list the places looked: %v", err)
			}
			if got := files(t, opts.Root); len(got) != 0 {
				t.Errorf("left behind: %v", got)
			}
			if _, err := os.Stat(filepath.Join(opts.Root, "fashion-mnist")); !os.IsNotExist(err) {
				t.Errorf("the empty cache folder was left behind (stat: %v)", err)
			}
		})
	}
}

// With the right MD5 but the wrong contents (as if the checksum table were
// out of date), the SHA-256 check still refuses the file.
func TestDownloadSHA256Mismatch(t *testing.T) {
	s := newSynth(20, 0)
	srv := newMirror(t, s, serve)
	opts := isolate(t, s, nil)
	f := opts.over.sums["fashion-mnist/train-images-idx3-ubyte"]
	f.sha256 = strings.Repeat("0", 64)
	opts.over.sums["fashion-mnist/train-images-idx3-ubyte"] = f
	opts.Root = t.TempDir()
	opts.Download = true
	opts.Mirrors = []string{srv.URL}
	_, err := Load("fashion", true, opts)
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Algorithm != "SHA-256" || ce.Want != f.sha256 ||
		ce.Got != sha256Hex(s["train-images-idx3-ubyte"]) {
		t.Fatalf("got %v", err)
	}
	if got := files(t, opts.Root); len(got) != 0 {
		t.Errorf("left behind: %v", got)
	}
}

func TestProgressPlainLines(t *testing.T) {
	var b bytes.Buffer
	p := newDownloadBar(&b, "http://h/x.gz", 1000)
	for range 10 {
		p.Write(make([]byte, 100))
	}
	p.finish(true)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// The header, a line at each tenth from 10% to 100%, and the end.
	if len(lines) != 12 || lines[0] != "data: downloading http://h/x.gz (0.0 MB)" {
		t.Fatalf("got %q", b.String())
	}
	if !strings.HasPrefix(lines[5], "data: x.gz  50%  0.0/0.0 MB") {
		t.Errorf("half-way line %q", lines[5])
	}
	if !strings.HasPrefix(lines[11], "data: x.gz: done in ") || !strings.HasSuffix(lines[11], "0.0 MB") {
		t.Errorf("last line %q", lines[11])
	}
}

func TestProgressUnknownSize(t *testing.T) {
	var b bytes.Buffer
	p := newDownloadBar(&b, "http://h/x.gz", -1)
	p.Write(make([]byte, 3e6))
	p.finish(true)
	want := "data: downloading http://h/x.gz (size unknown)\ndata: x.gz: done in "
	if !strings.HasPrefix(b.String(), want) || !strings.HasSuffix(b.String(), "  3.0 MB\n") {
		t.Errorf("got %q", b.String())
	}
}

// Temporary files of downloads killed in an earlier run (older than this
// process) are removed from the cache folder by the next Load, even when it
// finds the data and downloads nothing (issue #9, case 16).
func TestLoadRemovesStaleDownloads(t *testing.T) {
	s := newSynth(20, 0)
	opts := isolate(t, s, nil)
	opts.Root = t.TempDir()
	dir := filepath.Join(opts.Root, "fashion-mnist")
	s.write(t, dir, true)
	old := time.Now().Add(-time.Hour)
	stale := []string{"train-images-idx3-ubyte.gz.123.tmp", ".train-labels-idx1-ubyte.gz.tmp456"}
	for _, n := range stale {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	if _, err := Load("fashion", true, opts); err != nil {
		t.Fatal(err)
	}
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s is still there (stat: %v)", n, err)
		}
	}
}
