package compat

import (
	"math"
	"math/bits"
)

// Mul is goja's `*` on two numbers. When both operands are integer values
// (IsInt) goja multiplies as int64, so a zero product is +0 except for
// 0 * -1 and -1 * 0, which give -0 (IEEE gives -0 for 0 * -5; goja gives +0).
// Every other product equals the IEEE product.
func Mul(a, b float64) float64 {
	if (a == 0 || b == 0) && IsInt(a) && IsInt(b) {
		if a == -1 || b == -1 {
			return negZero
		}
		return 0
	}
	return float64(a * b) // the conversion forbids fusing into a caller's FMA once inlined
}

// AmbiguousInt reports whether f is ±2^53, the one number whose goja
// representation the value alone does not decide. goja computes + - * of two
// integers in int64 and keeps an exact result of magnitude 2^53+1 as the float
// ±2^53, which exports as float64 (2^53 + 1 exports float64(9007199254740992)),
// while ±2^53 reached any other way is an integer and exports as int64. A
// caller hands a result of this magnitude to goja.
func AmbiguousInt(f float64) bool {
	return f == maxSafeInt || f == -maxSafeInt
}

// MulChecked is Mul with ok=false where the operands' values alone do not
// decide goja's result: a product of magnitude 2^53 (see AmbiguousInt), or a
// zero product with an operand of magnitude 2^53, whose sign depends on
// whether goja holds that operand as an integer (+0) or as a float (IEEE).
func MulChecked(a, b float64) (float64, bool) {
	r := Mul(a, b)
	if AmbiguousInt(r) || r == 0 && (AmbiguousInt(a) || AmbiguousInt(b)) {
		return r, false
	}
	return r, true
}

// unnormalisedInt reports whether goja stores the exact integer result n as a
// float that exports as float64 although it is int-like.
func unnormalisedInt(n int64) bool {
	return n == maxSafeInt+1 || n == -(maxSafeInt+1)
}

// Mod is goja's `%` on two numbers. goja's int64 path (remainder with the
// dividend's sign, -0 for a zero remainder of a negative dividend, NaN for a
// zero divisor) agrees with the exact IEEE remainder, so this is math.Mod.
func Mod(a, b float64) float64 {
	return math.Mod(a, b)
}

// Pow is goja's `**` and Math.pow on two numbers. For an integer base and a
// non-negative integer exponent whose exact power fits in an int64, the
// result is that exact power rounded once to float64 (math.Pow can be an ulp
// off, e.g. 13**17). Otherwise it is math.Pow, except that (±1)**±Infinity and
// 1**NaN are NaN as JavaScript requires.
func Pow(x, y float64) float64 {
	if y >= 0 && IsInt(x) && IsInt(y) {
		if p, ok := exactPow(int64(x), int64(y)); ok {
			return p
		}
	}
	if (x == 1 || x == -1) && math.IsInf(y, 0) {
		return math.NaN()
	}
	if x == 1 && y != y {
		return math.NaN()
	}
	return math.Pow(x, y)
}

// exactPow returns base**exp (exp >= 0) rounded once to float64, and
// ok=false when the exact magnitude exceeds math.MaxInt64.
func exactPow(base, exp int64) (float64, bool) {
	switch {
	case exp == 0:
		return 1, true
	case base == 0:
		return 0, true
	}
	negative := base < 0 && exp&1 == 1
	b := uint64(base)
	if base < 0 {
		b = uint64(-base)
	}
	r := uint64(1)
	if b != 1 {
		if exp >= 63 { // |base| >= 2: at least 2^63
			return 0, false
		}
		for {
			if exp&1 == 1 {
				hi, lo := bits.Mul64(r, b)
				if hi != 0 || lo > math.MaxInt64 {
					return 0, false
				}
				r = lo
			}
			exp >>= 1
			if exp == 0 {
				break
			}
			// The remaining factors include b², so its overflow is the result's.
			hi, lo := bits.Mul64(b, b)
			if hi != 0 || lo > math.MaxInt64 {
				return 0, false
			}
			b = lo
		}
	}
	if negative {
		return float64(-int64(r)), true
	}
	return float64(int64(r)), true
}

// Neg is goja's unary minus on a number. It reports ok=false for -0: goja
// then yields a +0 it does not normalise to an integer value, which exports
// as float64(0) rather than int64(0). No other input is affected, because
// negation keeps every other value's representation. NaN stays NaN.
func Neg(x float64) (float64, bool) {
	switch {
	case x == 0:
		if math.Signbit(x) {
			return 0, false
		}
		return negZero, true
	case x != x:
		return x, true
	}
	return -x, true
}
