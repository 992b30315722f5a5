package compat

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja/parser"
)

// StringToNumber is goja's ToNumber of a string: unary +, Number(s), and the
// string operand of binary - * / % and of a relational comparison with a
// number (unary minus differs: see NegateString).
//
// goja trims the string (non-ASCII strings first lose JavaScript whitespace,
// then Unicode white space), maps "" to 0 and "Infinity", "+Infinity",
// "-Infinity" to ±Infinity, then tries an int64 literal (decimal, or 0x, 0o,
// 0b prefixed; so "-00" is +0 and "0x10" is 16), then a decimal float
// (no '_', no hex float, no "inf"; "1e400" is Infinity, "-0" is -0), and
// yields NaN otherwise.
//
// Non-ASCII input, trimming quirks included, is reproduced exactly (an
// invalid UTF-8 byte acts as U+FFFD, which makes the result NaN). ok=false
// only for an integer literal of magnitude 2^53+1 ("9007199254740993"): goja
// then holds ±2^53 as an unnormalised float that exports as float64 (see
// AmbiguousInt).
func StringToNumber(s string) (float64, bool) {
	if isASCII(s) {
		s = strings.TrimSpace(s)
	} else {
		s = strings.TrimSpace(strings.Trim(s, parser.WhitespaceChars))
	}
	if f, ok := namedNumber(s); ok {
		return f, true
	}
	if i, ok := parseIntLiteral(s); ok {
		return float64(i), !unnormalisedInt(i)
	}
	if f, ok := parseDecimal(s); ok {
		return f, true
	}
	return math.NaN(), true
}

// NegateString is goja's unary minus on a string, which does not negate the
// string's ToNumber in every case. goja converts with ToNumber first; when that
// gives an integer value (IsInt) it negates it, and otherwise it negates the
// string's ToFloat (see StringToFloat), which is NaN for every non-ASCII
// string: -"\u00a01.5" and -"\u3000Infinity" are NaN although
// +"\u00a01.5" is 1.5, while -"\u00a012" is -12. For an ASCII string the
// two conversions agree, so the result is the negated ToNumber. For an ASCII
// string, ok=false where StringToNumber or Neg report it ("9007199254740993",
// "-0"): the value is then right but goja holds it as an unnormalised float;
// in a non-ASCII string the same magnitudes are simply NaN.
func NegateString(s string) (float64, bool) {
	n, ok := StringToNumber(s)
	if !isASCII(s) && (!ok || !IsInt(n)) {
		return math.NaN(), true
	}
	if !ok {
		return -n, false
	}
	return Neg(n)
}

// StringToFloat is goja's other string → number conversion (ToFloat), which
// the Math.* functions apply to string arguments (Math.abs("12")). It
// differs from StringToNumber in two ways: every non-ASCII string is NaN
// (Math.abs("\u00a012") is NaN although +"\u00a012" is 12), and the decimal
// float parse is tried before the int64 literal ("-00" is -0).
func StringToFloat(s string) float64 {
	if !isASCII(s) {
		return math.NaN()
	}
	s = strings.TrimSpace(s)
	if f, ok := namedNumber(s); ok {
		return f
	}
	if f, ok := parseDecimal(s); ok {
		return f
	}
	if i, ok := parseIntLiteral(s); ok {
		return float64(i)
	}
	return math.NaN()
}

// namedNumber maps the trimmed strings goja converts without parsing: "" is
// 0 and "Infinity", "+Infinity", "-Infinity" are ±Infinity (no other
// spelling of infinity is accepted).
func namedNumber(s string) (float64, bool) {
	switch s {
	case "":
		return 0, true
	case "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}

// parseIntLiteral parses the trimmed, non-empty s as goja's int64 literal:
// an optional sign and decimal digits, or 0x/0o/0b (either case) followed by
// an optional sign and digits in that base (goja hands that part to
// strconv.ParseInt, so "0x-1" is -1). "-0" is rejected so that it parses as
// the float -0, and so is a value outside the int64 range.
func parseIntLiteral(s string) (int64, bool) {
	if s == "-0" {
		return 0, false
	}
	base := uint64(10)
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			s = s[2:]
		}
	}
	negative := false
	if s[0] == '+' || s[0] == '-' {
		negative = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	limit := uint64(math.MaxInt64)
	if negative {
		limit++
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base || n > (limit-d)/base {
			return 0, false
		}
		n = n*base + d
	}
	if negative {
		return -int64(n), true
	}
	return int64(n), true
}

// digitValue is the value of an ASCII digit or letter in bases up to 36, or
// 36 for any other byte.
func digitValue(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'z':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return uint64(c-'A') + 10
	}
	return 36
}

// parseDecimal parses the trimmed, non-empty s as goja's decimal float:
// strconv.ParseFloat without underscores, hexadecimal floats or the
// "inf"/"infinity" spellings; out-of-range values give ±Infinity or ±0.
func parseDecimal(s string) (float64, bool) {
	if s == "-0" {
		return math.Copysign(0, -1), true
	}
	if strings.IndexByte(s, '_') >= 0 {
		return 0, false
	}
	body := s
	if body[0] == '-' || body[0] == '+' {
		body = body[1:]
	}
	if len(body) >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil {
		if math.IsInf(f, 0) { // only the "inf"/"infinity" spellings reach here
			return 0, false
		}
		return f, true
	}
	return f, isRangeError(err)
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// ParseFloat is the global parseFloat(s) as goja computes it. The string is
// trimmed of whitespace (ASCII white space, or for a non-ASCII string the
// JavaScript whitespace set), then its longest prefix of the form
// [+-](Infinity | digits[.digits][(e|E)[+-]digits]) is converted; a prefix
// without any mantissa digit ("", "+", ".", ".e5") gives NaN.
func ParseFloat(s string) float64 {
	if isASCII(s) {
		s = strings.TrimSpace(s)
	} else {
		s = strings.Trim(s, parser.WhitespaceChars)
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "Infinity") {
		return math.Copysign(math.Inf(1), signOf(s[0]))
	}
	i = skipDigits(s, i)
	if i < len(s) && s[i] == '.' {
		i = skipDigits(s, i+1)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if k := skipDigits(s, j); k > j {
			i = k
		}
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	if err != nil && !isRangeError(err) {
		return math.NaN()
	}
	return f
}

func signOf(c byte) float64 {
	if c == '-' {
		return -1
	}
	return 1
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
