package sandbox

import (
	"time"

	"github.com/dlclark/regexp2/v2"
)

// regexpMatchTimeout bounds one regular-expression match. The sandbox runs every match
// on goja's backtracking engine (regexp2, see the lockdown's exec), which runs natively
// where no interrupt reaches: without a bound `/(a+)+\1b/.test('a'.repeat(40))` runs for
// hours. regexp2 reports a match cut short as "no match"; the lockdown turns a "no
// match" that took this long into a RangeError. Because matches are this short, an
// evaluation outlives its timeout by at most one match, whatever its timeout.
const regexpMatchTimeout = 15 * time.Millisecond

// regexpCutAfter is how long a match that found nothing must have run for the lockdown
// to take it for one regexp2 cut short. regexp2 measures matches on a clock of its own
// that ticks every regexpClockPeriod and lags behind when the process is busy (its
// goroutine waits to be scheduled), so a cut match can return well before
// regexpMatchTimeout; a match that finds nothing only after a quarter of the limit is
// near it anyway.
const regexpCutAfter = regexpMatchTimeout / 4

// regexpClockPeriod is how often regexp2's clock ticks while matches run; a match
// ends within regexpMatchTimeout plus this period.
const regexpClockPeriod = time.Millisecond

func init() {
	// regexp2 reads its default when a pattern is compiled, and goja compiles every
	// pattern with the default. Both settings are process-wide.
	regexp2.DefaultMatchTimeout = regexpMatchTimeout
	regexp2.SetTimeoutCheckPeriod(regexpClockPeriod)
}

// millisSinceEpoch is the lockdown's clock for measuring matches: milliseconds on the
// monotonic clock.
func millisSinceEpoch() float64 {
	return float64(time.Since(epoch)) / float64(time.Millisecond)
}
