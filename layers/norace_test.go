//go:build !race

package layers_test

const raceEnabled = false
