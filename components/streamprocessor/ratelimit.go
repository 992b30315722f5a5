package streamprocessor

import (
	"sync/atomic"
	"time"
)

// logEvery is the shortest interval between two log lines about the same repeated
// problem (one mapping failing, one topic sending bad payloads…).
const logEvery = 10 * time.Second

// rateLimiter lets one event through per interval and counts the ones it holds back.
// It is safe for concurrent use and does not allocate.
type rateLimiter struct {
	next       atomic.Int64 // monotonic nanoseconds before which events are suppressed
	suppressed atomic.Int64
}

// allow reports whether an event at now (a monotonic reading) may be logged and, if so,
// how many events were suppressed since the last one that was (an event suppressed by
// another thread while this one takes the count may be among them).
func (r *rateLimiter) allow(now, every time.Duration) (suppressed int64, ok bool) {
	n := int64(now)
	next := r.next.Load()
	if n < next || !r.next.CompareAndSwap(next, n+int64(every)) {
		r.suppressed.Add(1)
		return 0, false
	}
	return r.suppressed.Swap(0), true
}
