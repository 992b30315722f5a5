package compat

import (
	"math"
	"strconv"
)

// FormatNumber is JavaScript Number::toString(x) as goja computes it: the
// result of String(x), "" + x and template literals.
func FormatNumber(f float64) string {
	if IsInt(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	var buf [32]byte
	return string(AppendNumber(buf[:0], f))
}

// AppendNumber appends FormatNumber(f) to dst. It does not allocate when dst
// has room for the result (at most 25 bytes).
//
// Integer values print all their digits. Other finite values print the
// shortest digit string that round-trips, laid out by ECMAScript's rules:
// plain for decimal exponents -6 < n <= 21 (value = 0.digits × 10^n),
// otherwise exponential ("1e+21", "1.5e-7"). NaN, ±Infinity and ±0 print as
// "NaN", "Infinity", "-Infinity" and "0".
func AppendNumber(dst []byte, f float64) []byte {
	// The usual numbers first: safe integers (-0 prints as 0) and short decimals.
	if f >= -maxSafeInt && f <= maxSafeInt {
		if i := int64(f); float64(i) == f {
			return strconv.AppendInt(dst, i, 10)
		}
		if a := math.Abs(f); a >= 1e-6 {
			if out, ok := appendShortDecimal(dst, f, a); ok {
				return out
			}
		}
	}
	switch {
	case f != f:
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		// Decimal exponents -6 < n <= 21: the plain layout, which strconv's shortest
		// fixed-point form is exactly (without the digit shuffle below).
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	// Decimal exponents n <= -6 or n > 21 remain: the exponential layout d[.ddd]e±x.
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var digits [17]byte
	k, n := shortestDigits(&digits, f)
	dst = append(dst, digits[0])
	if k > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:k]...)
	}
	dst = append(dst, 'e')
	if n-1 >= 0 {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(n-1), 10)
}

// shortestDigits writes the shortest round-trip decimal digits of the finite
// positive f into digits and returns their count k and the decimal exponent n
// such that f = 0.d1d2…dk × 10^n.
func shortestDigits(digits *[17]byte, f float64) (k, n int) {
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // d[.ddd]e±XX
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[k] = e[i]
			k++
		}
	}
	neg := e[i+1] == '-'
	exp := 0
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	return k, exp + 1
}

// shortDecimalLimit bounds a×10^k in appendShortDecimal: below it, the spacing 10^-k of
// k-digit decimals exceeds 100 units in the last place of a (ulp(a) ≤ a×2^-52), so
// at most one k-digit decimal lies within a's rounding interval, and rounding the
// computed a×10^k (off by at most 0.005 from the exact product) finds it.
const shortDecimalLimit = 0.01 * (1 << 52)

// maxShortFraction is the most fraction digits appendShortDecimal handles; numbers
// needing more take strconv's shortest formatting.
const maxShortFraction = 8

// digitPairs holds "00" to "99", for writing two digits at a time.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

var pow10 = [maxShortFraction + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8}

// appendShortDecimal appends the plain layout of the non-integer f (a = |f|) when its
// shortest round-tripping decimal has at most maxShortFraction fraction digits, which
// is the usual case for measured values, and reports whether it did. It rounds a×10^k
// to an integer m for the largest such k that shortDecimalLimit allows: if m/10^k == a
// (a correctly rounded division of exact operands, so exactly the parse of the
// decimal), m is the only k-digit decimal that reads back as f, so every shorter one
// is m with trailing zeros dropped, and the shortest drops them all.
func appendShortDecimal(dst []byte, f, a float64) ([]byte, bool) {
	k := maxShortFraction
	for a*pow10[k] > shortDecimalLimit {
		if k--; k == 0 {
			return dst, false
		}
	}
	p := pow10[k]
	m := math.RoundToEven(a * p)
	if m/p != a {
		return dst, false
	}
	u := uint64(m)
	for k >= 4 && u%10000 == 0 {
		u /= 10000
		k -= 4
	}
	for ; k > 0 && u%10 == 0; k-- {
		u /= 10
	}
	var buf [32]byte // sign, at most 14 integer digits, point, 8 fraction digits
	i := len(buf)
	for ; k >= 2; k -= 2 {
		i -= 2
		d := u % 100 * 2
		buf[i], buf[i+1] = digitPairs[d], digitPairs[d+1]
		u /= 100
	}
	if k == 1 {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	i--
	buf[i] = '.'
	for u >= 10 {
		i -= 2
		d := u % 100 * 2
		buf[i], buf[i+1] = digitPairs[d], digitPairs[d+1]
		u /= 100
	}
	if u > 0 || buf[i] == '.' {
		i--
		buf[i] = byte('0' + u)
	}
	if f < 0 {
		i--
		buf[i] = '-'
	}
	return append(dst, buf[i:]...), true
}

// AppendJSONNumber appends what encoding/json writes for Export(f) and
// reports ok=false (appending nothing) for NaN and ±Inf, which
// encoding/json refuses. The output equals json.Marshal(Export(f)) byte for
// byte: integers as int64, -0 as "-0", other floats in the ES6 number format
// that encoding/json uses, which is Number::toString.
func AppendJSONNumber(dst []byte, f float64) ([]byte, bool) {
	switch {
	case f != f || math.IsInf(f, 0):
		return dst, false
	case f == 0 && math.Signbit(f):
		return append(dst, '-', '0'), true
	}
	return AppendNumber(dst, f), true
}

// AppendPrimitive appends JavaScript's ToString of a primitive as encoding/json decodes
// it (string, float64, bool, nil for null), as `+` on strings and template literals
// convert their parts. ok is false (appending nothing) for any other value.
func AppendPrimitive(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return append(dst, x...), true
	case float64:
		return AppendNumber(dst, x), true
	case bool:
		return strconv.AppendBool(dst, x), true
	case nil:
		return append(dst, "null"...), true
	}
	return dst, false
}
