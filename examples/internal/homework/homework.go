// Package homework holds what the part-by-part example programs share: the
// homework's settings and their flags, loading and preprocessing the data
// (parts a and c), the folder part k saves its model into and parts l to o
// read it from, and the figures of the training curves.
//
// It is internal to examples/ because it is glue for those programs, not
// library API. The training loop itself is not here: it is written out in
// examples/partk/main.go, where a student reads it. Train below runs the
// same loop through train.Run, for the programs that train many networks
// (the sweep, the learning curve) or part k's network when a later part
// finds none; the recipe of docs/beyond.md (optimisers, schedules,
// BatchNorm, dropout, augmentation) lives in examples/internal/recipe.
package homework

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/backprop-go/backprop/atomicfile"
)

// Main runs one part's program: run gets the command-line arguments and
// writes its answer to stdout and its progress to stderr. An error, including
// a bad flag, ends the program with one line on stderr and exit status 1;
// -h prints the flags and exits with status 0, as the flag package does.
//
// Ctrl-C (SIGINT) or SIGTERM removes the temporary files of saves in
// progress (atomicfile.RemovePending) before the program ends with status
// 130, so an interrupted run leaves nothing half-written behind.
func Main(part string, run func(args []string, stdout, stderr io.Writer) error) {
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-interrupted
		atomicfile.RemovePending()
		fmt.Fprintf(os.Stderr, "\n%s: %v: stopped\n", part, s)
		os.Exit(130)
	}()
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp): // -h: the usage is printed, nothing failed
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", part, err)
		os.Exit(1)
	}
}

// NewFlagSet returns an empty flag set for program part whose messages
// (the usage of -h, a bad flag) go to stderr.
func NewFlagSet(part string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(part, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// Parse parses args with fs, refuses arguments that are not flags, and then
// runs check, if not nil: the one place where a program's settings are
// checked, before any data is loaded or any work starts. The flag package's
// own message for a bad flag goes to the flag set's output; the error
// returned is short.
func Parse(fs *flag.FlagSet, args []string, check func() error) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with -)", fs.Arg(0))
	}
	if check == nil {
		return nil
	}
	return check()
}

// ParseSettings is Parse for a program whose flags are the homework's
// (Settings.Register) and, if extra is not nil, some of its own that extra
// defines. It returns the settings, checked.
func ParseSettings(part string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*Settings, *flag.FlagSet, error) {
	fs := NewFlagSet(part, stderr)
	s := new(Settings)
	s.Register(fs, part)
	if extra != nil {
		extra(fs)
	}
	if err := Parse(fs, args, func() error { return s.Finish(fs, part) }); err != nil {
		return nil, nil, err
	}
	return s, fs, nil
}

// NoFlags parses args for a program that takes no flags, such as the worked
// examples of parts e to i: -h prints the usage to stderr, and any flag or
// argument is an error.
func NoFlags(part string, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(part, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (this program takes none)", fs.Arg(0))
	}
	return nil
}

// IsSet reports whether the flag called name was given on the command line.
func IsSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}
