package compat

import (
	"math"
	"math/bits"
	"strconv"
)

// ToFixed is Number.prototype.toFixed(digits) on the number x, as goja
// computes it. digits is converted like ToIntegerOrInfinity (NaN → 0,
// truncated); ok=false when that is outside 0..100, where goja throws a
// RangeError.
//
// The digits come from the exact binary value of x: a value exactly halfway
// between two results rounds away from zero ((2.5).toFixed(0) is "3",
// (-2.5).toFixed(0) is "-3"), anything else rounds to nearest
// ((1.005).toFixed(2) is "1.00"). -0 prints as "0.00…", NaN as "NaN", and
// |x| >= 1e21 (including ±Infinity) as FormatNumber(x).
func ToFixed(x, digits float64) (string, bool) {
	if digits != digits {
		digits = 0
	}
	digits = math.Trunc(digits)
	if digits < 0 || digits > 100 {
		return "", false
	}
	d := int(digits)
	switch {
	case x != x:
		return "NaN", true
	case x >= 1e21 || x <= -1e21:
		return FormatNumber(x), true
	case x == 0:
		x = 0 // -0 prints without a sign
	}
	var buf [128]byte // sign + 21 integer digits + point + 101 fraction digits
	if !isFixedTie(x, d) {
		return string(strconv.AppendFloat(buf[:0], x, 'f', d, 64)), true
	}
	// x has exactly d+1 fraction digits, the last one a 5: print them exactly,
	// drop the 5 and round the magnitude up.
	s := strconv.AppendFloat(buf[:0], x, 'f', d+1, 64)
	s = s[:len(s)-1]
	if d == 0 {
		s = s[:len(s)-1] // the point
	}
	return string(incrementDecimal(s)), true
}

// isFixedTie reports whether the finite, nonzero x lies exactly halfway
// between two multiples of 10^-d, i.e. x·10^d has fractional part 1/2. With
// |x| = m·2^e and m odd, x·10^d = m·5^d·2^(e+d), which is that exactly when
// e+d = -1.
func isFixedTie(x float64, d int) bool {
	b := math.Float64bits(x) &^ (1 << 63)
	biased := int(b >> 52)
	mant := b & (1<<52 - 1)
	e := -1074
	if biased != 0 {
		mant |= 1 << 52
		e = biased - 1075
	}
	return e+bits.TrailingZeros64(mant) == -(d + 1)
}

// incrementDecimal adds one unit in the last place to the magnitude of the
// decimal number s ("[-]ddd[.ddd]"), carrying through nines and the point.
func incrementDecimal(s []byte) []byte {
	for i := len(s) - 1; i >= 0; i-- {
		switch c := s[i]; {
		case c == '.':
			continue
		case c == '-':
			return insertByte(s, i+1, '1')
		case c < '9':
			s[i]++
			return s
		default:
			s[i] = '0'
		}
	}
	return insertByte(s, 0, '1')
}

func insertByte(s []byte, at int, c byte) []byte {
	s = append(s, 0)
	copy(s[at+1:], s[at:])
	s[at] = c
	return s
}
