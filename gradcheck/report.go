package gradcheck

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// Entry is one checked gradient entry.
type Entry struct {
	// Tensor names the tensor: "input" or the parameter's Name.
	Tensor string
	// Index is the flat row-major index into the tensor's Data; At is the
	// same position as one coordinate per dimension, (row, col) for a
	// matrix.
	Index int
	At    []int
	// Eps is the step of the numeric difference: Options' ε, or a smaller
	// one with Options.Kinks.
	Eps float64
	// Analytic is the gradient from Backward, Numeric the central
	// difference, RelErr = RelErr(Analytic, Numeric).
	Analytic, Numeric, RelErr float64
	// Noise is the rounding noise of Numeric, NoiseFactor·u·S/ε with S the
	// scale of L (see the package documentation), and
	// Err = Err(Analytic, Numeric, Noise) the error a check compares with
	// its tolerance: 0 when the two gradients differ by no more than
	// rounding, RelErr otherwise.
	Noise, Err float64
}

// TensorReport summarises the check of one tensor.
type TensorReport struct {
	// Name is "input" or the parameter's Name, Shape its shape.
	Name  string
	Shape []int
	// Checked is the number of entries compared (all, or
	// Options.MaxPerTensor of them).
	Checked int
	// Worst is the entry with the largest Err, and among entries within
	// the rounding noise the one with the largest RelErr.
	Worst Entry
}

// Report is the result of a check: one TensorReport per tensor, in order
// (for Layer: the input first, then the parameters), and the worst entry
// over all of them.
type Report struct {
	// Tensors has one summary per checked tensor.
	Tensors []TensorReport
	// Worst is the worst entry of all, in the order of TensorReport.Worst.
	Worst Entry
}

// OK reports whether every checked entry passes with tolerance tol: its
// relative error is at most tol, or its two gradients differ by no more
// than the rounding noise of the numeric one (Entry.Err). Around 1e-7 is a
// good tolerance for float64 with ε = 1e-4 on piecewise-linear functions,
// or on smooth ones with Options.Richardson; a real bug usually shows as
// 1e-2 or more.
func (r Report) OK(tol float64) bool { return r.Worst.Err <= tol }

// Failed returns the names of the tensors with an entry that fails
// tolerance tol: where to look for the bug.
func (r Report) Failed(tol float64) []string {
	var names []string
	for _, t := range r.Tensors {
		if !(t.Worst.Err <= tol) {
			names = append(names, t.Name)
		}
	}
	return names
}

// String formats the report as a table with one row per tensor, followed by
// the worst entry overall.
func (r Report) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "tensor\tshape\tchecked\tworst rel err\tnoise\tat\tanalytic\tnumeric")
	for _, t := range r.Tensors {
		fmt.Fprintf(w, "%s\t%v\t%d\t%s\t%.1e\t%s\t%.8g\t%.8g\n", t.Name, t.Shape, t.Checked, fmtErr(t.Worst), t.Worst.Noise, fmtAt(t.Worst.At), t.Worst.Analytic, t.Worst.Numeric)
	}
	w.Flush()
	if len(r.Tensors) > 0 {
		fmt.Fprintf(&b, "worst: %s at %s, rel err %s (analytic %.8g, numeric %.8g, rounding noise %.1e)\n", r.Worst.Tensor, fmtAt(r.Worst.At), fmtErr(r.Worst), r.Worst.Analytic, r.Worst.Numeric, r.Worst.Noise)
	}
	return b.String()
}

// fmtErr formats an entry's relative error, marked when the two gradients
// differ by no more than the rounding noise (Err is 0 then, and the relative
// error of two round-off-sized numbers means nothing).
func fmtErr(e Entry) string {
	if e.Err == 0 && e.RelErr > 0 {
		return fmt.Sprintf("%.2e (noise)", e.RelErr)
	}
	return fmt.Sprintf("%.2e", e.RelErr)
}

// fmtAt formats a position as "(row,col)".
func fmtAt(at []int) string {
	parts := make([]string, len(at))
	for i, v := range at {
		parts[i] = fmt.Sprint(v)
	}
	return "(" + strings.Join(parts, ",") + ")"
}
