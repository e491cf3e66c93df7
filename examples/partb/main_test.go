package main

import (
	"bytes"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/train"
)

// The test does not train: it saves an untrained network under the settings
// of its flags, which part b then reuses, so only the scan of the 60,000
// images and the figures run.
func TestRun(t *testing.T) {
	exampletest.NeedData(t)
	dir, modelDir := t.TempDir(), t.TempDir()
	args := []string{"-download=false", "-updates", "1", "-out", dir, "-model", modelDir}
	f, _, err := homework.ParseSettings("partb", args, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	sizes, err := f.Sizes(784, 10) // the flags' network: loadModel checks the sizes
	if err != nil {
		t.Fatal(err)
	}
	model := layers.NewMLP(sizes, layers.He, f.Rand(homework.ForInit))
	h := &train.History{Train: []train.Point{{Update: 1, Epoch: 1, Loss: 2.3, Error: 0.9}},
		Val:  []train.Point{{Update: 1, Epoch: 1, Loss: 2.3, Error: 0.9}},
		Test: []train.Point{{Update: 1, Epoch: 1, Loss: 2.3, Error: 0.9}}}
	if err := homework.SaveModel(modelDir, "partk", f, model, h, nil); err != nil {
		t.Fatal(err)
	}

	var out, log bytes.Buffer
	if err := run(args, &out, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "reusing the model") {
		t.Errorf("part b trained a model instead of reusing the saved one:\n%s", log.String())
	}
	s := out.String()
	exampletest.Contains(t, s, "the images it was trained on", " of 30000 (", "the images it never saw",
		"most frequent disagreements on the images it never saw",
		"the 20 never-seen training images the model finds most surprising")
	// The surprising images are never-seen ones: not in the training subsample.
	d, err := homework.LoadData(f, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	trained := map[int]bool{}
	for _, i := range d.TrainIdx {
		trained[i] = true
	}
	ids := regexp.MustCompile(`\n  #(\d+) +label`).FindAllStringSubmatch(s, -1)
	if len(ids) != 20 {
		t.Errorf("%d surprising image ids, want 20", len(ids))
	}
	for _, m := range ids {
		if i, _ := strconv.Atoi(m[1]); trained[i] {
			t.Errorf("surprising image #%d was trained on", i)
		}
	}
	// 20 images, most surprising first.
	losses := regexp.MustCompile(`loss +(\S+)\n`).FindAllStringSubmatch(s, -1)
	if len(losses) != 20 {
		t.Errorf("%d surprising images listed, want 20", len(losses))
	}
	prev := math.Inf(1)
	for _, m := range losses {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil || !(v <= prev) {
			t.Errorf("losses not in decreasing order: %q after %g", m[1], prev)
		}
		prev = v
	}
	for _, name := range []string{"random.png", "surprising.png"} {
		file, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(file); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		file.Close()
	}
}
