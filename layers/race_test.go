//go:build race

package layers_test

// raceEnabled is true under the race detector, which instruments memory
// accesses and makes sync.Pool (used by the parallel matrix kernels) drop
// items on purpose, so allocation counts are meaningless there.
const raceEnabled = true
