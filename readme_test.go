// Package backprop_test keeps the README honest: its "network in a dozen
// lines" is compiled, run and checked here, so an API change that breaks it
// breaks a test instead of a student's first program.
package backprop_test

import (
	"bufio"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/train"
)

// readmeNetwork is the README's snippet, verbatim between the markers
// (TestREADMESnippetIsCompiled checks that), wrapped in a function that
// returns the trained model.
func readmeNetwork() *layers.Sequential {
	// README begin
	rng := rand.New(rand.NewPCG(1, 2)) // every random choice takes a seed
	trainSplit, err := data.FashionMNIST(true, data.Options{Download: true})
	if err != nil {
		log.Fatal(err)
	}
	x, y := data.Normalize(trainSplit, data.ZeroOne), trainSplit.IntLabels() // 60000×784 in [0,1]
	model := layers.NewMLP([]int{784, 128, 10}, layers.He, rng)              // Linear, ReLU, Linear
	loader := data.NewLoader(x, y, data.LoaderOptions{BatchSize: 64, Shuffle: true, Rng: rng})
	var ce loss.SoftmaxCrossEntropy
	sgd := &layers.SGD{LR: 0.1}
	for xb, yb, ok := loader.Next(); ok; xb, yb, ok = loader.Next() { // one epoch
		ce.Forward(model.Forward(xb), yb) // Z = A Wᵀ + b, …, mean cross-entropy
		model.Backward(ce.Backward())     // δ = (P − Y)/B flows back into every Grad
		sgd.Step(model.Params())          // W -= lr·∂L/∂W, then zero the gradients
	}
	// README end
	_ = train.Run // the README's next sentence suggests train.Run: the snippet must not shadow the package
	return model
}

// codeBlock returns the lines of the first ```go block after the line
// heading in the Markdown file.
func codeBlock(t *testing.T, file, heading string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	in, seen := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !seen && strings.TrimSpace(line) == heading:
			seen = true
		case seen && !in && strings.TrimSpace(line) == "```go":
			in = true
		case in && strings.TrimSpace(line) == "```":
			return lines
		case in:
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("%s: no complete ```go block after %q", file, heading)
	return nil
}

// TestREADMESnippetIsCompiled checks that the README's snippet is the body
// of readmeNetwork, line for line, so the compiler checks the README.
func TestREADMESnippetIsCompiled(t *testing.T) {
	readme := codeBlock(t, "README.md", "## A network in a dozen lines")
	here := markedBlock(t, "readme_test.go", "// README begin", "// README end", "\t")
	if len(readme) != len(here) {
		t.Fatalf("README.md's snippet has %d lines, readme_test.go's copy %d: make them the same", len(readme), len(here))
	}
	for i := range readme {
		if readme[i] != here[i] {
			t.Errorf("line %d differs:\nREADME.md:      %q\nreadme_test.go: %q", i+1, readme[i], here[i])
		}
	}
}

// markedBlock returns the lines strictly between the begin and end marker
// lines of file, with indent removed from the start of each line.
func markedBlock(t *testing.T, file, begin, end, indent string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch strings.TrimSpace(line) {
		case begin:
			in = true
			continue
		case end:
			if in {
				return lines
			}
		}
		if in {
			lines = append(lines, strings.TrimPrefix(line, indent))
		}
	}
	t.Fatalf("%s: no lines between %q and %q", file, begin, end)
	return nil
}

// TestREADMESnippetTrains runs the snippet on the real FashionMNIST (it
// skips when the data is not on this machine, since the snippet would
// download it) and checks that one epoch learns: under 25% error on the
// test split, where chance is 90%.
func TestREADMESnippetTrains(t *testing.T) {
	test, err := data.FashionMNIST(false, data.Options{})
	if err != nil {
		if os.Getenv("BACKPROP_REQUIRE_DATA") != "" {
			t.Fatal(err)
		}
		t.Skipf("FashionMNIST not found (set BACKPROP_DATA): %v", err)
	}
	model := readmeNetwork()
	x, y := data.Normalize(test, data.ZeroOne), test.IntLabels()
	_, errRate := train.Evaluate(model, &train.Set{X: x, Y: y}, 0)
	t.Logf("one epoch of the README's loop: test error %.2f%%", 100*errRate)
	if !(errRate < 0.25) {
		t.Errorf("test error %.2f%% after the README's epoch, want < 25%%", 100*errRate)
	}
}
