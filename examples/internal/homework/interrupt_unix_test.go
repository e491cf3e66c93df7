//go:build unix

package homework

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/backprop-go/backprop/atomicfile"
)

// Ctrl-C in the middle of a save removes the temporary file and ends the
// program with status 130 (issue #9, case 16). The test runs itself as the
// interrupted program.
func TestInterruptRemovesTemporaries(t *testing.T) {
	if dir := os.Getenv("HOMEWORK_INTERRUPT_DIR"); dir != "" {
		Main("child", func(args []string, stdout, stderr io.Writer) error {
			f, err := atomicfile.Create(filepath.Join(dir, "model.safetensors"))
			if err != nil {
				return err
			}
			f.WriteString("half a model")
			io.WriteString(stdout, "writing\n")
			time.Sleep(time.Minute) // the parent interrupts us here
			return errors.New("not interrupted")
		})
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptRemovesTemporaries$")
	cmd.Env = append(os.Environ(), "HOMEWORK_INTERRUPT_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "writing\n" {
		cmd.Process.Kill()
		t.Fatalf("child said %q", line)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("while writing, the folder holds %d files, want the temporary one", len(entries))
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("child ended with %v, want exit status 130", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after Ctrl-C the folder holds %v", entries[0].Name())
	}
}

// settings.json or history.csv replaced by a FIFO is refused, not waited on
// forever (issue #9: no hang on any hostile file).
func TestLoadModelRefusesFIFO(t *testing.T) {
	for _, name := range []string{SettingsFile, HistoryFile} {
		f, _ := savedFolder(t)
		p := filepath.Join(f.Model, name)
		os.Remove(p)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip(err)
		}
		done := make(chan error, 1)
		go func() { _, _, err := loadModel(f, 4, 2); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s as a FIFO: no error", name)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s as a FIFO: loadModel still waiting after 5 s", name)
		}
	}
}
