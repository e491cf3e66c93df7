package numtest

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps the errors instead of failing, so the
// tests below can check that a comparison fails and what it says.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

var (
	nan    = math.NaN()
	inf    = math.Inf(1)
	ninf   = math.Inf(-1)
	negZ   = math.Copysign(0, -1)
	absTol = Tol{Abs: 1e-9}
)

func TestDiff(t *testing.T) {
	for _, c := range []struct {
		got, want float64
		tol       Tol
		pass      bool
	}{
		{1, 1, Tol{}, true},
		{1, 1 + 1e-10, absTol, true},
		{1, 1 + 1e-8, absTol, false},
		{1e6, 1e6 + 1e-4, Tol{Rel: 1e-9}, true},
		{1e6, 1e6 + 1e-2, Tol{Rel: 1e-9}, false},
		{2, 3, Tol{Abs: 0.5, Rel: 0.5}, true}, // 1 ≤ 0.5 + 0.5·3
		{2, 3, Tol{Abs: 0.4, Rel: 0.1}, false},
		{negZ, 0, Tol{}, true}, // −0 equals +0 unless bits are asked
		{nan, 1, absTol, false},
		{1, nan, absTol, false},
		{nan, nan, absTol, false},
		{nan, nan, Tol{Abs: inf}, false},
		{1, 2, Tol{Abs: inf}, true},
		{inf, inf, absTol, true},
		{ninf, ninf, absTol, true},
		{inf, ninf, Tol{Abs: inf}, false},
		{inf, 1e308, Tol{Abs: inf}, false},
		{1e308, inf, Tol{Rel: 1}, false},
	} {
		msg := Diff(c.got, c.want, c.tol)
		if (msg == "") != c.pass {
			t.Errorf("Diff(%v, %v, %+v) = %q, want pass %v", c.got, c.want, c.tol, msg, c.pass)
		}
	}
}

func TestDiffBits(t *testing.T) {
	otherNaN := math.Float64frombits(math.Float64bits(nan) ^ 1)
	for _, c := range []struct {
		got, want float64
		pass      bool
	}{
		{1, 1, true},
		{math.Nextafter(1, 2), 1, false},
		{0, 0, true},
		{negZ, negZ, true},
		{negZ, 0, false},
		{0, negZ, false},
		{nan, nan, true},
		{nan, otherNaN, false},
		{nan, 1, false},
		{inf, inf, true},
		{inf, ninf, false},
	} {
		msg := DiffBits(c.got, c.want)
		if (msg == "") != c.pass {
			t.Errorf("DiffBits(%v, %v) = %q, want pass %v", c.got, c.want, msg, c.pass)
		}
	}
	// −0 and +0 print differently; two NaNs print alike, so their bits are shown.
	if msg := DiffBits(negZ, 0); !strings.Contains(msg, "-0") {
		t.Errorf("DiffBits(-0, 0) = %q, does not show the sign", msg)
	}
	if msg := DiffBits(nan, otherNaN); !strings.Contains(msg, "bits 0x7ff8000000000001") {
		t.Errorf("DiffBits of two NaNs = %q, does not show the bits", msg)
	}
}

// check runs f on a recorder and returns what f returned and the one error
// it reported ("" if none); it fails the test if f returned true while
// reporting an error, false without one, or more than one error.
func check(t *testing.T, f func(tb testing.TB) bool) (bool, string) {
	t.Helper()
	r := &recorder{TB: t}
	ok := f(r)
	switch {
	case len(r.errs) > 1:
		t.Errorf("%d errors for one check: %q", len(r.errs), r.errs)
	case ok != (len(r.errs) == 0):
		t.Errorf("returned %v with errors %q", ok, r.errs)
	}
	if len(r.errs) == 0 {
		return ok, ""
	}
	return ok, r.errs[0]
}

func TestClose(t *testing.T) {
	if ok, msg := check(t, func(tb testing.TB) bool { return Close(tb, "loss", 1, 1+1e-12, absTol) }); !ok {
		t.Errorf("Close failed on agreeing values: %s", msg)
	}
	ok, msg := check(t, func(tb testing.TB) bool { return Close(tb, "loss", nan, 1, absTol) })
	if ok || msg != "loss: got NaN, want 1" {
		t.Errorf("Close(NaN, 1) = %v, %q", ok, msg)
	}
	ok, msg = check(t, func(tb testing.TB) bool { return Close(tb, "loss", 1.5, 1, absTol) })
	if ok || !strings.HasPrefix(msg, "loss: got 1.5, want 1 (|difference| 0.5 > tolerance 1e-09)") {
		t.Errorf("Close(1.5, 1) = %v, %q", ok, msg)
	}
}

func TestSame(t *testing.T) {
	if ok, msg := check(t, func(tb testing.TB) bool { return Same(tb, "w", nan, nan) }); !ok {
		t.Errorf("Same failed on one NaN against itself: %s", msg)
	}
	ok, msg := check(t, func(tb testing.TB) bool { return Same(tb, "w", negZ, 0) })
	if ok || !strings.HasPrefix(msg, "w: got -0 ") {
		t.Errorf("Same(-0, 0) = %v, %q", ok, msg)
	}
}

func TestSlices(t *testing.T) {
	want := []float64{1, 2, 3, 4}
	for _, c := range []struct {
		name string
		got  []float64
		msg  string // "" to pass
	}{
		{"equal", []float64{1, 2, 3, 4}, ""},
		{"within tolerance", []float64{1, 2 + 1e-10, 3, 4 - 1e-10}, ""},
		{"one off", []float64{1, 2, 3.5, 4}, "x[2]: got 3.5, want 3 ("},
		{"NaN", []float64{1, nan, 3, 4}, "x[1]: got NaN, want 2"},
		{"all NaN", []float64{nan, nan, nan, nan}, "x[0]: got NaN, want 1 (and 3 more of 4 differ)"},
		{"Inf", []float64{1, 2, 3, inf}, "x[3]: got +Inf, want 4"},
		{"shorter", []float64{1, 2, 3}, "x: got 3 values, want 4"},
		{"longer", []float64{1, 2, 3, 4, 5}, "x: got 5 values, want 4"},
		{"nil", nil, "x: got 0 values, want 4"},
	} {
		ok, msg := check(t, func(tb testing.TB) bool { return Slices(tb, "x", c.got, want, absTol) })
		if ok != (c.msg == "") || !strings.HasPrefix(msg, c.msg) {
			t.Errorf("%s: Slices = %v, %q; want message starting %q", c.name, ok, msg, c.msg)
		}
	}
	// Two empty slices agree: there is nothing to compare.
	if ok, msg := check(t, func(tb testing.TB) bool { return Slices(tb, "x", nil, []float64{}, Tol{}) }); !ok {
		t.Errorf("Slices(nil, empty) failed: %s", msg)
	}
}

func TestSameSlices(t *testing.T) {
	want := []float64{1, 0, nan}
	for _, c := range []struct {
		name string
		got  []float64
		msg  string
	}{
		{"same bits, NaN included", []float64{1, 0, nan}, ""},
		{"−0 for +0", []float64{1, negZ, nan}, "x[1]: got -0 (bits 0x8000000000000000), want 0"},
		{"close is not enough", []float64{math.Nextafter(1, 2), 0, nan}, "x[0]: got 1.0000000000000002, want 1"},
		{"short", []float64{1, 0}, "x: got 2 values, want 3"},
	} {
		ok, msg := check(t, func(tb testing.TB) bool { return SameSlices(tb, "x", c.got, want) })
		if ok != (c.msg == "") || !strings.HasPrefix(msg, c.msg) {
			t.Errorf("%s: SameSlices = %v, %q; want message starting %q", c.name, ok, msg, c.msg)
		}
	}
}

func TestBounds(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(tb testing.TB) bool
		pass bool
	}{
		{"AtMost below", func(tb testing.TB) bool { return AtMost(tb, "e", 0.01, 0.05) }, true},
		{"AtMost equal", func(tb testing.TB) bool { return AtMost(tb, "e", 0.05, 0.05) }, true},
		{"AtMost above", func(tb testing.TB) bool { return AtMost(tb, "e", 0.06, 0.05) }, false},
		{"AtMost NaN", func(tb testing.TB) bool { return AtMost(tb, "e", nan, 0.05) }, false},
		{"AtMost NaN limit", func(tb testing.TB) bool { return AtMost(tb, "e", 0, nan) }, false},
		{"AtLeast above", func(tb testing.TB) bool { return AtLeast(tb, "acc", 0.9, 0.8) }, true},
		{"AtLeast below", func(tb testing.TB) bool { return AtLeast(tb, "acc", 0.7, 0.8) }, false},
		{"AtLeast NaN", func(tb testing.TB) bool { return AtLeast(tb, "acc", nan, 0.8) }, false},
		{"Within inside", func(tb testing.TB) bool { return Within(tb, "v", 0.5, 0, 1) }, true},
		{"Within at the ends", func(tb testing.TB) bool { return Within(tb, "v", 1, 0, 1) && Within(tb, "v", 0, 0, 1) }, true},
		{"Within outside", func(tb testing.TB) bool { return Within(tb, "v", 1.5, 0, 1) }, false},
		{"Within NaN", func(tb testing.TB) bool { return Within(tb, "v", nan, 0, 1) }, false},
		{"Within +Inf", func(tb testing.TB) bool { return Within(tb, "v", inf, 0, 1) }, false},
	} {
		if ok, msg := check(t, c.f); ok != c.pass {
			t.Errorf("%s: passed %v (%q), want %v", c.name, ok, msg, c.pass)
		}
	}
	if _, msg := check(t, func(tb testing.TB) bool { return AtMost(tb, "error rate", nan, 0.05) }); msg != "error rate = NaN, want at most 0.05" {
		t.Errorf("AtMost's message: %q", msg)
	}
}
