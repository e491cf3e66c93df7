package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backprop-go/backprop/atomicfile"
)

func runGrade(args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("grade", "[-assignment mlp|conv] [-json FILE] [-timeout D] [-seed N] DIR", stderr)
	jsonOut := fl.String("json", "", "also write Gradescope's results.json to this `file`")
	timeout := fl.Duration("timeout", 2*time.Minute, "time allowed to each part's checks")
	name := fl.String("assignment", "mlp", "the assignment the folder holds: mlp or conv")
	seed := fl.Uint64("seed", 0, "draw the checks' inputs from this seed instead of the kit's own (0), which is in the kit's public source")
	dir, a, err := parseFolder(fl, args, name)
	if err != nil {
		return err
	}
	if *timeout <= 0 {
		return fmt.Errorf("-timeout must be positive, have %v", *timeout)
	}
	if *jsonOut != "" {
		if err := writableDir(filepath.Dir(*jsonOut)); err != nil {
			return fmt.Errorf("-json %s: %w", *jsonOut, err)
		}
	}
	lib, err := libraryDir()
	if err != nil {
		return err
	}
	res, err := grade(newGenerator(lib), a, lib, dir, *timeout, *seed)
	if err != nil {
		return err
	}
	printTable(stdout, res)
	if *jsonOut != "" {
		return atomicfile.Write(*jsonOut, func(w io.Writer) error { return writeGradescope(w, res) })
	}
	return nil
}

// writableDir checks before any work that dir is a folder.
func writableDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}

// A partResult is the grade of one part.
type partResult struct {
	Part       part
	Score      int
	Output     string // one line per check, then what went wrong
	CheckMax   int    // the points of the checks that ran
	Incomplete bool   // the checks did not all run (crash, timeout)
}

// grade grades the student module of a in dir against the library in lib.
func grade(g *generator, a *assignment, lib, dir string, timeout time.Duration, seed uint64) ([]partResult, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	blank, err := g.generate(a, false)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "kit-grade-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// The module: the student's files over the blank kit, our kit.go and tests.
	files := map[string][]byte{"go.mod": []byte(goMod(lib))}
	for _, f := range append(publicFiles, "grader_test.go", "grade_test.go") {
		files[f] = a.embedded(f)
	}
	notes := map[string]string{} // student file → why it was replaced by the blank one
	for name, b := range blank {
		files[name] = b
		notes[name] = "not handed in"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || files[n] != nil && blank[n] == nil {
			continue // tests and kit.go are the kit's
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		if pkg, err := parser.ParseFile(token.NewFileSet(), n, b, parser.PackageClauseOnly); err == nil && pkg.Name.Name != a.Package {
			if blank[n] != nil {
				notes[n] = fmt.Sprintf("is in package %s, not %s, so its blank version was graded", pkg.Name.Name, a.Package)
			}
			continue
		}
		files[n] = b
		delete(notes, n)
	}
	if err := writeFiles(tmp, files); err != nil {
		return nil, err
	}

	// Compile once; a file that does not compile is replaced by its blank
	// version (an extra file of the student's is removed) and the binary
	// compiled again, so an error costs only the parts of its file.
	for attempt := 0; ; attempt++ {
		out, err := goCmd(tmp, "test", "-c", "-o", "kit.test", ".")
		if err == nil {
			break
		}
		bad := compileErrors(out)
		if len(bad) == 0 || attempt > 2*len(files) {
			return nil, fmt.Errorf("the student module does not compile, and not because of a student file:\n%s", out)
		}
		fixed := false
		for file, msgs := range bad {
			switch {
			case blank[file] != nil:
				if notes[file] != "" {
					continue // already blank: the errors come from elsewhere
				}
				notes[file] = "did not compile, so its blank version was graded:\n" + msgs
				files[file] = blank[file]
				fixed = true
			case strings.HasSuffix(file, "_test.go"):
				// A student changed a signature the tests call: blank the
				// files of the parts whose tests no longer compile.
				for _, p := range testParts(a, files[file], msgs) {
					for _, f := range p.Files {
						if notes[f] == "" {
							notes[f] = "does not match the tests' use of it (a changed signature?), so its blank version was graded:\n" + msgs
							files[f] = blank[f]
							fixed = true
						}
					}
				}
			case files[file] != nil && file != "kit.go" && file != "go.mod":
				notes[file] = "did not compile and was left out:\n" + msgs
				delete(files, file)
				if err := os.Remove(filepath.Join(tmp, file)); err != nil {
					return nil, err
				}
				fixed = true
			}
		}
		if !fixed {
			return nil, fmt.Errorf("the student module does not compile even with blank files:\n%s", out)
		}
		if err := writeFiles(tmp, files); err != nil {
			return nil, err
		}
	}

	var res []partResult
	for _, p := range a.Parts {
		r := runPart(tmp, p, timeout, seed)
		var pre []string
		for _, f := range p.Files {
			if n := notes[f]; n != "" && n != "not handed in" {
				pre = append(pre, f+" "+n)
			} else if n != "" {
				pre = append(pre, f+" was not handed in: the blank version was graded")
			}
		}
		if len(pre) > 0 {
			r.Output = strings.Join(pre, "\n") + "\n" + r.Output
		}
		res = append(res, r)
	}
	return res, nil
}

// goCmd runs the go command in dir and returns its combined output.
func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off") // GOFLAGS (-tags=purego) passes through
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var compileLine = regexp.MustCompile(`^(?:\./)?([^\s:/]+\.go):(\d+):(?:\d+:)? (.*)$`)

// compileErrors returns the compiler's messages by file name.
func compileErrors(out string) map[string]string {
	bad := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if m := compileLine.FindStringSubmatch(line); m != nil {
			bad[m[1]] += "\t" + line + "\n"
		}
	}
	return bad
}

// testParts returns the parts of a whose test functions hold the lines of msgs.
func testParts(a *assignment, src []byte, msgs string) []part {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "t.go", src, 0)
	if err != nil {
		return nil
	}
	var lines []int
	for _, l := range strings.Split(msgs, "\n") {
		if m := compileLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			n, _ := strconv.Atoi(m[2])
			lines = append(lines, n)
		}
	}
	seen := map[string]bool{}
	var ps []part
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		from, to := fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line
		for _, l := range lines {
			if l < from || l > to {
				continue
			}
			name := fd.Name.Name
			var ids string
			switch {
			case strings.HasPrefix(name, "TestGrade_"):
				ids = strings.TrimPrefix(name, "TestGrade_")
			case strings.HasPrefix(name, "TestPart"):
				ids = strings.ToLower(strings.SplitN(strings.TrimPrefix(name, "TestPart"), "_", 2)[0])
			}
			for _, p := range a.Parts {
				if strings.Contains(ids, p.ID) && !seen[p.ID] {
					seen[p.ID] = true
					ps = append(ps, p)
				}
			}
		}
	}
	return ps
}

// runPart runs the hidden checks of p in the compiled test binary of dir,
// with a deadline, and scores the checks that report.
func runPart(dir string, p part, timeout time.Duration, seed uint64) partResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "kit.test"), "-test.run", "^TestGrade_"+p.ID+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = os.Environ()
	if seed != 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("KIT_SEED=%d", seed))
	}
	cmd.WaitDelay = 5 * time.Second
	out := &keptLines{}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	out.Write([]byte("\n")) // the last line, if it lacks its newline
	r := partResult{Part: p}
	var b strings.Builder
	finished := false
	var other []string
	for _, line := range out.lines {
		if js, ok := strings.CutPrefix(line, "KIT "); ok {
			var k struct {
				Check       string
				Points, Max int
				Msg         string
			}
			if json.Unmarshal([]byte(js), &k) == nil {
				r.Score += k.Points
				r.CheckMax += k.Max
				mark := "ok  "
				if k.Points < k.Max {
					mark = "FAIL"
				}
				fmt.Fprintf(&b, "%s %d/%d  %s\n", mark, k.Points, k.Max, k.Check)
				if k.Msg != "" {
					fmt.Fprintf(&b, "        %s\n", strings.ReplaceAll(k.Msg, "\n", "\n        "))
				}
			}
			continue
		}
		if strings.HasPrefix(line, "--- PASS: TestGrade_") || strings.HasPrefix(line, "--- FAIL: TestGrade_") {
			finished = true
		}
		if !strings.HasPrefix(line, "=== RUN") && !strings.HasPrefix(line, "    grade_test.go") && !strings.HasPrefix(line, "--- ") && line != "PASS" && line != "FAIL" {
			other = append(other, line)
		}
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		r.Incomplete = true
		fmt.Fprintf(&b, "stopped after %v: a check did not finish (an endless loop?); the checks above it count, the rest score 0\n", timeout)
	case !finished:
		r.Incomplete = true
		if len(other) > 20 {
			other = other[:20]
		}
		fmt.Fprintf(&b, "the checks crashed (%v); those above count, the rest score 0:\n%s\n", err, strings.Join(other, "\n"))
	}
	r.Output = b.String()
	return r
}

// printTable writes the grades as a table with each failure below it.
func printTable(w io.Writer, res []partResult) {
	total, max := 0, 0
	fmt.Fprintf(w, "%-5s %7s  %s\n", "part", "score", "what")
	for _, r := range res {
		fmt.Fprintf(w, "%-5s %3d/%-3d  %s\n", r.Part.ID, r.Score, r.Part.Max, r.Part.Title)
		total += r.Score
		max += r.Part.Max
	}
	fmt.Fprintf(w, "%-5s %3d/%-3d\n", "total", total, max)
	for _, r := range res {
		if r.Score < r.Part.Max {
			fmt.Fprintf(w, "\npart %s, %s: %d/%d\n%s", r.Part.ID, r.Part.Title, r.Score, r.Part.Max, r.Output)
		}
	}
}

// writeGradescope writes res in the format of Gradescope's autograder
// results.json: the total score and one test per part.
func writeGradescope(w io.Writer, res []partResult) error {
	type test struct {
		Name       string `json:"name"`
		Score      int    `json:"score"`
		MaxScore   int    `json:"max_score"`
		Output     string `json:"output"`
		Visibility string `json:"visibility"`
	}
	var out struct {
		Score  int    `json:"score"`
		Output string `json:"output"`
		Tests  []test `json:"tests"`
	}
	for _, r := range res {
		out.Score += r.Score
		out.Tests = append(out.Tests, test{Name: r.Part.ID + ". " + r.Part.Title, Score: r.Score, MaxScore: r.Part.Max, Output: r.Output, Visibility: "visible"})
	}
	sort.SliceStable(out.Tests, func(i, j int) bool { return out.Tests[i].Name < out.Tests[j].Name })
	out.Output = "Each part is graded on its own, on inputs the public tests do not use. docs/teaching.md of the backprop library lists the checks."
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// keptLines is the output of a test binary, kept within bounds whatever the
// student's code prints: every line the checks print ("KIT …", "--- …"),
// the first 200 others, and at most 64 kB of any line.
type keptLines struct {
	lines   []string
	partial []byte
	others  int
}

func (k *keptLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			k.partial = append(k.partial, p[:min(len(p), 1<<16-len(k.partial))]...)
			break
		}
		k.partial = append(k.partial, p[:min(i, 1<<16-len(k.partial))]...)
		p = p[i+1:]
		line := string(k.partial)
		k.partial = k.partial[:0]
		if strings.HasPrefix(line, "KIT ") || strings.HasPrefix(line, "--- ") {
			k.lines = append(k.lines, line)
		} else if k.others < 200 && line != "" {
			k.others++
			k.lines = append(k.lines, line)
		}
	}
	return n, nil
}
