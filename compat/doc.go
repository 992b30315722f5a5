// Package compat reproduces JavaScript semantics, exactly as the goja runtime
// (github.com/dop251/goja) observes them, as plain Go helpers.
//
// Compiled expr programs call these helpers wherever JavaScript and Go differ:
// number formatting, the zero-sign and exact-power quirks of goja's integer
// fast paths, Math.* rounding, toFixed ties, string → number conversion and
// UTF-16 string semantics. Every helper is checked in the tests against a goja
// runtime, bit for bit (including -0, NaN and ±Inf).
//
// Numbers are float64 throughout. goja holds a number as an integer value
// (valueInt) exactly when IsInt reports true, several goja operators take an
// integer fast path in that case, and Export converts such numbers to int64.
// goja breaks that rule in two places only: -(-0) (Neg reports ok=false) and
// an exact integer result of magnitude 2^53+1, held as the float ±2^53
// (AmbiguousInt, MulChecked and StringToNumber let a caller hand such cases to
// goja).
//
// A helper that cannot reproduce some case exactly reports ok=false; the
// caller then evaluates the whole expression in goja instead.
package compat
