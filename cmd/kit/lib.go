package main

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
)

// modulePath is the library's module path.
const modulePath = "github.com/backprop-go/backprop"

//go:embed internal/solution/*.go
var solutionFS embed.FS

//go:embed _student
var studentFS embed.FS

// libraryDir returns the folder of the library's module: the module the
// current folder belongs to or requires (go list -m), or, for a kit
// installed with go install at a version, that version in the module
// cache.
func libraryDir() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", modulePath)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err == nil {
		if dir := strings.TrimSpace(out.String()); dir != "" && isLibrary(dir) {
			return dir, nil
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err == nil {
			dir := filepath.Join(strings.TrimSpace(string(gomodcache)), modulePath+"@"+bi.Main.Version)
			if isLibrary(dir) {
				return dir, nil
			}
		}
	}
	return "", errors.New("cannot find the backprop library's sources: run kit inside a checkout of " + modulePath +
		" (or a module that requires it), or install it with go install " + modulePath + "/cmd/kit@VERSION")
}

// isLibrary reports whether dir holds the library's go.mod.
func isLibrary(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module "+modulePath+"\n"))
}

// newGenerator returns a generator reading the library in dir.
func newGenerator(dir string) *generator {
	return &generator{lib: os.DirFS(dir), kit: solutionFS, module: modulePath}
}

// embedded returns a file of the embedded _student folder for a: its own
// (a.Dir/name) if it has one, else the one all assignments share (kit.go,
// check_test.go, grader_test.go), written in package mlp and moved into
// a's package.
func (a *assignment) embedded(name string) []byte {
	if b, err := fs.ReadFile(studentFS, "_student/"+a.Dir+"/"+name); err == nil {
		return b
	}
	b, err := fs.ReadFile(studentFS, "_student/"+name)
	if err != nil {
		panic(fmt.Sprintf("kit: embedded file %s: %v", name, err))
	}
	return mlpPackage.ReplaceAll(b, []byte("${1}ackage "+a.Package))
}

// mlpPackage matches the package clause of a shared file and the name in
// its package comment.
var mlpPackage = regexp.MustCompile(`(?m)^(p|// P)ackage mlp\b`)
