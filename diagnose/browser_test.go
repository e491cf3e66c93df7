package diagnose

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestReportInABrowser opens a report in headless chromium and checks that
// the screenshot shows the embedded figure: a page that a real browser
// renders, offline, with its pictures. It is skipped where chromium is not
// installed (apt-get install chromium) and with -short. .ci/screenshot does
// the same for a whole report, for a person to look at.
func TestReportInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed")
	}
	dir := t.TempDir()
	// A figure of one unmistakable colour, 300×200.
	fig := image.NewRGBA(image.Rect(0, 0, 300, 200))
	magenta := color.RGBA{230, 0, 230, 255}
	for i := 0; i < len(fig.Pix); i += 4 {
		copy(fig.Pix[i:], []uint8{magenta.R, magenta.G, magenta.B, 255})
	}
	r := &Report{Title: "browser check", Sections: []Section{{Title: "figure"}}}
	if err := r.AddFigure(fig, "", "magenta"); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	if err := r.WriteFile(page); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--hide-scrollbars", "--window-size=800,600", "--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		if _, statErr := os.Stat(shot); statErr != nil {
			t.Fatalf("chromium failed: %v\n%s", err, out)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if c.R > 200 && c.G < 40 && c.B > 200 {
				n++
			}
		}
	}
	// The figure is 60,000 pixels; the page may scale it a little.
	if n < 30000 {
		t.Fatalf("the screenshot shows %d magenta pixels: the embedded figure did not render", n)
	}
}
