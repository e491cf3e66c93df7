package plot

import (
	"image"
	"image/color"
	"testing"
)

func TestEveryPrintableASCIIHasAGlyph(t *testing.T) {
	seen := map[glyph]rune{}
	for r := rune(32); r <= 126; r++ {
		g := glyphFor(r)
		for _, row := range g {
			if row >= 1<<glyphCols {
				t.Errorf("%q: row %05b is wider than %d pixels", r, row, glyphCols)
			}
		}
		if r == ' ' {
			if g != (glyph{}) {
				t.Errorf("space has ink")
			}
			continue
		}
		if g == (glyph{}) {
			t.Errorf("%q has no glyph", r)
		}
		// Catches a glyph pasted twice.
		if other, ok := seen[g]; ok {
			t.Errorf("%q and %q have the same glyph", other, r)
		}
		seen[g] = r
	}
	if glyphFor('€') != glyphFor('?') {
		t.Errorf("an unknown rune should be drawn as '?'")
	}
	for r, g := range extraGlyphs {
		if g == (glyph{}) || g == glyphFor('?') {
			t.Errorf("extra glyph %q is empty or '?'", r)
		}
	}
}

func TestTextWidth(t *testing.T) {
	for _, tc := range []struct {
		s     string
		scale int
		want  int
	}{
		{"", 1, 0},
		{"A", 1, 8},    // 5 design pixels × 1.5, rounded up
		{"AA", 1, 17},  // (5 + gap + 5) × 1.5
		{"AA", 2, 22},  // titles: 11 × 2
		{"1", 1, 5},    // narrow glyphs are trimmed: 3 × 1.5
		{".", 1, 3},    // 2 × 1.5
		{"A B", 1, 23}, // (5 + 1 + space 3 + 1 + 5) × 1.5
		{"→", 1, 8},
		{"A", 0, 8}, // scale below 1 counts as 1
	} {
		if got := TextWidth(tc.s, tc.scale); got != tc.want {
			t.Errorf("TextWidth(%q, %d) = %d, want %d", tc.s, tc.scale, got, tc.want)
		}
	}
}

// inkBox returns the bounding box of the pixels of img that are not white.
func inkBox(img *image.RGBA) image.Rectangle {
	box := image.Rectangle{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.RGBAAt(x, y) != (color.RGBA{255, 255, 255, 255}) {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

func TestDrawTextPlacesGlyphs(t *testing.T) {
	for _, scale := range []int{1, 2, 3} {
		img := newCanvas(200, 100)
		DrawText(img, 10, 20, "HELLO", color.Black, scale)
		// Capitals fill the text width and the rows above the baseline.
		want := image.Rect(10, 20, 10+TextWidth("HELLO", scale), 20+capHeight(scale))
		if got := inkBox(img); got != want {
			t.Errorf("scale %d: ink in %v, want %v", scale, got, want)
		}
		// The top-left pixel of H is black, the gap inside the H white.
		if img.RGBAAt(10, 20).R != 0 || img.RGBAAt(10+2*scale, 20).R != 255 {
			t.Errorf("scale %d: H's first row is wrong", scale)
		}
	}
	img := newCanvas(100, 100)
	DrawText(img, 10, 10, "gy", color.Black, 1)
	if got := inkBox(img); got.Max.Y != 10+TextHeight(1) {
		t.Errorf("descenders end at %d, want %d", got.Max.Y, 10+TextHeight(1))
	}
}

func TestDrawTextUpIsRotated(t *testing.T) {
	img := newCanvas(100, 200)
	DrawTextUp(img, 30, 40, "HELLO", color.Black, 2)
	// Rotated counter-clockwise: the caps' top edge faces left.
	want := image.Rect(30, 40, 30+capHeight(2), 40+TextWidth("HELLO", 2))
	if got := inkBox(img); got != want {
		t.Errorf("ink in %v, want %v", got, want)
	}
	// Text reads upwards: H's left stem is the bottom row of the box.
	for x := want.Min.X; x < want.Max.X; x++ {
		if img.RGBAAt(x, want.Max.Y-1).R != 0 {
			t.Fatalf("H's stem missing at (%d, %d)", x, want.Max.Y-1)
		}
	}
}

func TestDrawTextClipsAtTheEdge(t *testing.T) {
	img := newCanvas(20, 10)
	DrawText(img, 12, -3, "WIDE TEXT", color.Black, 2) // must not panic
	if inkBox(img).Empty() {
		t.Errorf("nothing drawn in the visible part")
	}
}

func TestFitAndWrap(t *testing.T) {
	if got := fitText("Ankle boot", 1000, 1); got != "Ankle boot" {
		t.Errorf("fitText shortened text that fits: %q", got)
	}
	got := fitText("T-shirt/top", 40, 1)
	if TextWidth(got, 1) > 40 || got[len(got)-len("…"):] != "…" {
		t.Errorf("fitText = %q (%d px), want at most 40 px ending in …", got, TextWidth(got, 1))
	}
	lines := wrapText("Shirt → T-shirt/top", 130, 1, 2)
	if len(lines) != 2 || lines[0] != "Shirt →" || lines[1] != "T-shirt/top" {
		t.Errorf("wrap at the arrow: %q", lines)
	}
	lines = wrapText("one two three four five six seven eight", 75, 1, 2)
	if len(lines) != 2 {
		t.Fatalf("wrapText gave %d lines, want 2: %q", len(lines), lines)
	}
	for _, l := range lines {
		if TextWidth(l, 1) > 75 {
			t.Errorf("line %q is %d px wide, over 75", l, TextWidth(l, 1))
		}
	}
	if last := lines[1]; last[len(last)-len("…"):] != "…" {
		t.Errorf("cut text should end in …: %q", lines)
	}
}

// TestMathGlyphs checks that the symbols the course's figures write have
// glyphs of their own rather than the '?' of an unknown rune.
func TestMathGlyphs(t *testing.T) {
	unknown := glyphFor('\uFFFD')
	for _, r := range "θμσΣ√²ᵗεηδ→…×±" {
		if g := glyphFor(r); g == unknown {
			t.Errorf("%q has no glyph", r)
		}
	}
}
