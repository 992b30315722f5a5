package sandbox

import (
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

const (
	// watchdogStart is how long an evaluation runs before the watchdog first looks at
	// it: cheap evaluations finish before, so they cost a clock read and one timer Reset
	// and Stop.
	watchdogStart = 2 * time.Millisecond
	// watchdogInterval is how often the watchdog then checks the clock and the heap.
	watchdogInterval = time.Millisecond
)

// Watchdog phases. An evaluation arms the watchdog and takes the heap baseline and its
// start time (armed), the first tick sets the deadline (watching), a tick or a
// reservation may trip it (timedOut, overMemory), and the evaluation's end disarms it
// (idle).
const (
	phaseIdle uint64 = iota
	phaseArmed
	phaseWatching
	phaseTimedOut
	phaseOverMemory
)

// phaseBits is the part of the watchdog's state that holds the phase; the rest counts
// evaluations, so that a tick still running from an earlier evaluation can never trip a
// later one.
const phaseBits = 8

// phaseMask selects the phase in the watchdog's state.
const phaseMask = 1<<phaseBits - 1

// heapMetric is the runtime/metrics name of the heap's live and not yet swept objects;
// reading it does not stop the world.
const heapMetric = "/memory/classes/heap/objects:bytes"

// epoch is the origin of the watchdog's monotonic clock.
var epoch = time.Now()

// watchdog interrupts the evaluation running on one goja runtime when it outlives the
// timeout or grows the heap by more than MaxMemory, with one timer and no goroutine of
// its own. Its timer callback and the evaluating goroutine share only atomics.
type watchdog struct {
	rt       *goja.Runtime
	timer    *time.Timer
	timeout  time.Duration
	first    time.Duration // delay of the first tick
	gen      uint64        // evaluations started; only the evaluating goroutine uses it
	state    atomic.Uint64 // gen<<phaseBits | phase
	started  atomic.Int64  // on the epoch clock, when the evaluation started
	limit    atomic.Int64  // the evaluation's time limit, a time.Duration
	deadline atomic.Int64  // on the epoch clock, set by the first tick
	baseline atomic.Uint64 // heap bytes when the evaluation started (or inherited), lowered to the least seen
	// inherited, when not zero, is the baseline the next evaluation starts from instead
	// of the heap when it starts; only the evaluating goroutine writes it, before
	// start.
	inherited atomic.Uint64
	// shortened, when not zero, is the time limit of the next evaluation instead of the
	// timeout; only the evaluating goroutine uses it.
	shortened time.Duration
}

func newWatchdog(rt *goja.Runtime, timeout time.Duration) *watchdog {
	w := &watchdog{rt: rt, timeout: timeout, first: min(timeout, watchdogStart)}
	w.timer = time.AfterFunc(time.Hour, w.tick)
	w.timer.Stop()
	return w
}

// start arms the watchdog for one evaluation.
func (w *watchdog) start() {
	base := w.inherited.Load()
	if base == 0 {
		base = heapBytes()
	}
	w.baseline.Store(base)
	limit := w.timeout
	if w.shortened > 0 {
		limit = w.shortened
	}
	w.limit.Store(int64(limit))
	w.started.Store(int64(time.Since(epoch)))
	w.gen++
	w.state.Store(w.gen<<phaseBits | phaseArmed)
	w.timer.Reset(min(w.first, limit))
}

// inherit makes the next evaluation count its heap growth from base (a baseline an
// earlier attempt took), or from the heap when it starts when base is zero, and end
// after limit instead of the timeout, unless limit is zero.
func (w *watchdog) inherit(base uint64, limit time.Duration) {
	w.inherited.Store(base)
	w.shortened = limit
}

// finish disarms the watchdog and returns the phase the evaluation ended in: timedOut
// or overMemory when the watchdog tripped (it has then interrupted the runtime).
func (w *watchdog) finish() uint64 {
	w.timer.Stop()
	return w.state.Swap(w.gen<<phaseBits|phaseIdle) & phaseMask
}

// tripped reports whether the watchdog has tripped on the running evaluation.
func (w *watchdog) tripped() bool {
	phase := w.state.Load() & phaseMask
	return phase == phaseTimedOut || phase == phaseOverMemory
}

// tick runs on the timer's goroutine. Every change it makes to the state is a
// compare-and-swap against the state it read, so it acts only on the evaluation it
// looked at; a tick re-arming the timer late at most wakes a later evaluation's watchdog
// early, which then re-arms itself.
func (w *watchdog) tick() {
	now := int64(time.Since(epoch))
	cur := w.state.Load()
	gen := cur &^ phaseMask
	switch cur - gen {
	case phaseArmed:
		// From the start, not from this tick, which may come late on a busy machine.
		w.deadline.Store(w.started.Load() + w.limit.Load())
		if !w.state.CompareAndSwap(cur, gen|phaseWatching) {
			return
		}
		cur = gen | phaseWatching
	case phaseWatching:
		h := heapBytes()
		if h > w.floor(h)+MaxMemory {
			w.trip(cur, gen|phaseOverMemory, ErrMemoryLimit)
			return
		}
	default:
		return
	}
	left := w.deadline.Load() - now
	if left <= 0 {
		w.trip(cur, gen|phaseTimedOut, ErrTimeout)
		return
	}
	if w.state.Load() == cur {
		w.timer.Reset(min(watchdogInterval, time.Duration(left)))
	}
}

// floor lowers the baseline to h if h is below it, and returns the baseline. The
// baseline follows the heap down: when the collector frees garbage left by earlier work
// during the evaluation, that room is not the evaluation's to use.
func (w *watchdog) floor(h uint64) uint64 {
	for {
		base := w.baseline.Load()
		if h >= base {
			return base
		}
		if w.baseline.CompareAndSwap(base, h) {
			return h
		}
	}
}

// reserve is called by the evaluating goroutine before it builds n bytes in one native
// step: when that would grow the heap past MaxMemory, it trips the watchdog, whose
// interrupt stops the evaluation before its next instruction, so the step is not taken.
// The periodic tick alone may look only after such a step, or several: a collection
// that stops the world waits for the step's copy to end, and the tick with it.
func (w *watchdog) reserve(n uint64) {
	cur := w.state.Load()
	gen := cur &^ phaseMask
	if phase := cur - gen; phase != phaseArmed && phase != phaseWatching {
		return
	}
	if h := heapBytes(); h+n > w.floor(h)+MaxMemory {
		w.trip(cur, gen|phaseOverMemory, ErrMemoryLimit)
	}
}

func (w *watchdog) trip(cur, next uint64, cause error) {
	if w.state.CompareAndSwap(cur, next) {
		w.rt.Interrupt(cause)
	}
}

// heapBytes reads heapMetric.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
