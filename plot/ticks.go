package plot

import (
	"math"
	"strconv"
	"strings"
)

// NiceTicks returns evenly spaced tick values inside [lo, hi], at most
// maxTicks of them (at least 2 are asked for), spaced by 1, 2 or 5 times a
// power of ten: the "1-2-5" steps people read at a glance. The values are
// rounded to the step's decimal so that 0.1+0.2 shows as 0.3.
// It returns nil if lo or hi is not finite or hi < lo; lo == hi gives [lo].
func NiceTicks(lo, hi float64, maxTicks int) []float64 {
	if !isFinite(lo) || !isFinite(hi) || hi < lo {
		return nil
	}
	if lo == hi {
		return []float64{lo}
	}
	maxTicks = max(maxTicks, 2)
	step := niceStep((hi - lo) / float64(maxTicks-1))
	// Rounding can leave one tick too many: widen the step until they fit.
	for {
		first, last := math.Ceil(lo/step-1e-9), math.Floor(hi/step+1e-9)
		if int(last-first)+1 <= maxTicks {
			ticks := make([]float64, 0, int(last-first)+1)
			for k := first; k <= last; k++ {
				ticks = append(ticks, roundToStep(k*step, step))
			}
			return ticks
		}
		step = niceStep(step * 1.5)
	}
}

// niceStep returns the smallest 1, 2 or 5 × 10^k that is at least raw.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw*(1-1e-12) {
			return m * mag
		}
	}
	return 10 * mag
}

// roundToStep removes the floating-point fuzz of k*step by printing v with
// as many decimals as step has and parsing it back.
func roundToStep(v, step float64) float64 {
	decimals := max(0, -int(math.Floor(math.Log10(step))))
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimals, 64), 64)
	if r == 0 {
		r = 0 // turn -0 into 0
	}
	return r
}

// LogTicks returns tick values for a logarithmic axis over [lo, hi], lo > 0:
// the powers of ten inside the range, thinned to every second, third …
// decade when there are more than maxTicks of them. When the range holds
// fewer than three powers of ten, 2× and 5× multiples are added, and if that
// still gives fewer than two ticks the linear NiceTicks are used instead.
func LogTicks(lo, hi float64, maxTicks int) []float64 {
	if !(lo > 0) || !isFinite(hi) || hi < lo {
		return nil
	}
	maxTicks = max(maxTicks, 2)
	first, last := int(math.Ceil(math.Log10(lo)-1e-9)), int(math.Floor(math.Log10(hi)+1e-9))
	n := last - first + 1
	if n >= 3 {
		every := 1
		for _, e := range []int{1, 2, 3, 4, 5, 10, 20, 50, 100} {
			every = e
			if (n+e-1)/e <= maxTicks {
				break
			}
		}
		var ticks []float64
		for k := first; k <= last; k++ {
			if k%every == 0 {
				ticks = append(ticks, pow10(k))
			}
		}
		if len(ticks) >= 2 {
			return ticks
		}
	}
	// A short range: 1, 2 and 5 times each power of ten.
	var ticks []float64
	for k := first - 1; k <= last; k++ {
		for _, m := range []float64{1, 2, 5} {
			v := roundToStep(m*pow10(k), pow10(k))
			if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				ticks = append(ticks, v)
			}
		}
	}
	if len(ticks) >= 2 && len(ticks) <= maxTicks {
		return ticks
	}
	if n == 2 {
		return []float64{pow10(first), pow10(last)}
	}
	return NiceTicks(lo, hi, maxTicks)
}

// pow10 returns 10^k exactly as strconv would parse "1e<k>".
func pow10(k int) float64 {
	v, _ := strconv.ParseFloat("1e"+strconv.Itoa(k), 64)
	return v
}

// FormatNumber writes v compactly for an axis or a table cell: up to six
// significant digits, no trailing zeros, "k" and "M" for thousands and
// millions from 10,000 up (12500 → "12.5k"), and exponent form below 0.0001
// (0.00002 → "2e-5").
func FormatNumber(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	switch {
	case a >= 1e4 && a < 1e7:
		return plain(v/1e3) + "k"
	case a >= 1e7 && a < 1e10:
		return plain(v/1e6) + "M"
	case a < 1e-4 || a >= 1e10:
		mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', 5, 64), "e") // "1.50000", "-05"
		e, _ := strconv.Atoi(exp)
		return plain(mustParse(mant)) + "e" + strconv.Itoa(e)
	}
	return plain(v)
}

// TickLabels formats the ticks of a linear axis with FormatNumber, except
// that when the largest is 10,000 or more every label uses the same "k" or
// "M" unit, so that an axis reads 0, 2k, 4k … 10k rather than mixing units.
func TickLabels(ticks []float64) []string {
	big := 0.0
	for _, t := range ticks {
		big = math.Max(big, math.Abs(t))
	}
	unit, suffix := 1.0, ""
	switch {
	case big >= 1e4 && big < 1e7:
		unit, suffix = 1e3, "k"
	case big >= 1e7 && big < 1e10:
		unit, suffix = 1e6, "M"
	}
	labels := make([]string, len(ticks))
	for i, t := range ticks {
		switch {
		case suffix == "":
			labels[i] = FormatNumber(t)
		case t == 0:
			labels[i] = "0"
		default:
			labels[i] = plain(t/unit) + suffix
		}
	}
	return labels
}

// plain formats v in decimal with at most six significant digits.
func plain(v float64) string {
	return strconv.FormatFloat(mustParse(strconv.FormatFloat(v, 'g', 6, 64)), 'f', -1, 64)
}

func mustParse(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic("plot: internal number format " + s)
	}
	return v
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
