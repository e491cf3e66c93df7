package data

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
)

// progress reports a download as it happens. It is an io.Writer that counts
// the bytes copied through it. On a terminal it redraws one line with a bar
// and an ETA (at most ten times a second); elsewhere, as in a CI log, it
// writes a plain line at the start, at each quarter and at the end.
type progress struct {
	w       io.Writer // nil: silent
	tty     bool
	name    string
	total   int64 // -1 when the server did not say
	done    int64
	start   time.Time
	drawn   time.Time
	quarter int64
}

func newProgress(w io.Writer, url string, total int64) *progress {
	p := &progress{w: w, name: path.Base(url), total: total, start: time.Now()}
	if w == nil {
		return p
	}
	p.tty = isTerminal(w)
	if !p.tty {
		size := "size unknown"
		if total >= 0 {
			size = megabytes(total)
		}
		fmt.Fprintf(w, "data: downloading %s (%s)\n", url, size)
	}
	return p
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	switch {
	case p.w == nil:
	case p.tty:
		if now := time.Now(); now.Sub(p.drawn) >= 100*time.Millisecond {
			p.drawn = now
			p.draw()
		}
	case p.total > 0:
		if q := 4 * p.done / p.total; q > p.quarter && q < 4 {
			p.quarter = q
			fmt.Fprintf(p.w, "data:   %s %d%%\n", p.name, 25*q)
		}
	}
	return len(b), nil
}

// finish ends the report; a failure is reported by the caller.
func (p *progress) finish(ok bool) {
	switch {
	case p.w == nil:
	case p.tty:
		p.draw()
		fmt.Fprintln(p.w)
	case ok:
		fmt.Fprintf(p.w, "data:   %s done, %s in %.1fs\n", p.name, megabytes(p.done), time.Since(p.start).Seconds())
	}
}

// draw rewrites the terminal line, e.g.
//
//	train-images-idx3-ubyte.gz  45% [#########-----------] 11.9/26.4 MB  3.2 MB/s  ETA 5s
func (p *progress) draw() {
	secs := time.Since(p.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(p.done) / secs
	}
	line := p.name + "  " + megabytes(p.done)
	if p.total > 0 {
		frac := min(float64(p.done)/float64(p.total), 1)
		const width = 20
		fill := int(frac * width)
		eta := "?"
		if rate > 0 {
			eta = time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
		}
		line = fmt.Sprintf("%s %3.0f%% [%s%s] %.1f/%s  ETA %s", p.name, 100*frac,
			strings.Repeat("#", fill), strings.Repeat("-", width-fill),
			float64(p.done)/1e6, megabytes(p.total), eta)
	}
	// \r returns to the start of the line and \x1b[K clears what is left of
	// a longer previous line.
	fmt.Fprintf(p.w, "\r%s  %.1f MB/s\x1b[K", line, rate/1e6)
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
