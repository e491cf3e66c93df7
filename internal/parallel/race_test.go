//go:build race

package parallel

// raceEnabled is true under the race detector, which instruments memory
// accesses and allocates for its own bookkeeping, so allocation counts are
// meaningless there.
const raceEnabled = true
