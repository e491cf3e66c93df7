package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
)

func runNew(args []string, stdout, stderr io.Writer) error {
	fl := newFlagSet("new", "[-assignment mlp|conv] [-replace PATH] [-solution] DIR", stderr)
	replace := fl.String("replace", "", "write a replace line pointing the library at this local checkout")
	solution := fl.Bool("solution", false, "write the complete reference solution instead of the blank assignment")
	name := fl.String("assignment", "mlp", "the assignment: mlp (the homework's MLP) or conv (naive convolution and max pooling)")
	dir, a, err := parseFolder(fl, args, name)
	if err != nil {
		return err
	}
	if err := emptyDir(dir); err != nil {
		return err
	}
	rep := ""
	if *replace != "" {
		abs, err := filepath.Abs(*replace)
		if err != nil {
			return err
		}
		if !isLibrary(abs) {
			return fmt.Errorf("-replace %s: no go.mod of %s there", *replace, modulePath)
		}
		rep = abs
	}
	lib, err := libraryDir()
	if err != nil {
		return err
	}
	files, err := studentModule(newGenerator(lib), a, *solution, rep)
	if err != nil {
		return err
	}
	if err := writeFiles(dir, files); err != nil {
		return err
	}
	if rep == "" && !releasedKit() {
		fmt.Fprintf(stderr, "kit: this kit is a development build, so %s/go.mod requires a version of the library that does not exist:\n"+
			"     pass -replace PATH (a local checkout), or run go get %s@latest in %s\n", dir, modulePath, dir)
	}
	what := a.Name + " assignment"
	if *solution {
		what = "reference solution of the " + a.Name + " assignment"
	}
	fmt.Fprintf(stdout, "wrote the %s into %s (%d files); cd %s && go test ./...\n", what, dir, len(files), dir)
	return nil
}

// emptyDir checks, before any work, that dir is absent or empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: kit new writes into a new or empty folder only", dir)
	}
	return nil
}

// studentModule returns every file of a student module of a: go.mod,
// README.md, kit.go, the generated code and the public tests.
func studentModule(g *generator, a *assignment, solution bool, replace string) (map[string][]byte, error) {
	code, err := g.generate(a, solution)
	if err != nil {
		return nil, err
	}
	code["go.mod"] = []byte(goMod(replace))
	for _, f := range publicFiles {
		code[f] = a.embedded(f)
	}
	code["README.md"] = []byte(a.readme())
	return code, nil
}

// publicFiles are the embedded files of a student module: the helper that
// blank bodies call, the public tests and their helpers.
var publicFiles = []string{"kit.go", "check_test.go", "public_test.go"}

// goMod returns the student module's go.mod. The library is required at
// the kit's own version when the kit was installed from one; with replace
// it is taken from that folder.
func goMod(replace string) string {
	version := "v0.0.0-00010101000000-000000000000"
	if releasedKit() {
		bi, _ := debug.ReadBuildInfo()
		version = bi.Main.Version
	}
	s := "module hw\n\ngo 1.22\n\nrequire " + modulePath + " " + version + "\n"
	if replace != "" {
		if strings.ContainsAny(replace, " \t\"'`\\") {
			replace = strconv.Quote(replace) // go.mod's syntax for such a path
		}
		s += "\nreplace " + modulePath + " => " + replace + "\n"
	}
	return s
}

// writeFiles writes files into dir, creating it.
func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// releasedKit reports whether the kit was installed from a version of the
// module (go install …/cmd/kit@v1.2.3) rather than built from a checkout.
func releasedKit() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Path != modulePath {
		return false
	}
	v := bi.Main.Version
	return strings.HasPrefix(v, "v") && !strings.HasSuffix(v, "+dirty") && !strings.HasPrefix(v, "v0.0.0-00010101000000-")
}

// newFlagSet returns the flag set of the kit's command cmd, whose usage
// line shows synopsis.
func newFlagSet(cmd, synopsis string, stderr io.Writer) *flag.FlagSet {
	fl := flag.NewFlagSet("kit "+cmd, flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: kit %s %s\n", cmd, synopsis)
		fl.PrintDefaults()
	}
	return fl
}

// parseFolder parses args with fl: flags, then exactly one folder. It
// returns the folder and the assignment that the -assignment flag, whose
// value is *name, chose.
func parseFolder(fl *flag.FlagSet, args []string, name *string) (string, *assignment, error) {
	if err := fl.Parse(args); err != nil {
		return "", nil, errUsage
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return "", nil, errUsage
	}
	a, err := findAssignment(*name)
	if err != nil {
		return "", nil, err
	}
	return fl.Arg(0), a, nil
}
