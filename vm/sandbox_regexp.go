package vm

import "github.com/dlclark/regexp2/v2"

// regexpMatchTimeout bounds one regular-expression match on goja's backtracking engine
// (regexp2, used for backreferences, lookaround and matches from lastIndex), which runs
// natively and cannot be interrupted: without it `/(a+)+\1b/.test('a'.repeat(40))` runs
// for hours. regexp2 reports a timed-out match to goja as "no match"; because the limit
// is longer than any sandbox timeout (MaxTimeout), the evaluation's timer has fired by
// then, and the sandbox fails an evaluation whose timer fired whatever it returned, so
// the wrong "no match" is never emitted.
const regexpMatchTimeout = 2 * MaxTimeout

// The ordering above is what makes a timed-out match fail its evaluation: this constant
// overflows, and the package does not compile, if it is broken.
const _ = uint64(regexpMatchTimeout - MaxTimeout - 1)

func init() {
	// regexp2 reads its default when a pattern is compiled, and goja compiles every
	// pattern with the default. The setting is process-wide.
	regexp2.DefaultMatchTimeout = regexpMatchTimeout
}
