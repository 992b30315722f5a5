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
	if IsInt(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	switch {
	case f != f:
		return append(dst, "NaN"...)
	case f == 0:
		return append(dst, '0')
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		// Decimal exponents -6 < n <= 21: the plain layout, which strconv's shortest
		// fixed-point form is exactly (the common case, without the digit shuffle).
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var digits [17]byte
	k, n := shortestDigits(&digits, f)
	d := digits[:k]
	switch {
	case k <= n && n <= 21: // integer: digits then n-k zeros
		dst = append(dst, d...)
		dst = appendZeros(dst, n-k)
	case 0 < n && n <= 21: // point inside the digits
		dst = append(dst, d[:n]...)
		dst = append(dst, '.')
		dst = append(dst, d[n:]...)
	case -6 < n && n <= 0: // 0.000ddd
		dst = append(dst, '0', '.')
		dst = appendZeros(dst, -n)
		dst = append(dst, d...)
	default: // d[.ddd]e±x
		dst = append(dst, d[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, d[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
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

func appendZeros(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, '0')
	}
	return dst
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
