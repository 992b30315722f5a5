//go:build !race

package sandbox

// raceEnabled reports whether the test binary runs under the race detector.
const raceEnabled = false
