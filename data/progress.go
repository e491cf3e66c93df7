package data

import (
	"fmt"
	"io"
	"path"

	"github.com/backprop-go/backprop/progress"
)

// downloadBar reports a download as it happens. It is an io.Writer that
// counts the bytes copied through it and feeds them to a progress.Bar: on a
// terminal one redrawn line with a bar and an ETA, elsewhere (a CI log) a
// plain line at each tenth and one at the end.
type downloadBar struct {
	bar   *progress.Bar
	total int64 // -1 when the server did not say
	done  int64
}

func newDownloadBar(w io.Writer, url string, total int64) *downloadBar {
	if w != nil && !progress.IsTerminal(w) {
		size := "size unknown"
		if total >= 0 {
			size = megabytes(total)
		}
		fmt.Fprintf(w, "data: downloading %s (%s)\n", url, size)
	}
	return &downloadBar{bar: progress.New(w, "data: "+path.Base(url), total), total: total}
}

func (d *downloadBar) Write(b []byte) (int, error) {
	d.done += int64(len(b))
	d.bar.Update(d.done, d.note())
	return len(b), nil
}

func (d *downloadBar) note() string {
	if d.total > 0 {
		return fmt.Sprintf("%.1f/%s", float64(d.done)/1e6, megabytes(d.total))
	}
	return megabytes(d.done)
}

// finish ends the report; a failure is reported by the caller.
func (d *downloadBar) finish(ok bool) {
	if ok {
		d.bar.Done(megabytes(d.done))
	} else {
		d.bar.Clear()
	}
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
