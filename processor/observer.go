package processor

import "time"

// Observer receives what a Processor does with each mapping, for metrics and logs. Its
// methods are called from every goroutine that calls Process, so they must be safe for
// concurrent use and quick.
type Observer interface {
	// Evaluated reports one evaluation of a mapping that is not a pure static, unless
	// it ran on the fast path and succeeded (the common case, which has nothing to
	// report): how long it took (zero when not measured: fast-path programs are not
	// timed), whether the goja fallback ran, and why it produced no output (a
	// JavaScript error from the compiler, a *NonEmittableError, or a *MismatchError
	// for a result that does not fit its data model field), nil on success.
	Evaluated(m *Mapping, took time.Duration, fallback bool, failure error)
	// Waiting reports a dependent mapping skipped because a dependency has no value
	// yet.
	Waiting(m *Mapping)
}
