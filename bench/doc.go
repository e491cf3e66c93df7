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
//
// The scripts beside it put the library beside numpy + OpenBLAS (when a
// python3 with numpy is found; numpy_ref.py does the same work), in
// interleaved rounds so that a slow minute of the machine hits every
// contender alike: table.sh (products, epochs and the FMA peak), epoch.sh
// (the training epoch alone, in short rounds), busy.sh (the epoch beside
// a busy loop), compare.sh (the epoch built at two commits, to measure
// one change), products.sh (the products built at two commits) and cut.sh
// (a shared product cut into rows and into columns, for partition's rule).
//
// cnn.sh does the same for a convolutional network, cnn-s (cnn_test.go):
// a training epoch in this library against PyTorch float64 and float32
// and a numpy float64 im2col version (cnn_ref.py, whose gradients it
// first checks against PyTorch's), with the second convolution alone and
// the FMA peak.
package bench
