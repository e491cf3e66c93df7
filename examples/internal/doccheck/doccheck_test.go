package doccheck

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/backprop-go/backprop/examples/internal/exampletest"
)

// check is one quoted output of the page.
type check struct {
	line  int      // of the marker in the page
	prog  string   // "./examples/partk"
	args  []string // the arguments after it
	quote []string // the lines of the code block
}

var marker = regexp.MustCompile(`^<!-- checked: go run (\./examples/\S+)((?: \S+)*) -->$`)

// parse returns the checks of the page, and an error for a marker that is not
// followed by a code block.
func parse(page []byte) ([]check, error) {
	var checks []check
	lines := strings.Split(string(page), "\n")
	for i := 0; i < len(lines); i++ {
		m := marker.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.Contains(lines[i], "<!-- checked") {
				return nil, fmt.Errorf("line %d: malformed marker %q", i+1, lines[i])
			}
			continue
		}
		c := check{line: i + 1, prog: m[1], args: strings.Fields(m[2])}
		if i+1 >= len(lines) || lines[i+1] != "```" {
			return nil, fmt.Errorf("line %d: marker not followed by a ``` block", i+1)
		}
		j := i + 2
		for ; j < len(lines) && lines[j] != "```"; j++ {
			c.quote = append(c.quote, lines[j])
		}
		if j == len(lines) {
			return nil, fmt.Errorf("line %d: code block never closed", i+1)
		}
		checks = append(checks, c)
		i = j
	}
	return checks, nil
}

// number is a number as the programs print it; bound is a quoted "<X".
var (
	number = regexp.MustCompile(`-?\d+(?:\.\d+)?(?:e[-+]?\d+)?`)
	bound  = regexp.MustCompile(`^<(\d+(?:\.\d+)?(?:e[-+]?\d+)?)`)
)

// want is what a quoted number asks of the printed one: within half a unit
// of the quote's last digit of its value, or below a bound.
type want struct {
	value, halfUnit float64
	below           bool // "<value": any number of smaller magnitude
}

func (w want) ok(s string) bool {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false
	}
	if w.below {
		return math.Abs(v) < w.value
	}
	// The slack covers the binary rounding of both decimal values.
	return math.Abs(v-w.value) <= w.halfUnit*(1+1e-9)
}

// parseWant reads a quoted number and the rounding of its printed digits:
// "2.77" is any value in [2.765, 2.775], "2e-08" any in [1.5e-08, 2.5e-08].
func parseWant(q string) want {
	v, _ := strconv.ParseFloat(q, 64)
	mant, exp := q, 0
	if i := strings.IndexByte(q, 'e'); i >= 0 {
		mant = q[:i]
		exp, _ = strconv.Atoi(q[i+1:])
	}
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		exp -= len(mant) - i - 1
	}
	return want{value: v, halfUnit: 0.5 * math.Pow(10, float64(exp))}
}

// lineMatcher turns one quoted line into a regular expression (see the
// package documentation) and returns what each of its numbers asks of the
// printed one.
func lineMatcher(q string) (*regexp.Regexp, []want) {
	var re strings.Builder
	var wants []want
	re.WriteString("^")
	rest := q
	for rest != "" {
		loc := number.FindStringIndex(rest)
		ell := strings.Index(rest, "…")
		data := strings.Index(rest, "<data>")
		next, kind := len(rest), ""
		if loc != nil {
			next, kind = loc[0], "number"
			if b := bound.FindStringIndex(rest[max(loc[0]-1, 0):]); loc[0] > 0 && b != nil {
				next, kind = loc[0]-1, "bound"
			}
		}
		if ell >= 0 && ell < next {
			next, kind = ell, "…"
		}
		if data >= 0 && data < next {
			next, kind = data, "data"
		}
		re.WriteString(regexp.QuoteMeta(rest[:next]))
		rest = rest[next:]
		switch kind {
		case "number", "bound":
			w := want{below: kind == "bound"}
			if w.below {
				rest = rest[1:]
			}
			n := number.FindString(rest)
			if w.below {
				w.value, _ = strconv.ParseFloat(n, 64)
			} else {
				w = parseWant(n)
			}
			wants = append(wants, w)
			re.WriteString(`(` + number.String() + `)`)
			rest = rest[len(n):]
		case "…":
			re.WriteString(".*")
			rest = rest[len("…"):]
		case "data":
			re.WriteString(".+")
			rest = rest[len("<data>"):]
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()), wants
}

// matches reports whether output line o matches quoted line q.
func matches(q, o string) bool {
	re, wants := lineMatcher(q)
	m := re.FindStringSubmatch(o)
	if m == nil {
		return false
	}
	for i, s := range m[1:] {
		if !wants[i].ok(s) {
			return false
		}
	}
	return true
}

// compare checks that the quote's lines appear in out in order, and returns
// the first quoted line that does not.
func compare(quote []string, out string) error {
	outLines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	k := 0
	skipping := false
	for _, q := range quote {
		if strings.TrimSpace(q) == "…" {
			skipping = true
			continue
		}
		for {
			if k >= len(outLines) {
				return fmt.Errorf("quoted line %q not in the output (or out of order)", q)
			}
			if matches(q, outLines[k]) {
				k++
				break
			}
			if !skipping {
				return fmt.Errorf("quoted line %q, program printed %q", q, outLines[k])
			}
			k++
		}
		skipping = false
	}
	return nil
}

func TestCompare(t *testing.T) {
	out := "a 1\nb 2.2e-13 c\nskipped\nd took 1.5s\ne <data>\n"
	for _, good := range [][]string{
		{"a 1", "b <1e-12 c", "…", "d took …"},
		{"a 1", "…", "e …"},
		{"…", "d took …"},
		{"a 1", "b 2.2e-13 c"},
	} {
		if err := compare(good, out); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	for _, bad := range [][]string{
		{"a 2"},
		{"a 1", "b 1e-3 c"},         // not the printed number
		{"a 1", "b 1.6e-12 c"},      // a stale small number fails like any other
		{"a 1", "b <1e-13 c"},       // above the bound
		{"a 1", "d took …"},         // a line skipped without "…"
		{"d took …", "a 1"},         // out of order
		{"a 1", "b 2.2e-13 c", "x"}, // missing
	} {
		if err := compare(bad, out); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if !matches("from <data>/fashion-mnist", "from /some/where/fashion-mnist") {
		t.Error("<data> does not match a folder")
	}
	for _, tc := range []struct {
		quote, printed string
		ok             bool
	}{
		{"loss 0.5", "loss 0.25", false},
		{"err <1e-10 (pass)", "err 3e-11 (pass)", true},
		{"err <1e-10", "err 2e-5", false},
		// Numbers compare to the rounding of the quoted digits, at every size.
		{"init 2.77", "init 2.758", false},
		{"init 2.765", "init 2.758", false},
		{"init 2.76", "init 2.758", true},
		{"init 2.758", "init 2.758", true},
		{"at ε = 1e-09", "at ε = 3e-08", false},
		{"at ε = 3e-08", "at ε = 3e-08", true},
		{"rel 1.9e-11", "rel 2.3e-11", false},
		{"rel 2e-11", "rel 2.3e-11", true},
		{"rel 2e-11", "rel 2.6e-11", false},
		{"MLP 6-5-4-3 [4 6] 24", "MLP 6-5-4-3 [4 6] 24", true},
		{"MLP 6-5-4-3 [4 6] 24", "MLP 6-5-4-3 [4 6] 25", false},
		{"1,000 images", "1,000 images", true},
	} {
		if got := matches(tc.quote, tc.printed); got != tc.ok {
			t.Errorf("matches(%q, %q) = %v, want %v", tc.quote, tc.printed, got, tc.ok)
		}
	}
}

// TestHomeworkPageQuotes runs every checked command of docs/homework.md and
// compares its output with the quote.
func TestHomeworkPageQuotes(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(root, "docs", "homework.md"))
	if err != nil {
		t.Fatal(err)
	}
	checks, err := parse(page)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) < 10 {
		t.Fatalf("docs/homework.md has %d checked quotes; the page quotes more than that", len(checks))
	}
	needData := false
	for _, c := range checks {
		switch filepath.Base(c.prog) {
		case "parte", "partf", "partg", "parth", "parti", "partj":
		default:
			needData = true
		}
	}
	if needData {
		exampletest.NeedData(t)
	}
	if testing.Short() && needData {
		t.Skip("-short: the checks train networks")
	}
	bin, work := t.TempDir(), t.TempDir()
	built := map[string]string{}
	for _, c := range checks {
		exe, ok := built[c.prog]
		if !ok {
			exe = filepath.Join(bin, filepath.Base(c.prog))
			build := exec.Command("go", "build", "-o", exe, c.prog)
			build.Dir = root
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build %s: %v\n%s", c.prog, err, out)
			}
			built[c.prog] = exe
		}
		cmd := exec.Command(exe, c.args...)
		cmd.Dir = work // ./out/… of the quoted commands goes here
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatal(err)
			}
			t.Errorf("docs/homework.md:%d: go run %s %s failed: %v\n%s", c.line, c.prog, strings.Join(c.args, " "), err, tail(stderr.String()))
			continue
		}
		if err := compare(c.quote, stdout.String()); err != nil {
			t.Errorf("docs/homework.md:%d: go run %s %s: %v", c.line, c.prog, strings.Join(c.args, " "), err)
		}
	}
}

// tail returns the last lines of s.
func tail(s string) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}
