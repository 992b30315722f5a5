package payload

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/unsproc/unsproc/value"
)

// flatScanner reads the usual timeseries payload: one object whose members are
// scalars (numbers, strings without escapes, true, false, null). Anything else makes it
// give up, and Decode falls back to the general decoder.
type flatScanner struct {
	b []byte
	i int
}

// decodeFlat finds the fields of b when it has the flat shape, reporting whether it
// did; otherwise what it left in f is meaningless. A payload that opens an
// object and does not close it (cut off in transit, typically) is invalid without
// scanning it.
func decodeFlat(b []byte, f *fields) bool {
	if unclosedObject(b) {
		f.invalid = true
		return true
	}
	s := flatScanner{b: b}
	return s.object(f)
}

// object scans the payload as one flat object into f (see decodeFlat).
func (s *flatScanner) object(f *fields) bool {
	if !s.consume('{') {
		return false
	}
	if !s.consume('}') {
		for {
			key, ok := s.str()
			if !ok || !s.consume(':') {
				return false
			}
			s.space()
			switch {
			case string(key) == "value":
				if f.value, ok = s.scalar(true); !ok {
					return false
				}
				f.hasValue = true
			case string(key) == "timestamp_ms":
				tok := s.b[s.i:]
				size, isNumber := scanNumber(tok, &f.ts)
				if !isNumber {
					return false // let the general decoder find what the token is
				}
				s.i += size
				f.hasTs, f.tsIsNumber, f.tsTok = true, true, tok
			default:
				if _, ok = s.scalar(false); !ok {
					return false
				}
			}
			if s.consume(',') {
				continue
			}
			if s.consume('}') {
				break
			}
			return false
		}
	}
	s.space()
	return s.i == len(s.b)
}

// The canonical payload, as UMH producers write it: {"value":<number>,"timestamp_ms":<digits>}.
const canonicalValue = `{"value":`

// minCanonical is the length of the shortest canonical payload, {"value":0,"timestamp_ms":1}.
const minCanonical = len(canonicalValue) + 1 + len(tailPrefix) + 2

// decodeCanonical decodes the canonical payload exactly as written above (no spaces; a
// number value without an exponent that exactValue converts; a timestamp of at most 18
// digits without a leading zero), which every payload rule accepts, and returns its
// value, timestamp and tail, the end of b from tailPrefix on. A nil tail leaves every
// other payload, valid or not, to the flat scanner. It reads the number with the
// scanner's own pieces but on locals, without a jsonNumber or a fields record: it runs
// for nearly every message.
func decodeCanonical(b []byte) (v float64, ts int64, tail []byte) {
	n := len(b)
	if n < minCanonical || string(b[:len(canonicalValue)]) != canonicalValue || b[n-1] != '}' {
		return 0, 0, nil
	}
	i := len(canonicalValue)
	neg := b[i] == '-'
	if neg {
		i++
	}
	start := i
	var mant uint64
	if b[i] == '0' {
		i++ // JSON allows no other digit after a leading zero
	} else if i, mant = scanDigits(b, i, 0); i == start {
		return 0, 0, nil
	}
	digits, scale := i-start, 0
	if b[i] == '.' {
		from := i + 1
		if i, mant = scanDigits(b, from, mant); i == from {
			return 0, 0, nil
		}
		scale = i - from
		digits += scale
	}
	var ok bool
	if v, ok = exactValue(mant, digits, -scale, neg); !ok {
		return 0, 0, nil // beyond one exact operation: the flat scanner converts it
	}
	rest := b[i:]
	if len(rest) < len(tailPrefix)+2 || string(rest[:len(tailPrefix)]) != tailPrefix {
		return 0, 0, nil
	}
	tsDigits := rest[len(tailPrefix) : len(rest)-1]
	if len(tsDigits) > 18 || tsDigits[0] == '0' {
		return 0, 0, nil // 18 digits always fit in an int64
	}
	if ts, ok = parseDigits(tsDigits); !ok {
		return 0, 0, nil
	}
	return v, ts, rest
}

// parseDigits returns the value of b, at most 18 ASCII digits, or ok=false when b
// holds anything else. Eight digits are checked and converted at once; from eight
// digits on, a first group of fewer is read as eight with leading zeros.
func parseDigits(b []byte) (n int64, ok bool) {
	if len(b) < 8 {
		for _, c := range b {
			if !isDigit(c) {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	if r := len(b) % 8; r != 0 {
		// Shift the first r digits (the lowest bytes) up and fill the bytes below
		// them, the more significant places, with '0'.
		v := binary.LittleEndian.Uint64(b)<<(64-8*r) | 0x3030303030303030>>(8*r)
		if n, ok = eightDigits(v); !ok {
			return 0, false
		}
		b = b[r:]
	}
	for len(b) >= 8 {
		d, ok := eightDigits(binary.LittleEndian.Uint64(b))
		if !ok {
			return 0, false
		}
		n = n*100000000 + d
		b = b[8:]
	}
	return n, true
}

// eightDigits returns the value of the eight ASCII digits in v, the first one in the
// lowest byte, or ok=false when v holds anything else.
func eightDigits(v uint64) (int64, bool) {
	d := v - 0x3030303030303030
	// A byte below '0' wraps to 0xD0 or more, one above '9' reaches 0x10 with 6
	// added: either sets a high nibble.
	if (d|(d+0x0606060606060606))&0xF0F0F0F0F0F0F0F0 != 0 {
		return 0, false
	}
	// Combine digit pairs, then pairs of pairs, then the two halves.
	d = (d * 10) + (d >> 8)
	d = ((d&0x000000FF000000FF)*(100+(1000000<<32)) + ((d>>16)&0x000000FF000000FF)*(1+(10000<<32))) >> 32
	return int64(d), true
}

func (s *flatScanner) space() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

// consume skips white space and then c, reporting whether c was there.
func (s *flatScanner) consume(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string without escapes, control characters or invalid UTF-8 and returns
// its content.
func (s *flatScanner) str() ([]byte, bool) {
	if !s.consume('"') {
		return nil, false
	}
	end := bytes.IndexByte(s.b[s.i:], '"')
	if end < 0 {
		return nil, false
	}
	content := s.b[s.i : s.i+end]
	for _, c := range content {
		if c < 0x20 || c == '\\' {
			return nil, false
		}
	}
	if !utf8.Valid(content) {
		return nil, false
	}
	s.i += end + 1
	return content, true
}

// scalar reads a number, string, true, false or null at s.i. With keep it returns the
// value as encoding/json would decode it (null → nil), a number unboxed; without, it
// only checks and skips it.
func (s *flatScanner) scalar(keep bool) (value.Value, bool) {
	if s.i >= len(s.b) {
		return value.Value{}, false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		content, ok := s.str()
		if !ok || !keep {
			return value.Value{}, ok
		}
		return value.Value{Any: string(content)}, true
	case c == 't':
		return value.Value{Any: true}, s.literal("true")
	case c == 'f':
		return value.Value{Any: false}, s.literal("false")
	case c == 'n':
		return value.Value{}, s.literal("null")
	}
	var n jsonNumber
	size, ok := scanNumber(s.b[s.i:], &n)
	if !ok {
		return value.Value{}, false
	}
	s.i += size
	if !keep {
		return value.Value{}, true
	}
	f, ok := exactFloat(&n)
	if !ok {
		return value.Value{}, false
	}
	return value.Num(f), true
}

func (s *flatScanner) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// unclosedObject reports whether b opens a JSON object but does not end with '}' (a
// payload cut off in transit, typically): invalid JSON, found without scanning it.
func unclosedObject(b []byte) bool {
	i, j := 0, len(b)-1
	for i <= j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j]) {
		j--
	}
	if i > j || b[i] != '{' {
		return false
	}
	return i == j || b[j] != '}'
}
