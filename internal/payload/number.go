package payload

import "math"

// jsonNumber is a JSON number token split into its parts, as positions in the token
// (it holds no pointers, so filling it costs plain stores).
type jsonNumber struct {
	neg bool
	// The mantissa digits are the token's intDigits bytes from start, then, after the
	// '.', its next fracDigits bytes (possibly none).
	start, intDigits, fracDigits int
	exp                          int // the exponent after 'e', clamped to ±maxExp
	// mant is the mantissa digits' value when there are at most 19 of them (it then
	// fits in a uint64), accumulated while scanning.
	mant uint64
}

// numDigits is the number of mantissa digits (integer and fraction part).
func (n *jsonNumber) numDigits() int { return n.intDigits + n.fracDigits }

// digit is mantissa digit i of tok, the token n was scanned from, counting the integer
// part first.
func (n *jsonNumber) digit(tok []byte, i int) byte {
	if i >= n.intDigits {
		i++ // past the '.'
	}
	return tok[n.start+i]
}

// maxExp bounds stored exponents; anything beyond already decides every question asked
// of a number here.
const maxExp = 1 << 20

// scanNumber reads the JSON number at the start of b (RFC 8259 grammar) into n and
// returns the number of bytes it spans, or ok=false when b does not start with one.
// The parts are gathered in locals and stored once (n is the caller's, on its stack).
func scanNumber(b []byte, n *jsonNumber) (size int, ok bool) {
	i := 0
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	start := i
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i, mant = scanDigits(b, i, mant)
	default:
		return 0, false
	}
	intEnd, fracStart := i, i
	if i < len(b) && b[i] == '.' {
		i++
		fracStart = i
		i, mant = scanDigits(b, i, mant)
		if i == fracStart {
			return 0, false
		}
	}
	fracEnd, exp := i, 0
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		negExp := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			negExp = b[i] == '-'
			i++
		}
		expStart := i
		for ; i < len(b) && isDigit(b[i]); i++ {
			if exp < maxExp {
				exp = exp*10 + int(b[i]-'0')
			}
		}
		if i == expStart {
			return 0, false
		}
		if negExp {
			exp = -exp
		}
	}
	*n = jsonNumber{neg: neg, start: start, intDigits: intEnd - start, fracDigits: fracEnd - fracStart, exp: exp, mant: mant}
	return i, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// timestamp is n, scanned from tok, as a timestamp_ms: accepted when its value is an
// integer greater than 0 and below 2^63, in any notation (1700000000000, 1.7e12,
// 1700000000000.0). A plain integer is judged here (JSON allows it no leading
// zeros, so mant is its value) in (0, 2^63) is accepted here, inlined; anything
// else is judged by timestampDigits.
func (n *jsonNumber) timestamp(tok []byte) (int64, bool) {
	if n.neg || n.fracDigits|n.exp != 0 || n.intDigits > 19 || n.mant-1 >= math.MaxInt64 {
		return n.timestampDigits(tok) // also judges 0 and values from 2^63 on
	}
	return int64(n.mant), true
}

// timestampDigits is timestamp for any notation. It works on the decimal digits, so
// values near 2^63 are judged exactly.
func (n *jsonNumber) timestampDigits(tok []byte) (int64, bool) {
	if n.neg {
		return 0, false
	}
	lo, hi := 0, n.numDigits()
	for lo < hi && n.digit(tok, lo) == '0' {
		lo++
	}
	exp := n.exp - n.fracDigits // value = digits[lo:hi] × 10^exp
	for hi > lo && n.digit(tok, hi-1) == '0' {
		hi--
		exp++
	}
	// 10^19 > 2^63, so more than 19 significant places can never fit.
	if lo == hi || exp < 0 || hi-lo+exp > 19 {
		return 0, false
	}
	var v uint64
	for i := lo; i < hi; i++ {
		v = v*10 + uint64(n.digit(tok, i)-'0')
	}
	for range exp {
		v *= 10
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// exactFloat converts n to the nearest float64 when a single exact multiplication or
// division does it (see exactValue). ok=false leaves the other cases to a full parser.
func exactFloat(n *jsonNumber) (float64, bool) {
	return exactValue(n.mant, n.numDigits(), n.exp-n.fracDigits, n.neg)
}

// exactValue is the number with mantissa m (of digits digits), decimal exponent exp and
// sign neg, when a single exact multiplication or division gives it (mantissa ≤ 2^53,
// exponent within ±22: Clinger's fast path, correctly rounded).
func exactValue(m uint64, digits, exp int, neg bool) (float64, bool) {
	if digits > 19 || m > 1<<53 {
		return 0, false
	}
	f := float64(m)
	switch {
	case m == 0:
	case exp >= 0 && exp < len(pow10):
		f *= pow10[exp]
	case exp < 0 && -exp < len(pow10):
		f /= pow10[-exp]
	default:
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// scanDigits adds the ASCII digits of b from i on to mant, a decimal mantissa, and
// returns where they end.
func scanDigits(b []byte, i int, mant uint64) (int, uint64) {
	for ; i < len(b) && isDigit(b[i]); i++ {
		mant = mant*10 + uint64(b[i]-'0')
	}
	return i, mant
}
