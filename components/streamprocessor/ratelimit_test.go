package streamprocessor

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRateLimiter(t *testing.T) {
	var r rateLimiter
	t0 := 100 * time.Second
	steps := []struct {
		at         time.Duration
		ok         bool
		suppressed int64
	}{
		{0, true, 0},
		{time.Second, false, 0},
		{5 * time.Second, false, 0},
		{10 * time.Second, true, 2},
		{11 * time.Second, false, 0},
		{30 * time.Second, true, 1},
	}
	for _, s := range steps {
		suppressed, ok := r.allow(t0+s.at, 10*time.Second)
		assert.Equal(t, s.ok, ok, "at %v", s.at)
		assert.Equal(t, s.suppressed, suppressed, "at %v", s.at)
	}
}

// TestRateLimiterConcurrent: one event per interval, however many threads, and no
// suppressed event goes uncounted. An event suppressed while the allowed one takes the
// count may be counted in the allowed one's report instead of the next.
func TestRateLimiterConcurrent(t *testing.T) {
	var r rateLimiter
	var allowed, reported atomic.Int64
	now := 100 * time.Second
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if n, ok := r.allow(now, time.Minute); ok {
					allowed.Add(1)
					reported.Add(n)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), allowed.Load(), "one event per interval, however many threads")
	assert.Equal(t, int64(799), reported.Load()+r.suppressed.Load(), "suppressed events, reported or pending")
}
