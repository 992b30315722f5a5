// Package clock reads the monotonic clock cheaply, for timing evaluations and
// rate-limiting logs.
package clock

import "time"

// processStart anchors Monotonic.
var processStart = time.Now()

// Monotonic is the time since the process started, read from the monotonic clock only:
// cheaper than time.Now, which also reads the wall clock.
func Monotonic() time.Duration { return time.Since(processStart) }
