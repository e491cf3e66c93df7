package train

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/backprop-go/backprop/layers"
)

// openPTY returns both ends of a new pseudo-terminal, or skips the test
// where the system has none to give.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Skipf("no pseudo-terminal: unlock: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Skipf("no pseudo-terminal: number: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("no pseudo-terminal: %v", err)
	}
	return m, s
}

// A run that fails erases its progress line on a terminal, so that the
// error the caller prints does not start in the middle of the bar.
func TestFailedRunClearsProgressLine(t *testing.T) {
	master, slave := openPTY(t)
	defer master.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&out, master) // ends with EIO once the slave is closed
		close(done)
	}()

	rng := rand.New(rand.NewPCG(1, 1))
	x, y := blobs(rng, 200, 4, 2)
	x.Data[2*32*4] = math.NaN() // the third batch diverges
	model := layers.NewMLP([]int{4, 8, 2}, layers.He, rng)
	_, err := Run(model, &slices{x: x, y: y, batch: 32}, nil, Config{LR: 0.1, Epochs: 1, Progress: slave})
	slave.Close()
	<-done
	if err == nil {
		t.Fatal("Run did not fail")
	}
	s := out.String()
	if !strings.Contains(s, "update 1/") {
		t.Fatalf("no progress line was drawn: %q", s)
	}
	if !strings.HasSuffix(s, "\r") || strings.TrimSpace(s[strings.LastIndex(s[:len(s)-1], "\r"):]) != "" {
		t.Errorf("the progress line was left on the terminal: output ends %q", s[max(0, len(s)-80):])
	}
}
