package plot

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

func TestNiceTicksTable(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10000, 6, []float64{0, 2000, 4000, 6000, 8000, 10000}},
		{0, 0.3, 4, []float64{0, 0.1, 0.2, 0.3}}, // exact decimals, no 0.30000000000000004
		{-1, 1, 5, []float64{-1, -0.5, 0, 0.5, 1}},
		{0.02, 3.1, 8, []float64{0.5, 1, 1.5, 2, 2.5, 3}},
		{0.37, 0.41, 6, []float64{0.37, 0.38, 0.39, 0.4, 0.41}},
		{-7, -3, 3, []float64{-6, -4}},
		{5, 5, 10, []float64{5}},
		{1, 0, 5, nil},
		{math.NaN(), 1, 5, nil},
		{0, math.Inf(1), 5, nil},
	} {
		if got := NiceTicks(tc.lo, tc.hi, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("NiceTicks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
		}
	}
}

// TestNiceTicksProperties checks random ranges: ticks inside the range, no
// more than asked, at least two, evenly spaced by 1, 2 or 5 × 10^k.
func TestNiceTicksProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 2000; trial++ {
		scale := math.Pow(10, float64(rng.IntN(16)-8))
		lo := (rng.Float64()*2 - 1) * scale
		hi := lo + rng.Float64()*scale + scale*1e-3
		n := 6 + rng.IntN(7)
		ticks := NiceTicks(lo, hi, n)
		if len(ticks) < 2 || len(ticks) > n {
			t.Fatalf("NiceTicks(%g, %g, %d) gave %d ticks: %v", lo, hi, n, len(ticks), ticks)
		}
		step := ticks[1] - ticks[0]
		mag := math.Pow(10, math.Floor(math.Log10(step)+1e-9))
		if m := step / mag; !(math.Abs(m-1) <= 1e-6 || math.Abs(m-2) <= 1e-6 || math.Abs(m-5) <= 1e-6) {
			t.Fatalf("NiceTicks(%g, %g, %d): step %g is not 1, 2 or 5 × 10^k", lo, hi, n, step)
		}
		for i, v := range ticks {
			what := fmt.Sprintf("NiceTicks(%g, %g, %d): tick %d of %v", lo, hi, n, i, ticks)
			if !numtest.Within(t, what, v, lo-step*1e-6, hi+step*1e-6) {
				t.FailNow()
			}
			if i > 0 && !numtest.Close(t, what+", step", v-ticks[i-1], step, numtest.Tol{Rel: 1e-6}) {
				t.FailNow()
			}
		}
	}
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{1e-5, 1, 10, []float64{1e-5, 1e-4, 1e-3, 0.01, 0.1, 1}},
		{0.02, 3, 10, []float64{0.02, 0.05, 0.1, 0.2, 0.5, 1, 2}},
		{1e-30, 1e30, 8, []float64{1e-30, 1e-20, 1e-10, 1, 1e10, 1e20, 1e30}},
		{1e-9, 1e9, 8, []float64{1e-9, 1e-6, 1e-3, 1, 1e3, 1e6, 1e9}},
		// No power of ten, nor 2× or 5× one, inside: linear ticks instead.
		{0.3, 0.4, 5, []float64{0.3, 0.35, 0.4}},
		{0, 1, 5, nil},
		{-1, 1, 5, nil},
	} {
		got := LogTicks(tc.lo, tc.hi, tc.n)
		if !slices.Equal(got, tc.want) {
			t.Errorf("LogTicks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{1, "1"},
		{0.25, "0.25"},
		{-0.5, "-0.5"},
		{0.1 + 0.2, "0.3"},
		{1000, "1000"},
		{9999, "9999"},
		{12500, "12.5k"},
		{-60000, "-60k"},
		{3e7, "30M"},
		{1e12, "1e12"},
		{0.001, "0.001"},
		{1e-4, "0.0001"},
		{1e-5, "1e-5"},
		{2.5e-6, "2.5e-6"},
		{1.23456789, "1.23457"},
		{math.NaN(), "NaN"},
		{math.Inf(-1), "-Inf"},
	} {
		if got := FormatNumber(tc.v); got != tc.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestTickLabels(t *testing.T) {
	for _, tc := range []struct {
		ticks []float64
		want  []string
	}{
		{[]float64{0, 5000, 10000}, []string{"0", "5k", "10k"}},
		{[]float64{0, 500, 1000}, []string{"0", "500", "1000"}},
		{[]float64{0, 0.5e7, 1e7}, []string{"0", "5M", "10M"}},
		{[]float64{-0.5, 0, 0.5}, []string{"-0.5", "0", "0.5"}},
	} {
		if got := TickLabels(tc.ticks); !slices.Equal(got, tc.want) {
			t.Errorf("TickLabels(%v) = %q, want %q", tc.ticks, got, tc.want)
		}
	}
}
