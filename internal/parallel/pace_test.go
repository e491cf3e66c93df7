package parallel

import (
	"testing"
	"time"
)

// TestPaceRule checks the rule that decides how the parts of an operation
// are run: each mode is probed for paceWindow operations, the fastest per
// unit of work runs for paceTrial, then every mode is probed again.
// Probes interleave the modes in blocks of paceBlock operations.
func TestPaceRule(t *testing.T) {
	defer func() { paceNow = time.Now; resetPace() }()
	var now time.Time
	paceNow = func() time.Time { return now }
	// op runs one fake operation of 1e6 units of work that takes
	// perOp[mode] on the fake clock, and returns the mode it ran in.
	op := func(perOp [modes]time.Duration) int {
		m, start := paceMode()
		now = now.Add(perOp[m])
		paceDone(1e6, start)
		now = now.Add(10) // between operations: counted
		return m
	}
	for _, c := range []struct {
		name  string
		perOp [modes]time.Duration
		want  int
	}{
		{"quiet", [modes]time.Duration{100, 130, 160}, modeSpin},
		{"very busy", [modes]time.Duration{200, 130, 300}, modePark},
		{"one busy program", [modes]time.Duration{200, 180, 160}, modeSerial},
		// Sharing must beat the serial mode by paceMargin: a tie, or a
		// lead of 2%, goes to the serial mode.
		{"all alike", [modes]time.Duration{100, 100, 100}, modeSerial},
		{"park within the margin", [modes]time.Duration{200, 157, 160}, modeSerial},
		{"spin within the margin", [modes]time.Duration{155, 300, 160}, modeSerial},
		{"both beyond the margin", [modes]time.Duration{140, 130, 160}, modePark},
	} {
		resetPace()
		for i := 0; i < paceFirstTrial; i++ {
			if m := op(c.perOp); m != modeSpin {
				t.Fatalf("%s: operation %d, before the first probe, ran in mode %d", c.name, i, m)
			}
		}
		for r := 0; r < paceRounds; r++ {
			for want := 0; want < modes; want++ {
				for i := 0; i < paceBlock; i++ {
					if m := op(c.perOp); m != want {
						t.Fatalf("%s: operation %d of round %d of the probe of mode %d ran in mode %d", c.name, i, r, want, m)
					}
				}
			}
		}
		for i := 0; i < paceTrial; i++ { // the first trial
			if m := op(c.perOp); m != c.want {
				t.Fatalf("%s: operation %d of the trial ran in mode %d, want %d", c.name, i, m, c.want)
			}
			if i+1 < paceTrial && spinning() != (c.want == modeSpin) {
				t.Fatalf("%s: spinning() = %v in the trial of mode %d", c.name, spinning(), c.want)
			}
		}
		if m := op(c.perOp); m != modeSpin {
			t.Fatalf("%s: after the trial, mode %d, want the probe of mode %d", c.name, m, modeSpin)
		}
		if !spinning() {
			t.Fatalf("%s: not spinning in the probe of mode %d", c.name, modeSpin)
		}
		// The second probe confirms the first: the trial doubles.
		for i := 1; i < paceRounds*modes*paceBlock; i++ {
			op(c.perOp)
		}
		for i := 0; i < 2*paceTrial; i++ {
			if m := op(c.perOp); m != c.want {
				t.Fatalf("%s: operation %d of the second, doubled trial ran in mode %d, want %d", c.name, i, m, c.want)
			}
		}
		if m := op(c.perOp); m != modeSpin {
			t.Fatalf("%s: after the doubled trial, mode %d, want the probe of mode %d", c.name, m, modeSpin)
		}
	}
}

// TestPaceKinds checks that a probe compares the modes kind by kind
// (operations of the same work), not by time per unit of work over
// whatever mix each mode ran. Here a pass declared at a tenth of its cost
// (work 1e5, ten times as long as a product of work 1e6) makes up three
// operations in four when spinning and one in four otherwise: spinning is
// the fastest for both kinds, but per unit of work over its mix it would
// look the slowest. Operations of ever-changing sizes leave no kind that
// every mode ran, and the probe falls back to time per unit of work.
func TestPaceKinds(t *testing.T) {
	defer func() { paceNow = time.Now; resetPace() }()
	var now time.Time
	paceNow = func() time.Time { return now }
	product := [modes]time.Duration{100, 130, 160}
	i := 0
	op := func(varied bool) int {
		m, start := paceMode()
		pass := (i%4 < 3) == (m == modeSpin)
		work, took := 1e6, product[m]
		switch {
		case varied:
			work = 1e6 + float64(i) // every operation its own kind
		case pass:
			work, took = 1e5, 10*product[m]
		}
		i++
		now = now.Add(took)
		paceDone(work, start)
		now = now.Add(10)
		return m
	}
	for _, c := range []struct {
		varied bool
		want   int
	}{{false, modeSpin}, {true, modeSpin}} {
		resetPace()
		for range paceFirstTrial + paceRounds*modes*paceBlock {
			op(c.varied)
		}
		if m := op(c.varied); m != c.want {
			t.Errorf("varied sizes %v: the trial runs in mode %d, want %d", c.varied, m, c.want)
		}
	}
}
