//go:build !race

package processor

// raceEnabled reports whether the test binary runs under the race detector.
const raceEnabled = false
