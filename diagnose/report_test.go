package diagnose

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestReportIsSelfContained(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	r := &Report{Title: "Run <1>", Settings: []KV{{"lr", "0.2"}}, Numbers: []KV{{"accuracy", "88%"}},
		Sections: []Section{{Title: "Sanity", Text: []string{"a & b"}, Pre: "x < y"}}}
	if err := r.AddFigure(img, "f.png", "a red dot"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(raw)
	for _, want := range []string{"<title>Run &lt;1&gt;</title>", "<th>lr</th><td>0.2</td>", "a &amp; b", "<pre>x &lt; y</pre>", "a red dot"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The one image is embedded, decodes to the same pixels, and nothing
	// is fetched from anywhere.
	m := regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`).FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		t.Fatalf("%d embedded images, want 1", len(m))
	}
	b, err := base64.StdEncoding.DecodeString(m[0][1])
	if err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if back.Bounds() != img.Bounds() || color.RGBAModel.Convert(back.At(1, 1)) != (color.RGBA{255, 0, 0, 255}) {
		t.Fatal("embedded image differs")
	}
	if regexp.MustCompile(`(src|href)="(http|//|file:)`).MatchString(page) {
		t.Fatal("the page refers to an outside resource")
	}
}
