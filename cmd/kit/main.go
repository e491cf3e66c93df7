// Command kit is the course kit of the backprop homework: it hands the
// assignment out without its answers and grades what the students hand in.
//
//	kit new [-assignment mlp|conv] [-replace PATH] [-solution] DIR   write a student module into DIR
//	kit grade [-assignment mlp|conv] [-json FILE] [-timeout D] [-seed N] DIR   grade the student module in DIR
//
// There are two assignments: mlp, the homework's network (the default),
// and conv, the naive convolution and max pooling, forward and backward.
//
// # Why a command, and what it reads
//
// The answers to the homework are the library itself: layers.Linear is part e
// and g, loss.SoftmaxCrossEntropy part i. So that the assignment and the
// library cannot drift apart, kit does not keep a copy of them. It finds the
// library's source folder at run time (the module it runs in: `go list -m`
// inside a checkout or a module that requires the library, else the module
// cache folder of the version it was installed from), parses the files with
// go/parser, and writes the chosen types and functions into the student's
// package: whole for the reference (-solution), with the bodies the student
// must write replaced by a panic the tests report as "part e:
// Linear.Forward is not implemented yet". No marker comments in the
// library are needed; the list of (package, declaration) → part of each
// assignment is parts.go.
// The training loop and the curves, which the library has only in a form
// with more machinery than a student needs, are the kit's own reference in
// internal/solution, copied the same way. The public and hidden tests and the
// student's helper file are embedded (folder _student: the files the
// assignments share, and a subfolder of each with its README and tests).
//
// Reading the folder at run time rather than embedding a copy keeps `go
// install` working (the module cache holds exactly the sources of the
// installed version) with nothing to regenerate when the library changes.
//
// kit imports the standard library and the library's atomicfile; the
// checks it embeds import the library, which is their reference. Nothing in
// the library imports kit.
//
// # Grading
//
// kit grade copies the student's .go files into a fresh module beside the
// hidden checks, compiles the test binary once, and runs each part on its
// own with a deadline: a panic or an endless loop costs that part only, and
// a file that does not compile is replaced by its blank version, which
// costs only the parts written in it. docs/teaching.md lists the checks,
// their tolerances and the mistakes they catch.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "kit:", err)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage:
  kit new [-assignment mlp|conv] [-replace PATH] [-solution] DIR   write the assignment as a Go module into DIR
  kit grade [-assignment mlp|conv] [-json FILE] [-timeout D] [-seed N] DIR   grade the student module in DIR
`

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "new":
		return runNew(args[1:], stdout, stderr)
	case "grade":
		return runGrade(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "kit: unknown command %q\n%s", args[0], usage)
	return errUsage
}
