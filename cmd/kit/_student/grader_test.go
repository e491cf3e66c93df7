package mlp

// The machinery of kit grade's hidden checks, shared by the assignments:
// each check prints one line "KIT {json}" that kit grade reads; a test that
// dies (a crash, an endless loop that kit grade kills) keeps the points of
// the checks it finished.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// hiddenSeed seeds every input of the checks: the kit's own, or the one a
// teacher passes to kit grade -seed (in KIT_SEED), which students cannot
// read in the kit's source.
var hiddenSeed = func() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("KIT_SEED"), 10, 64); err == nil {
		return s
	}
	return 0x6b69745f68696464
}()

// Tolerances: values are compared with tol·max(1, |want|), so the score is
// the same with the assembly kernels, -tags purego and on any architecture,
// whose sums differ in the last bits only.
const (
	valueTol = 1e-9 // computed values against the library's
	gradTol  = 1e-6 // gradient checks (ε = 1e-4: a correct layer gives 1e-9 or less, a bug 1e-2 or more)
)

// kitLine is the line each check prints for kit grade.
type kitLine struct {
	Part   string `json:"part"`
	Check  string `json:"check"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Msg    string `json:"msg,omitempty"`
}

// grader runs the checks of one part, drawing inputs from rng, which is
// seeded by hiddenSeed and the part's name.
type grader struct {
	t    *testing.T
	part string
	rng  *rand.Rand
}

func newGrader(t *testing.T, part string) *grader {
	s := hiddenSeed
	for i, ch := range []byte(part) {
		s += uint64(ch) << (8 * i) // part "e": hiddenSeed + 'e'
	}
	return &grader{t: t, part: part, rng: rand.New(rand.NewPCG(s, s))}
}

// check runs f, which returns nil when the check passes, and prints its line.
func (g *grader) check(name string, points int, f func() error) {
	err := try(f)
	line := kitLine{Part: g.part, Check: name, Max: points}
	if err == nil {
		line.Points = points
	} else {
		line.Msg = err.Error()
		g.t.Errorf("%s: %v", name, err)
	}
	b, _ := json.Marshal(line)
	fmt.Printf("KIT %s\n", b)
}
