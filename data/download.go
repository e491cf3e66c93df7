package data

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backprop-go/backprop/atomicfile"
)

// download fetches whatever files of a split are missing or broken in the
// cache folder and loads the split from them.
func (s *spec) download(train bool, files [2]fileSpec, o *Options) (*Dataset, error) {
	dir := filepath.Join(cacheRoot(o), s.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	// One deadline for the whole split: a server trickling a byte just
	// often enough to keep the idle watchdog quiet still ends.
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), timeout,
		fmt.Errorf("download not finished after %v (Options.Timeout)", timeout))
	defer cancel()
	var got [2]*idx
	source := dir
	for i, f := range files {
		ps, _ := existing(dir, f.name)
		if m, err := readFirstValid(ps, f); err == nil {
			got[i] = m // already here and valid: the other file was the problem
			continue
		}
		m, mirror, err := s.fetch(ctx, dir, f, o)
		if err != nil {
			// Leave no empty cache folder behind; Remove fails, harmlessly,
			// when the folder holds anything.
			os.Remove(dir)
			return nil, err
		}
		got[i], source = m, mirror
	}
	return newDataset(s, train, got[0], got[1], source)
}

// fetch downloads dir/<file>.gz from the first mirror that serves a valid
// copy, and returns the decoded file and that mirror.
func (s *spec) fetch(ctx context.Context, dir string, f fileSpec, o *Options) (*idx, string, error) {
	mirrors := s.mirrors
	if len(o.Mirrors) > 0 {
		mirrors = o.Mirrors
	}
	var errs []error
	for i, m := range mirrors {
		url := strings.TrimSuffix(m, "/") + "/" + f.name + ".gz"
		x, err := fetchFile(ctx, url, filepath.Join(dir, f.name+".gz"), f, o)
		if err == nil {
			return x, m, nil
		}
		if i+1 < len(mirrors) {
			note(o.Progress, "%v; trying the next mirror", err)
		}
		errs = append(errs, err)
	}
	return nil, "", fmt.Errorf("data: could not download %s %s from any mirror:\n%w", s.name, f.name, errors.Join(errs...))
}

// fetchFile downloads url into dest. The body goes to a temporary file in
// dest's folder; only when its MD5 and the SHA-256 of its decompressed
// contents are right is it renamed to dest (package atomicfile, which also
// removes the temporaries of downloads killed in earlier runs). On any
// failure the temporary file is removed, so nothing a later run would trust
// is left behind.
func fetchFile(parent context.Context, url, dest string, f fileSpec, o *Options) (*idx, error) {
	tmp, err := atomicfile.Create(dest)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer tmp.Abort()

	// A watchdog cancels the request when no data arrives for idle: a
	// stalled server fails the download instead of hanging it, while a slow
	// but steady one may take as long as it needs.
	idle := o.IdleTimeout
	if idle <= 0 {
		idle = 30 * time.Second
	}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	watchdog := time.AfterFunc(idle, func() { cancel(fmt.Errorf("stalled: no data for %v", idle)) })
	defer watchdog.Stop()
	fail := func(err error) error {
		if c := context.Cause(ctx); c != nil {
			err = c
		}
		return fmt.Errorf("data: %s: %w", url, err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fail(err)
	}
	client := o.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fail(errors.New(resp.Status))
	}
	// The size of every file is known: a body longer than that is not the
	// file, however long it would go on.
	if f.size > 0 && resp.ContentLength > f.size {
		return nil, fail(fmt.Errorf("server announces %d bytes, more than the expected %d", resp.ContentLength, f.size))
	}
	body := io.Reader(&idleReader{resp.Body, watchdog, idle})
	if f.size > 0 {
		body = io.LimitReader(body, f.size+1) // one more, to see there is more
	}

	h := md5.New()
	bar := newDownloadBar(o.Progress, url, resp.ContentLength)
	n, err := io.Copy(io.MultiWriter(tmp, h, bar), body)
	if err == nil && f.size > 0 && n > f.size {
		err = fmt.Errorf("more than the expected %d bytes", f.size)
	}
	bar.finish(err == nil)
	if err != nil {
		return nil, fail(fmt.Errorf("after %d bytes: %w", n, err))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.md5 {
		return nil, &ChecksumError{File: url, Algorithm: "MD5", Want: f.md5, Got: got}
	}

	m, sum, err := decodeIDX(tmp, n, dest)
	if err != nil {
		return nil, fail(err)
	}
	if sum != f.sha256 {
		return nil, &ChecksumError{File: url, Algorithm: "SHA-256", Want: f.sha256, Got: sum}
	}
	if err := tmp.Commit(); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return m, nil
}

// idleReader pushes the watchdog back each time data arrives.
type idleReader struct {
	r        io.Reader
	watchdog *time.Timer
	idle     time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.watchdog.Reset(r.idle)
	}
	return n, err
}
