package uns

import (
	"fmt"
	"sync"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"
)

// logEvery is the shortest interval between two log lines about the same problem: a
// broker that is down for an hour is reported a few hundred times, not once per retry.
const logEvery = 10 * time.Second

// limitedLog writes warnings to a Benthos logger at most once per logEvery per
// message text, with the number of lines suppressed since the last one.
type limitedLog struct {
	log   *service.Logger
	every time.Duration
	now   func() time.Time

	mu   sync.Mutex
	seen map[string]*limitedEntry
}

type limitedEntry struct {
	last       time.Time
	suppressed int
}

func newLimitedLog(log *service.Logger) *limitedLog {
	return &limitedLog{log: log, every: logEvery, now: time.Now, seen: map[string]*limitedEntry{}}
}

// allow reports whether a line about msg may be written now, and how many were
// suppressed before it.
func (l *limitedLog) allow(msg string) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.seen[msg]
	if e == nil {
		l.seen[msg] = &limitedEntry{last: now}
		return 0, true
	}
	if now.Sub(e.last) < l.every {
		e.suppressed++
		return 0, false
	}
	n := e.suppressed
	e.last, e.suppressed = now, 0
	return n, true
}

// warn logs msg (with the key-value pairs) unless it was logged within logEvery.
func (l *limitedLog) warn(msg string, keyvals ...any) {
	n, ok := l.allow(msg)
	if !ok {
		return
	}
	l.log.With(append(keyvals, "suppressed", n)...).Warn(msg)
}

// kgoLogger forwards the warnings and errors of the Kafka client, which retries
// unreachable brokers on its own, to the rate-limited log.
type kgoLogger struct {
	prefix string
	out    *limitedLog
}

// Level implements kgo.Logger: only warnings and errors are wanted.
func (k kgoLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

// Log implements kgo.Logger.
func (k kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	if level > kgo.LogLevelWarn || level == kgo.LogLevelNone {
		return
	}
	k.out.warn(k.prefix+": Kafka client: "+msg, flattenKeyvals(keyvals)...)
}

// flattenKeyvals turns the client's keys and values (errors, numbers, slices) into
// strings, which Benthos' structured logger prints readably whatever their type.
func flattenKeyvals(keyvals []any) []any {
	out := make([]any, len(keyvals))
	for i, v := range keyvals {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// backoff is a capped exponential delay between retries.
type backoff struct {
	attempt int
}

// Minimum and maximum delays of backoff.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 5 * time.Second
)

// next returns the delay before the next retry and lengthens the one after it.
func (b *backoff) next() time.Duration {
	d := backoffMin << min(b.attempt, 16)
	b.attempt++
	return min(d, backoffMax)
}

// reset starts over after a success.
func (b *backoff) reset() { b.attempt = 0 }
