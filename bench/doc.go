// Package bench compares the matrix products of package
// github.com/backprop-go/backprop/tensor with gonum's, in the same run and
// on the same shapes. It is a separate module so that the library itself
// keeps no dependencies: gonum is required here only.
//
// Run it from this directory:
//
//	go test -run XXX -bench . -cpu 2
//
// Each benchmark reports GFLOPS (2·m·n·k floating-point operations per
// product). docs/performance.md records the results.
package bench
