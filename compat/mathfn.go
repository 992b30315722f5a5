package compat

import "math"

// The Math.* helpers take number arguments and return the float64 goja's Math
// object computes; callers normalise the result with Export. Most are the Go
// math function goja itself calls, so they agree bit for bit in one binary.

// Round is Math.round: the nearest integer, .5 cases toward +Infinity
// (Math.round(-2.5) is -2, unlike math.Round), -0 for -0.5 <= x < 0, and
// NaN, ±Infinity and ±0 unchanged.
func Round(x float64) float64 {
	t := math.Trunc(x)
	frac := x - t // exact: same sign as x, |frac| < 1; NaN for ±Inf and NaN
	switch {
	case frac >= 0.5:
		return t + 1
	case frac < -0.5:
		return t - 1
	}
	return t
}

// Floor is Math.floor.
func Floor(x float64) float64 { return math.Floor(x) }

// Ceil is Math.ceil (Math.ceil(-0.5) is -0).
func Ceil(x float64) float64 { return math.Ceil(x) }

// Trunc is Math.trunc.
func Trunc(x float64) float64 { return math.Trunc(x) }

// Abs is Math.abs.
func Abs(x float64) float64 { return math.Abs(x) }

// Sqrt is Math.sqrt.
func Sqrt(x float64) float64 { return math.Sqrt(x) }

// Cbrt is Math.cbrt.
func Cbrt(x float64) float64 { return math.Cbrt(x) }

// Exp is Math.exp.
func Exp(x float64) float64 { return math.Exp(x) }

// Log is Math.log.
func Log(x float64) float64 { return math.Log(x) }

// Log10 is Math.log10.
func Log10(x float64) float64 { return math.Log10(x) }

// Log2 is Math.log2.
func Log2(x float64) float64 { return math.Log2(x) }

// Sin is Math.sin.
func Sin(x float64) float64 { return math.Sin(x) }

// Cos is Math.cos.
func Cos(x float64) float64 { return math.Cos(x) }

// Tan is Math.tan.
func Tan(x float64) float64 { return math.Tan(x) }

// Atan is Math.atan.
func Atan(x float64) float64 { return math.Atan(x) }

// Atan2 is Math.atan2(y, x).
func Atan2(y, x float64) float64 { return math.Atan2(y, x) }

// Sign is Math.sign: NaN, +0 and -0 are returned unchanged, otherwise ±1.
func Sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// Hypot2 is Math.hypot(a, b): +Infinity if either is infinite, else NaN if
// either is NaN, else the root of the sum of squares computed after scaling
// both by the larger magnitude, as goja does (so it can differ from
// math.Hypot in the last bit).
func Hypot2(a, b float64) float64 {
	a, b = math.Abs(a), math.Abs(b)
	switch {
	case math.IsInf(a, 1) || math.IsInf(b, 1):
		return math.Inf(1)
	case a != a || b != b:
		return math.NaN()
	}
	m := max(a, b)
	if m == 0 {
		return 0
	}
	a, b = a/m, b/m
	// Explicit float64 conversions keep the compiler from fusing into an FMA.
	return float64(math.Sqrt(float64(a*a)+float64(b*b)) * m)
}

// Max is one step of goja's Math.max loop: NaN if either argument is NaN
// (math.Max alone would give +Inf for NaN and +Inf), otherwise math.Max,
// which prefers +0 over -0. Math.max() is -Infinity, Math.max(a) is
// Max(math.Inf(-1), a), and Math.max(a, b, c) is Max(Max(a, b), c).
func Max(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	return math.Max(a, b)
}

// Min is one step of goja's Math.min loop: NaN if either argument is NaN,
// otherwise math.Min, which prefers -0 over +0. Math.min() is +Infinity,
// Math.min(a) is Min(math.Inf(1), a), and Math.min(a, b, c) is
// Min(Min(a, b), c).
func Min(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	return math.Min(a, b)
}
