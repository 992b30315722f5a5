package vmtest

import (
	"syscall"
	"time"
)

// Took runs f and returns the shorter of the wall-clock time it took and the CPU time
// the process used meanwhile. On a machine busy with other work the wall clock
// overstates what f cost, while an f that runs away takes both; tests bound this
// figure, not the wall clock alone, so that a loaded machine does not fail them.
func Took(f func()) time.Duration {
	cpu := func() time.Duration {
		var u syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
			return time.Duration(1<<63 - 1)
		}
		return time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	startCPU, start := cpu(), time.Now()
	f()
	return min(time.Since(start), cpu()-startCPU)
}
