// Package doccheck holds the test that keeps docs/homework.md honest: every
// program output the page quotes under a "checked" marker is produced again
// and compared with the quote, so a number in the docs cannot drift from what
// the program prints.
//
// A quoted output is marked by an HTML comment, invisible on the rendered
// page, on the line before its code block:
//
//	<!-- checked: go run ./examples/partk -updates 300 -eval-every 100 -->
//
// The test builds the named program and runs it with those arguments in a
// scratch folder shared by all the checks of the page, in the order they
// appear, so that parts l to o find the model the quoted part k run saved
// there. Only what the program writes to stdout is compared. Each line of
// the quote must match a line of the output, in order:
//
//   - a line that is only "…" skips any number of output lines;
//   - "…" inside a line matches any text (a timing, say);
//   - "<data>" stands for the data folder of the machine that runs it;
//   - a number matches a printed number that rounds to it: "2.76" matches
//     2.758 but "2.77" does not, and "2e-08" matches 2.3e-08 but not 3e-08,
//     whatever its size, so a stale value fails;
//   - "<X" matches any number smaller than X in magnitude: a quote uses it
//     for a finite-difference error such as 2.2e-13, whose digits depend on
//     the order in which the matrix kernels add, which differs between
//     builds.
//
// Quotes of long runs (20 epochs) are not marked; they carry their command
// beside them instead.
package doccheck
