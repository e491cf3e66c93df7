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
	// Analytic is the gradient from Backward, Numeric the central
	// difference, RelErr = RelErr(Analytic, Numeric).
	Analytic, Numeric, RelErr float64
}

// TensorReport summarises the check of one tensor.
type TensorReport struct {
	// Name is "input" or the parameter's Name, Shape its shape.
	Name  string
	Shape []int
	// Checked is the number of entries compared (all, or
	// Options.MaxPerTensor of them).
	Checked int
	// Worst is the entry with the largest relative error.
	Worst Entry
}

// Report is the result of a check: one TensorReport per tensor, in order
// (for Layer: the input first, then the parameters), and the worst entry
// over all of them.
type Report struct {
	// Tensors has one summary per checked tensor.
	Tensors []TensorReport
	// Worst is the entry with the largest relative error of all.
	Worst Entry
}

// OK reports whether every checked entry has a relative error of at most
// tol. Around 1e-7 is a good tolerance for float64 with ε = 1e-4 on smooth
// or piecewise-linear functions; a real bug usually shows as 1e-2 or more.
func (r Report) OK(tol float64) bool { return r.Worst.RelErr <= tol }

// Failed returns the names of the tensors with an entry whose relative
// error exceeds tol: where to look for the bug.
func (r Report) Failed(tol float64) []string {
	var names []string
	for _, t := range r.Tensors {
		if !(t.Worst.RelErr <= tol) {
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
	fmt.Fprintln(w, "tensor\tshape\tchecked\tworst rel err\tat\tanalytic\tnumeric")
	for _, t := range r.Tensors {
		fmt.Fprintf(w, "%s\t%v\t%d\t%.2e\t%s\t%.8g\t%.8g\n", t.Name, t.Shape, t.Checked, t.Worst.RelErr, fmtAt(t.Worst.At), t.Worst.Analytic, t.Worst.Numeric)
	}
	w.Flush()
	if len(r.Tensors) > 0 {
		fmt.Fprintf(&b, "worst: %s at %s, rel err %.2e (analytic %.8g, numeric %.8g)\n", r.Worst.Tensor, fmtAt(r.Worst.At), r.Worst.RelErr, r.Worst.Analytic, r.Worst.Numeric)
	}
	return b.String()
}

// fmtAt formats a position as "(row,col)".
func fmtAt(at []int) string {
	parts := make([]string, len(at))
	for i, v := range at {
		parts[i] = fmt.Sprint(v)
	}
	return "(" + strings.Join(parts, ",") + ")"
}
