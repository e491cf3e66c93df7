package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func fakeClock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func TestPlainLinesEveryTenth(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "train", 100)
	b.Now = fakeClock()
	for i := int64(1); i <= 100; i++ {
		b.Update(i, "loss 1.0")
	}
	b.Done("")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// Tenths 0..10 crossed once each (the first update is in tenth 0), plus Done.
	if len(lines) != 12 {
		t.Fatalf("got %d lines, want 12:\n%s", len(lines), buf.String())
	}
	if strings.Contains(buf.String(), "\r") {
		t.Errorf("plain output contains a carriage return")
	}
	if !strings.Contains(lines[5], "ETA") || !strings.Contains(lines[5], "loss 1.0") {
		t.Errorf("middle line lacks ETA or note: %q", lines[5])
	}
	if !strings.HasPrefix(lines[11], "train: done in ") {
		t.Errorf("last line = %q", lines[11])
	}
}

func TestETA(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "x", 4)
	b.Now = fakeClock()
	b.Update(0, "") // starts the clock
	b.Update(1, "") // one second per unit, three units left
	if !strings.Contains(buf.String(), "ETA 3s") {
		t.Errorf("want ETA 3s in %q", buf.String())
	}
}

func TestNilWriter(t *testing.T) {
	b := New(nil, "quiet", 10)
	b.Update(5, "")
	b.Done("")
}

func TestBufferIsNotTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a bytes.Buffer is not a terminal")
	}
}

func TestUnknownTotal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "get", -1)
	b.Now = fakeClock()
	for i := int64(1); i <= 50; i++ {
		b.Update(i, "x")
	}
	if buf.Len() != 0 {
		t.Errorf("plain output before Done with an unknown total: %q", buf.String())
	}
	b.Done("50 bytes")
	if got := buf.String(); !strings.HasPrefix(got, "get: done in ") || !strings.HasSuffix(got, "  50 bytes\n") {
		t.Errorf("Done wrote %q", got)
	}
}

func TestTerminalRedrawsInPlace(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "train", 4)
	b.tty = true // a bytes.Buffer is no terminal; pretend
	b.Now = fakeClock()
	b.Update(1, "loss 2.000000000000")
	b.Update(2, "loss 1")
	b.Done("")
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "train: done in 2s\n") {
		t.Errorf("want redrawn lines then one final line, got %q", out)
	}
	if !strings.Contains(out, "\rtrain [============            ]  50%  loss 1") {
		t.Errorf("missing the half-way bar in %q", out)
	}
	// The second line is shorter than the first: it must be padded so no
	// stale characters remain.
	if !strings.Contains(out, "loss 1  ETA 1s     \r") {
		t.Errorf("shorter redraw not padded: %q", out)
	}
}

// The padding that erases a longer previous line counts characters, not
// bytes: "→" is one column on the terminal but three bytes.
func TestTerminalPadsInCharacters(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "train", 4)
	b.tty = true
	b.Now = fakeClock()
	b.Update(1, "lr 0.2→0.02") // 11 characters, 13 bytes
	b.Update(2, "lr 0.2→0.02")
	b.Clear()
	out := buf.String()
	first := "\rtrain [======                  ]  25%  lr 0.2→0.02"
	second := "\rtrain [============            ]  50%  lr 0.2→0.02  ETA 1s"
	// The second line is longer: no padding after it. Clear writes exactly
	// as many spaces as the line has characters.
	want := first + second + "\r" + strings.Repeat(" ", utf8.RuneCountInString(second)-1) + "\r"
	if out != want {
		t.Errorf("got  %q\nwant %q", out, want)
	}
}
