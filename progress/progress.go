// Package progress draws the one-line progress report that long work shows:
// a download, a training run.
//
// On a terminal the line is redrawn in place with a carriage return, at most
// ten times a second, and ends with an estimate of the time left. When the
// output is not a terminal (a log file, CI) carriage returns would make a
// mess, so the bar prints a plain line at every tenth of the work instead.
//
// It is its own package because both the data downloader and the training
// loop need the same bar, and neither should depend on the other.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// Bar reports the progress of a job of known size.
type Bar struct {
	w     io.Writer
	label string
	total int64
	tty   bool

	start      time.Time
	lastDraw   time.Time
	lastTenth  int64
	lastLength int // characters of the line drawn last, on a terminal

	// Now returns the current time; tests replace it with a fake clock.
	Now func() time.Time
}

// New returns a bar that writes to w and counts up to total (in bytes, updates,
// …). The label starts every line. A nil w gives a bar that prints nothing.
// A total of 0 or less means the size is unknown (a download whose server did
// not say): the line then shows only the note, and no plain lines are
// printed before Done.
func New(w io.Writer, label string, total int64) *Bar {
	b := &Bar{w: w, label: label, total: total, tty: IsTerminal(w), Now: time.Now}
	b.lastTenth = -1
	return b
}

// IsTerminal reports whether w is a character device, such as an
// interactive terminal. Only *os.File values can be terminals.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Update reports that done units of the total are finished. The note is
// appended to the line (for example "loss 0.412  val err 12.3%").
func (b *Bar) Update(done int64, note string) {
	if b.w == nil {
		return
	}
	now := b.Now()
	if b.start.IsZero() {
		b.start = now
	}
	if b.tty {
		if now.Sub(b.lastDraw) < 100*time.Millisecond && done < b.total {
			return
		}
		b.lastDraw = now
		line := b.line(done, note, now, true)
		pad := ""
		width := utf8.RuneCountInString(line) // columns, not bytes: "→" is one
		if n := b.lastLength - width; n > 0 {
			pad = strings.Repeat(" ", n)
		}
		b.lastLength = width
		fmt.Fprintf(b.w, "\r%s%s", line, pad)
		return
	}
	if b.total <= 0 {
		return
	}
	tenth := done * 10 / b.total
	if tenth == b.lastTenth {
		return
	}
	b.lastTenth = tenth
	fmt.Fprintln(b.w, b.line(done, note, now, false))
}

// Clear ends the bar without a message, for work that failed: on a terminal
// it erases the redrawn line so the caller's error starts on a clean line.
func (b *Bar) Clear() {
	if b.w != nil && b.tty && b.lastLength > 0 {
		fmt.Fprint(b.w, "\r"+strings.Repeat(" ", b.lastLength)+"\r")
		b.lastLength = 0
	}
}

// Done finishes the bar: on a terminal it ends the redrawn line, and it
// prints the total time taken.
func (b *Bar) Done(note string) {
	if b.w == nil {
		return
	}
	now := b.Now()
	if b.start.IsZero() {
		b.start = now
	}
	b.Clear()
	msg := fmt.Sprintf("%s: done in %s", b.label, round(now.Sub(b.start)))
	if note != "" {
		msg += "  " + note
	}
	fmt.Fprintln(b.w, msg)
}

func (b *Bar) line(done int64, note string, now time.Time, drawBar bool) string {
	var sb strings.Builder
	sb.WriteString(b.label)
	if b.total <= 0 { // unknown size: no bar, no percentage, no ETA
		if note != "" {
			sb.WriteString("  " + note)
		}
		return sb.String()
	}
	frac := min(max(float64(done)/float64(b.total), 0), 1)
	if drawBar {
		const width = 24
		filled := int(frac * width)
		sb.WriteString(" [" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "]")
	}
	fmt.Fprintf(&sb, " %3.0f%%", 100*frac)
	if note != "" {
		sb.WriteString("  " + note)
	}
	if elapsed := now.Sub(b.start); frac > 0 && frac < 1 && elapsed > 0 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		sb.WriteString("  ETA " + round(left).String())
	}
	return sb.String()
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
