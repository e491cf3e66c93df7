package mlp

// The helpers of the public tests and of the grader: they turn a panic into
// a message naming the part, and compare tensors entry by entry, naming the
// first entry that differs with both values.

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/tensor"
)

// try runs f and turns a panic into an error: a function not written yet
// gives "part e: Linear.Forward is not implemented yet"; another panic
// gives its message and the lines of your code it went through.
func try(f func() error) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if e, ok := r.(notImplementedError); ok {
			err = e
			return
		}
		err = fmt.Errorf("panic: %v%s", r, yourFrames())
	}()
	return f()
}

// yourFrames returns the lines of the student's (non-test) files on the
// stack of a panic, innermost first.
func yourFrames() string {
	var b strings.Builder
	lines := strings.Split(string(debug.Stack()), "\n")
	for i := 1; i < len(lines); i++ {
		fn := lines[i-1]
		at := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(fn, "hw.") || strings.Contains(at, "_test.go") || strings.Contains(at, "/kit.go") {
			continue
		}
		if j := strings.LastIndex(at, " +0x"); j > 0 {
			at = at[:j]
		}
		fmt.Fprintf(&b, "\n\tat %s (%s)", filepath.Base(at), strings.TrimPrefix(fn[:strings.LastIndex(fn, "(")], "hw."))
	}
	return b.String()
}

// must fails the test with err, if any.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// closeTo returns nil if got has want's shape and every entry within
// tol·max(1, |want|) of want's, and otherwise an error naming the first
// entry that is not, with both values. NaN never agrees.
func closeTo(name string, got, want *tensor.Tensor, tol float64) error {
	if got == nil {
		return fmt.Errorf("%s is nil, want shape %v", name, want.Shape)
	}
	if fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) || len(got.Data) != len(want.Data) {
		return fmt.Errorf("%s has shape %v, want %v", name, got.Shape, want.Shape)
	}
	for i, w := range want.Data {
		if g := got.Data[i]; !(math.Abs(g-w) <= tol*max(1, math.Abs(w))) {
			if strings.Contains(name, " ") {
				return fmt.Errorf("%s, entry %s = %.10g, want %.10g (tolerance %.0e)", name, at(want.Shape, i), g, w, tol)
			}
			return fmt.Errorf("%s%s = %.10g, want %.10g (tolerance %.0e)", name, at(want.Shape, i), g, w, tol)
		}
	}
	return nil
}

// closeToValue is closeTo for one number.
func closeToValue(name string, got, want, tol float64) error {
	if !(math.Abs(got-want) <= tol*max(1, math.Abs(want))) {
		return fmt.Errorf("%s = %.10g, want %.10g (tolerance %.0e)", name, got, want, tol)
	}
	return nil
}

// at formats flat index i of a tensor of shape as "[row,col]".
func at(shape []int, i int) string {
	idx := make([]string, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = fmt.Sprint(i % shape[d])
		i /= shape[d]
	}
	return "[" + strings.Join(idx, ",") + "]"
}

// gradOK returns nil if the gradient check passed with tol, and otherwise
// the report, which names the tensor, the entry and both gradients.
func gradOK(what string, rep gradcheck.Report, tol float64) error {
	if rep.OK(tol) {
		return nil
	}
	return fmt.Errorf("gradient check of %s failed (relative error above %.0e) in %v:\n%s", what, tol, rep.Failed(tol), rep)
}
