// Package numtest compares floating-point numbers in tests so that a wrong
// answer cannot pass: NaN fails every comparison, an infinity matches only
// the same infinity, slices of different lengths fail, and the message names
// the index and both values.
//
// It exists because the obvious check cannot fail when the code under test
// returns NaN:
//
//	if math.Abs(got-want) > tol { t.Error(...) } // NaN > tol is false: passes
//
// Every comparison here is written the other way round, as "fail unless
// |got − want| ≤ tol", which NaN does not satisfy. The same holds for the
// range checks [AtMost], [AtLeast] and [Within].
//
// Two kinds of agreement are offered:
//
//   - [Close] and [Slices] pass when |got − want| ≤ Abs + Rel·|want| (the
//     [Tol]); use them where rounding may differ (a product summed in another
//     order, a formula against its closed form).
//   - [Same] and [SameSlices] pass only on identical bits; use them where the
//     code promises the same bits (a file read back, a run repeated with the
//     same seed, a parallel kernel against the serial one). They tell −0 from
//     +0 and pass a NaN only against a NaN with the same bits.
//
// The functions report through t.Errorf and return whether the check passed,
// so a test can stop early (if !numtest.Slices(...) { return }). [Diff] and
// [DiffBits] return the message without a testing.TB, for tests that build
// their own.
//
// The package imports only the standard library, so that every package of
// the module, tensor included, can use it in its tests; only tests import it.
package numtest

import (
	"fmt"
	"math"
	"testing"
)

// Tol is a tolerance: got agrees with want when
//
//	|got − want| ≤ Abs + Rel·|want|.
//
// Tol{Abs: 1e-12} is an absolute tolerance, Tol{Rel: 1e-9} a relative one,
// and Tol{Abs: e, Rel: e} the common e·(1 + |want|). The zero Tol asks for
// equal values (−0 equals +0; use [Same] to tell them apart).
type Tol struct {
	Abs, Rel float64
}

// Diff is "" when got agrees with want within tol, and otherwise a
// sentence saying why not. NaN on either side never agrees; an infinity
// agrees only with the same infinity.
func Diff(got, want float64, tol Tol) string {
	switch {
	case math.IsNaN(got) || math.IsNaN(want):
		return fmt.Sprintf("got %s, want %s", format(got), format(want))
	case math.IsInf(got, 0) || math.IsInf(want, 0):
		if got == want {
			return ""
		}
		return fmt.Sprintf("got %s, want %s", format(got), format(want))
	}
	d := math.Abs(got - want)
	limit := tol.Abs + tol.Rel*math.Abs(want)
	if d <= limit {
		return ""
	}
	return fmt.Sprintf("got %s, want %s (|difference| %.3g > tolerance %.3g)", format(got), format(want), d, limit)
}

// DiffBits is "" when got and want have the same bits, and otherwise a
// sentence that shows both values and, where they print alike (−0 and +0,
// two NaNs), both bit patterns.
func DiffBits(got, want float64) string {
	g, w := math.Float64bits(got), math.Float64bits(want)
	if g == w {
		return ""
	}
	gs, ws := format(got), format(want)
	if gs == ws || math.IsNaN(got) || math.IsNaN(want) || got == want {
		return fmt.Sprintf("got %s (bits %#016x), want %s (bits %#016x)", gs, g, ws, w)
	}
	return fmt.Sprintf("got %s, want %s (same bits asked)", gs, ws)
}

// format prints x with as many digits as it takes to read back the same
// float64, and −0 with its sign.
func format(x float64) string {
	return fmt.Sprint(x)
}

// Close reports an error naming what unless got agrees with want within
// tol (see [Diff]), and returns whether it did.
func Close(t testing.TB, what string, got, want float64, tol Tol) bool {
	t.Helper()
	if msg := Diff(got, want, tol); msg != "" {
		t.Errorf("%s: %s", what, msg)
		return false
	}
	return true
}

// Same reports an error naming what unless got and want have the same bits
// (see [DiffBits]), and returns whether they did.
func Same(t testing.TB, what string, got, want float64) bool {
	t.Helper()
	if msg := DiffBits(got, want); msg != "" {
		t.Errorf("%s: %s", what, msg)
		return false
	}
	return true
}

// Slices reports an error unless got and want have the same length and
// every element agrees within tol (see [Diff]); the message names the first
// element that does not and counts the others. It returns whether all
// agreed.
func Slices(t testing.TB, what string, got, want []float64, tol Tol) bool {
	t.Helper()
	return slices(t, what, got, want, func(g, w float64) string { return Diff(g, w, tol) })
}

// SameSlices reports an error unless got and want have the same length and
// the same bits element by element (see [DiffBits]), and returns whether
// they did.
func SameSlices(t testing.TB, what string, got, want []float64) bool {
	t.Helper()
	return slices(t, what, got, want, DiffBits)
}

func slices(t testing.TB, what string, got, want []float64, diff func(g, w float64) string) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d values, want %d", what, len(got), len(want))
		return false
	}
	first, bad := -1, 0
	var msg string
	for i := range got {
		if m := diff(got[i], want[i]); m != "" {
			if first < 0 {
				first, msg = i, m
			}
			bad++
		}
	}
	if bad == 0 {
		return true
	}
	if bad == 1 {
		t.Errorf("%s[%d]: %s", what, first, msg)
	} else {
		t.Errorf("%s[%d]: %s (and %d more of %d differ)", what, first, msg, bad-1, len(got))
	}
	return false
}

// AtMost reports an error unless got ≤ limit, and returns whether it was;
// NaN fails.
func AtMost(t testing.TB, what string, got, limit float64) bool {
	t.Helper()
	if !(got <= limit) {
		t.Errorf("%s = %s, want at most %s", what, format(got), format(limit))
		return false
	}
	return true
}

// AtLeast reports an error unless got ≥ limit, and returns whether it was;
// NaN fails.
func AtLeast(t testing.TB, what string, got, limit float64) bool {
	t.Helper()
	if !(got >= limit) {
		t.Errorf("%s = %s, want at least %s", what, format(got), format(limit))
		return false
	}
	return true
}

// Within reports an error unless lo ≤ got ≤ hi, and returns whether it was;
// NaN fails.
func Within(t testing.TB, what string, got, lo, hi float64) bool {
	t.Helper()
	if !(lo <= got && got <= hi) {
		t.Errorf("%s = %s, want within [%s, %s]", what, format(got), format(lo), format(hi))
		return false
	}
	return true
}
