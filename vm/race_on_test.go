//go:build race

package vm

// raceEnabled reports whether the test binary runs under the race detector.
const raceEnabled = true
