package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the table of mistakes in docs/teaching.md")

// libDir returns the library's folder and a generator reading it.
func libDir(t *testing.T) (string, *generator) {
	t.Helper()
	dir, err := libraryDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir, newGenerator(dir)
}

// needData skips a test that trains on FashionMNIST when it is missing,
// unless CI requires the data.
func needData(t *testing.T) {
	t.Helper()
	if os.Getenv("BACKPROP_DATA") == "" {
		if os.Getenv("BACKPROP_REQUIRE_DATA") != "" {
			t.Fatal("BACKPROP_REQUIRE_DATA is set but BACKPROP_DATA is not")
		}
		t.Skip("part k trains on FashionMNIST: set BACKPROP_DATA")
	}
}

// TestGenerate checks the two versions of every student file: the blank one
// has every part's body replaced, the solution has the library's bodies.
func TestGenerate(t *testing.T) {
	_, g := libDir(t)
	gen := map[string][2]map[string][]byte{} // assignment → blank, solution
	for _, a := range assignments {
		blank, err := g.generate(a, false)
		if err != nil {
			t.Fatal(err)
		}
		sol, err := g.generate(a, true)
		if err != nil {
			t.Fatal(err)
		}
		gen[a.Name] = [2]map[string][]byte{blank, sol}
		for _, f := range a.Files {
			if !bytes.Contains(blank[f.Name], []byte("\npackage "+a.Package+"\n")) {
				t.Errorf("%s: blank %s is not in package %s", a.Name, f.Name, a.Package)
			}
			for _, it := range f.Items {
				if it.Part == "" {
					continue
				}
				stub := fmt.Sprintf("panic(notImplemented(%q, %q))", it.Part, it.Name)
				if !bytes.Contains(blank[f.Name], []byte(stub)) {
					t.Errorf("%s: blank %s lacks %s", a.Name, f.Name, stub)
				}
				if bytes.Contains(sol[f.Name], []byte("notImplemented(")) {
					t.Errorf("%s: solution %s still has a notImplemented body", a.Name, f.Name)
				}
			}
		}
	}
	blank, sol := gen["mlp"][0], gen["mlp"][1]
	// A helper only the answers use must not be handed out: it would give
	// part of an answer away (and be unused).
	if bytes.Contains(blank["relu.go"], []byte("positiveMask")) {
		t.Error("blank relu.go holds positiveMask, a helper of the answer")
	}
	if !bytes.Contains(sol["relu.go"], []byte("func positiveMask")) {
		t.Error("solution relu.go lacks positiveMask, which ReLU.Backward calls")
	}
}

// TestGradeReferenceAndBlank grades the reference solution of the MLP
// assignment, which must score full marks, and the blank kit, which must
// score 0, through the command line with -json.
func TestGradeReferenceAndBlank(t *testing.T) {
	needData(t)
	gradeReferenceAndBlank(t, assignments[0])
}

// TestGradeConvReferenceAndBlank is TestGradeReferenceAndBlank for the
// convolution assignment, which needs no data.
func TestGradeConvReferenceAndBlank(t *testing.T) {
	a, err := findAssignment("conv")
	if err != nil {
		t.Fatal(err)
	}
	gradeReferenceAndBlank(t, a)
}

func gradeReferenceAndBlank(t *testing.T, a *assignment) {
	lib, g := libDir(t)
	for _, solution := range []bool{true, false} {
		dir := t.TempDir()
		files, err := studentModule(g, a, solution, lib)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeFiles(dir, files); err != nil {
			t.Fatal(err)
		}
		// The public tests: all pass in the solution; in the blank kit each
		// fails saying what is not implemented, without a panic's trace.
		cmd := exec.Command("go", "test", "-count=1", "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if solution && err != nil {
			t.Errorf("the reference fails its public tests: %v\n%s", err, out)
		}
		if !solution && (err == nil || strings.Contains(string(out), "goroutine ") || !strings.Contains(string(out), "is not implemented yet")) {
			t.Errorf("the blank kit's public tests should fail with \"not implemented yet\" and no trace: %v\n%s", err, out)
		}

		jsonFile := filepath.Join(t.TempDir(), "results.json")
		var stdout, stderr bytes.Buffer
		if err := run([]string{"grade", "-assignment", a.Name, "-json", jsonFile, "-timeout", "2m", dir}, &stdout, &stderr); err != nil {
			t.Fatalf("kit grade: %v\n%s", err, stderr.String())
		}
		var res struct {
			Score int
			Tests []struct {
				Name       string
				Score      int
				MaxScore   int `json:"max_score"`
				Output     string
				Visibility string
			}
		}
		b, err := os.ReadFile(jsonFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Tests) != len(a.Parts) {
			t.Fatalf("results.json has %d tests, want %d", len(res.Tests), len(a.Parts))
		}
		want, total := 0, 0
		for _, p := range a.Parts {
			total += p.Max
		}
		if solution {
			want = total
		}
		if res.Score != want {
			t.Errorf("solution=%v: score %d, want %d\n%s", solution, res.Score, want, stdout.String())
		}
		sum := 0
		for _, tt := range res.Tests {
			sum += tt.Score
			if tt.Visibility != "visible" || tt.MaxScore <= 0 {
				t.Errorf("test %q: visibility %q, max_score %d", tt.Name, tt.Visibility, tt.MaxScore)
			}
		}
		if sum != res.Score {
			t.Errorf("the tests' scores add up to %d, the total is %d", sum, res.Score)
		}
		if !strings.Contains(stdout.String(), fmt.Sprintf("total %3d/%-3d", want, total)) {
			t.Errorf("the table lacks the total %d/%d:\n%s", want, total, stdout.String())
		}
	}
}

// A fixture is a typical broken solution: functions that replace the
// reference's, a description, the parts it must lose and its assignment
// (a line "// Assignment: conv"; mlp without one).
type fixture struct {
	Name, Mistake, Assignment string
	Loses                     []string
	Src                       []byte
}

// fixtures reads testdata/broken/*/fix.go.
func fixtures(t *testing.T) []fixture {
	t.Helper()
	paths, err := filepath.Glob("testdata/broken/*/fix.go")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var fs []fixture
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := fixture{Name: filepath.Base(filepath.Dir(p)), Src: b, Assignment: "mlp"}
		for _, line := range strings.Split(string(b), "\n") {
			if s, ok := strings.CutPrefix(line, "// Mistake: "); ok {
				f.Mistake = s
			}
			if s, ok := strings.CutPrefix(line, "// Assignment: "); ok {
				f.Assignment = s
			}
			if s, ok := strings.CutPrefix(line, "// Loses: "); ok {
				f.Loses = strings.Fields(s)
			}
		}
		if f.Mistake == "" || len(f.Loses) == 0 {
			t.Fatalf("%s: needs a // Mistake: and a // Loses: line", p)
		}
		fs = append(fs, f)
	}
	return fs
}

// TestBroken grades every broken solution of testdata/broken: each must
// lose exactly the parts its Loses line names, and keep all the others.
// It takes a few minutes, so it runs only with BACKPROP_KIT_BROKEN=1 (as
// .ci/run does).
func TestBroken(t *testing.T) {
	if os.Getenv("BACKPROP_KIT_BROKEN") == "" {
		t.Skip("set BACKPROP_KIT_BROKEN=1 to grade the broken solutions (a few minutes)")
	}
	lib, g := libDir(t)
	for _, f := range fixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			a, err := findAssignment(f.Assignment)
			if err != nil {
				t.Fatal(err)
			}
			if a.Name == "mlp" {
				needData(t)
			}
			sol, err := studentModule(g, a, true, lib)
			if err != nil {
				t.Fatal(err)
			}
			files, err := applyFix(sol, f.Src)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := writeFiles(dir, files); err != nil {
				t.Fatal(err)
			}
			res, err := grade(g, a, lib, dir, 30*time.Second, 0)
			if err != nil {
				t.Fatal(err)
			}
			var lost []string
			var out bytes.Buffer
			printTable(&out, res)
			for _, r := range res {
				if r.Score < r.Part.Max {
					lost = append(lost, r.Part.ID)
				}
			}
			t.Logf("%s\n%s", f.Mistake, out.String())
			if strings.Join(lost, " ") != strings.Join(f.Loses, " ") {
				t.Errorf("loses parts %v, want %v\n%s", lost, f.Loses, out.String())
			}
		})
	}
}

// applyFix returns files with each function of fix replacing the
// function of the same name (and receiver), and the imports of the files
// changed made to fit.
func applyFix(files map[string][]byte, fix []byte) (map[string][]byte, error) {
	fset := token.NewFileSet()
	ff, err := parser.ParseFile(fset, "fix.go", fix, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for k, v := range files {
		out[k] = v
	}
	for _, d := range ff.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		key := funcKey(fd)
		text := fix[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset]
		found := false
		for name, src := range out {
			if !strings.HasSuffix(name, ".go") {
				continue
			}
			fs2 := token.NewFileSet()
			f, err := parser.ParseFile(fs2, name, src, parser.ParseComments)
			if err != nil {
				return nil, err
			}
			for _, d2 := range f.Decls {
				if fd2, ok := d2.(*ast.FuncDecl); ok && funcKey(fd2) == key {
					from, to := fs2.Position(fd2.Pos()).Offset, fs2.Position(fd2.End()).Offset
					nsrc := append(append(append([]byte(nil), src[:from]...), text...), src[to:]...)
					nsrc, err = tidyImports(nsrc, ff.Imports)
					if err != nil {
						return nil, fmt.Errorf("%s: %v", name, err)
					}
					out[name] = nsrc
					found = true
				}
			}
			if found {
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no student file declares %s", key)
		}
	}
	return out, nil
}

func funcKey(fd *ast.FuncDecl) string {
	if fd.Recv != nil {
		return recvType(fd) + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// tidyImports rewrites src's imports to those of its own and of extra that
// it uses.
func tidyImports(src []byte, extra []*ast.ImportSpec) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := s.X.(*ast.Ident); ok && x.Obj == nil {
				used[x.Name] = true
			}
		}
		return true
	})
	paths := map[string]bool{}
	for _, spec := range append(append([]*ast.ImportSpec(nil), f.Imports...), extra...) {
		if name, p := importName(spec); used[name] {
			paths[p] = true
		}
	}
	var list []string
	for p := range paths {
		list = append(list, fmt.Sprintf("%q", p))
	}
	sort.Strings(list)
	block := ""
	if len(list) > 0 {
		block = "import (\n" + strings.Join(list, "\n") + "\n)\n"
	}
	from := fset.Position(f.Name.End()).Offset
	to := from
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			to = fset.Position(gd.End()).Offset
		}
	}
	out := append(append(append([]byte(nil), src[:from]...), "\n\n"+block...), src[to:]...)
	return format.Source(out)
}

// TestTeachingTable checks that the tables of typical mistakes in
// docs/teaching.md, one per assignment, are the ones the fixtures give (go
// test -update rewrites them).
func TestTeachingTable(t *testing.T) {
	fs := fixtures(t)
	for _, a := range assignments {
		var b strings.Builder
		b.WriteString("| mistake | parts lost | fixture |\n| --- | --- | --- |\n")
		n := 0
		for _, f := range fs {
			if f.Assignment == a.Name {
				fmt.Fprintf(&b, "| %s | %s | `%s` |\n", f.Mistake, strings.Join(f.Loses, ", "), f.Name)
				n++
			}
		}
		if n < 3 {
			t.Errorf("assignment %s has %d broken solutions in testdata/broken, want at least 3", a.Name, n)
		}
		begin := "<!-- mistakes: generated by TestTeachingTable in cmd/kit from testdata/broken -->\n"
		if a.Name != "mlp" {
			begin = "<!-- " + a.Name + " mistakes: generated by TestTeachingTable in cmd/kit from testdata/broken -->\n"
		}
		teachingTable(t, begin, b.String())
	}
}

// teachingTable checks the table after the marker begin in docs/teaching.md.
func teachingTable(t *testing.T, begin, table string) {
	t.Helper()
	const path = "../../docs/teaching.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const end = "<!-- end of mistakes -->"
	i := bytes.Index(doc, []byte(begin))
	j := -1
	if i >= 0 {
		j = bytes.Index(doc[i:], []byte(end))
		if j >= 0 {
			j += i
		}
	}
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q", path, begin, end)
	}
	got := string(doc[i+len(begin) : j])
	if got == table {
		return
	}
	if *update {
		doc = append(append(append([]byte(nil), doc[:i+len(begin)]...), table...), doc[j:]...)
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the table of mistakes in %s is stale; run go test ./cmd/kit -run TestTeachingTable -update. Want:\n%s", path, table)
}

// TestUsage: both commands take flags and exactly one folder, say how to
// call them otherwise, and name an unknown assignment.
func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		run  func([]string, io.Writer, io.Writer) error
		args []string
		want string // in the error or on stderr
	}{
		{runNew, nil, "usage: kit new [-assignment mlp|conv]"},
		{runNew, []string{"a", "b"}, "usage: kit new"},
		{runNew, []string{"-nosuchflag", "a"}, "flag provided but not defined"},
		{runNew, []string{"-assignment", "cnn", t.TempDir()}, `-assignment "cnn": the kit has mlp and conv`},
		{runGrade, nil, "usage: kit grade [-assignment mlp|conv] [-json FILE]"},
		{runGrade, []string{"a", "b"}, "usage: kit grade"},
		{runGrade, []string{"-assignment", "x", "a"}, `-assignment "x"`},
		{runGrade, []string{"-timeout", "0s", "a"}, "-timeout must be positive"},
	} {
		var stdout, stderr strings.Builder
		err := tc.run(tc.args, &stdout, &stderr)
		if err == nil {
			t.Errorf("%v: no error", tc.args)
			continue
		}
		if got := err.Error() + "\n" + stderr.String(); !strings.Contains(got, tc.want) {
			t.Errorf("%v: got %q, want it to contain %q", tc.args, got, tc.want)
		}
	}
}
