package compat

import "math"

// maxSafeInt is 2^53, the largest magnitude goja stores as an integer value.
const maxSafeInt = 1 << 53

// negZero is IEEE-754 negative zero (a Go constant -0.0 would be +0).
var negZero = math.Copysign(0, -1)

// IsInt reports whether goja represents the number f as an integer value
// (valueInt): f is integral, finite, not -0 and |f| <= 2^53.
func IsInt(f float64) bool {
	if !(f >= -maxSafeInt && f <= maxSafeInt) { // also rejects NaN
		return false
	}
	if float64(int64(f)) != f {
		return false
	}
	return f != 0 || !math.Signbit(f)
}

// Export returns f as goja's Value.Export would: an int64 when IsInt(f),
// otherwise the float64 itself (including -0, NaN and ±Inf).
func Export(f float64) any {
	if IsInt(f) {
		return int64(f)
	}
	return f
}

// Truthy is JavaScript ToBoolean of a number: false for ±0 and NaN.
func Truthy(f float64) bool {
	return f != 0 && f == f
}

// IsFinite is JavaScript's isFinite of a number: false for NaN and ±Infinity.
func IsFinite(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}
