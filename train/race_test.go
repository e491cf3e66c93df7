//go:build race

package train

// raceEnabled is true under the race detector, which makes sync.Pool drop
// items on purpose, so allocation counts are meaningless there.
const raceEnabled = true
