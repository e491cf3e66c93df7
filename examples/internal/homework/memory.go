package homework

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// MemoryLimit is the memory, in bytes, a network's parameters, gradients
// and buffers may need; a larger network is refused when the flags are
// checked, before anything is allocated. 0, the default, means the Go
// memory limit if one is set (GOMEMLIMIT), else the machine's total memory
// (read from /proc/meminfo), else no check.
var MemoryLimit int64

// The homework's images have 784 pixels and 10 classes, in both datasets;
// the memory check uses them before the data is loaded.
const (
	homeworkInputs  = 784
	homeworkClasses = 10
	evalBatch       = 1000 // train.Evaluate's default batch
)

// checkMemory refuses a network that cannot fit in memory, with one line
// saying how much it needs. The estimate counts, in float64s, every
// parameter twice (value and gradient; an optimiser's state comes on top)
// and, per layer, four batch-sized buffers (the Linear output and input
// gradient, the activation's output and gradient) for the larger of the
// training and evaluation batches. It is computed in float64, so that
// absurd widths cannot overflow it.
func (f *Settings) checkMemory() error {
	limit, where := memoryLimit()
	if limit <= 0 {
		return nil
	}
	sizes, err := f.Sizes(homeworkInputs, homeworkClasses)
	if err != nil {
		return err
	}
	var params, widths float64
	for i := 0; i+1 < len(sizes); i++ {
		params += float64(sizes[i])*float64(sizes[i+1]) + float64(sizes[i+1])
		widths += float64(sizes[i+1])
	}
	batch := math.Max(float64(f.Batch), evalBatch)
	need := 8 * (2*params + 4*batch*(widths+homeworkInputs))
	if need <= float64(limit) {
		return nil
	}
	return fmt.Errorf("-hidden %s, -batch %d: the network %v needs at least %s for its parameters, gradients and buffers, more than %s (%s)",
		f.Hidden, f.Batch, sizes, bytesText(need), bytesText(float64(limit)), where)
}

// memoryLimit returns the limit checkMemory applies and where it comes from.
func memoryLimit() (int64, string) {
	if MemoryLimit > 0 {
		return MemoryLimit, "homework.MemoryLimit"
	}
	if l := debug.SetMemoryLimit(-1); l < math.MaxInt64 {
		return l, "the Go memory limit, GOMEMLIMIT"
	}
	if m := totalMemory(); m > 0 {
		return m, "this machine's memory"
	}
	return 0, ""
}

// totalMemory returns the machine's memory from /proc/meminfo (Linux), or 0.
func totalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// MemTotal:       16318272 kB
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// bytesText formats a size in decimal units: "1.1 GB", "627 TB".
func bytesText(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	i := 0
	for b >= 1000 && i+1 < len(units) {
		b /= 1000
		i++
	}
	if b < 10 {
		return fmt.Sprintf("%.1f %s", b, units[i])
	}
	return fmt.Sprintf("%.0f %s", b, units[i])
}
