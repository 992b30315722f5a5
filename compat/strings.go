package compat

import (
	"math/bits"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// JavaScript strings are sequences of UTF-16 code units; Go strings are UTF-8
// bytes. goja converts a Go string by decoding it rune by rune, so each byte
// of invalid UTF-8 becomes U+FFFD. The helpers below follow that conversion.

// CompareStrings orders two strings as JavaScript's relational operators do:
// by UTF-16 code units. This is Go's byte order except that a character above
// U+FFFF (a surrogate pair, 0xD800…) sorts before U+E000…U+FFFF: in
// JavaScript "\uFFFF" < "😀" is false. It returns -1, 0 or +1.
func CompareStrings(a, b string) int {
	i := commonPrefix(a, b)
	ca, cb := byteAt(a, i), byteAt(b, i)
	if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
		// An ASCII byte (or the end) starts a character in both strings, and the
		// equal bytes before it decode to equal characters.
		return compareInts(ca, cb)
	}
	// Back up to a byte that starts a character in both strings: a byte that is
	// not a UTF-8 continuation byte always does.
	for i > 0 && !(utf8.RuneStart(byte(byteAt(a, i))) && utf8.RuneStart(byte(byteAt(b, i)))) {
		i--
	}
	a, b = a[i:], b[i:]
	for len(a) > 0 && len(b) > 0 {
		ra, wa := utf8.DecodeRuneInString(a)
		rb, wb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return compareInts(utf16Order(ra), utf16Order(rb))
		}
		a, b = a[wa:], b[wb:]
	}
	return compareInts(len(a), len(b))
}

// commonPrefix returns the length of the longest common prefix of a and b,
// comparing eight bytes at a time.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := load64(a[i:]) ^ load64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// load64 reads the first eight bytes of s as a little-endian word.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// byteAt returns s[i], or -1 at the end of s.
func byteAt(s string, i int) int {
	if i < len(s) {
		return int(s[i])
	}
	return -1
}

// utf16Order maps a rune to a key that orders runes as their UTF-16 encodings
// compare: characters above U+FFFF (lead surrogates 0xD800–0xDBFF) sit
// between U+D7FF and U+E000.
func utf16Order(r rune) int {
	switch {
	case r < 0xD800:
		return int(r)
	case r >= 0x10000:
		return 0xD800 + int(r-0x10000)
	default:
		return int(r) + 0x100000
	}
}

func compareInts(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// StringLength is JavaScript's s.length: the number of UTF-16 code units, so
// "😀" has length 2 and "héllo" length 5.
func StringLength(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			n := i
			for _, r := range s[i:] {
				n++
				if r > 0xFFFF {
					n++
				}
			}
			return n
		}
	}
	return len(s)
}

// Casers keep state while they run, so each goroutine takes its own from a
// pool; Caser.String resets it before use.
var (
	upperCasers = sync.Pool{New: func() any { c := cases.Upper(language.Und); return &c }}
	lowerCasers = sync.Pool{New: func() any { c := cases.Lower(language.Und); return &c }}
)

// ToUpper is String.prototype.toUpperCase as goja computes it: ASCII strings
// map only ASCII letters; others use Unicode full case mapping
// (golang.org/x/text/cases, language-neutral), so "ß" becomes "SS".
func ToUpper(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	c := upperCasers.Get().(*cases.Caser)
	defer upperCasers.Put(c)
	return ValidUTF8(c.String(s))
}

// ToLower is String.prototype.toLowerCase as goja computes it: ASCII strings
// map only ASCII letters; others use Unicode full case mapping
// (golang.org/x/text/cases, language-neutral, final sigma included) followed
// by goja's fix-up that turns ς into σ after U+0345 unless an α precedes it.
func ToLower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	c := lowerCasers.Get().(*cases.Caser)
	defer lowerCasers.Put(c)
	return fixSigmaAfterYpogegrammeni(ValidUTF8(c.String(s)))
}

// ypogegrammeniFinalSigma is U+0345 COMBINING GREEK YPOGEGRAMMENI followed by
// U+03C2 GREEK SMALL LETTER FINAL SIGMA.
const ypogegrammeniFinalSigma = "\u0345\u03c2"

// fixSigmaAfterYpogegrammeni replaces ς (U+03C2) by σ (U+03C3) wherever it
// follows U+0345 that is not itself preceded by α (U+03B1), as goja does
// after lower-casing.
func fixSigmaAfterYpogegrammeni(s string) string {
	if !strings.Contains(s, ypogegrammeniFinalSigma) {
		return s
	}
	b := []byte(s)
	for i := 0; ; {
		j := strings.Index(s[i:], ypogegrammeniFinalSigma)
		if j < 0 {
			return string(b)
		}
		i += j
		if prev, _ := utf8.DecodeLastRuneInString(s[:i]); i == 0 || prev != 'α' {
			b[i+3] = 0x83 // ς is CF 82, σ is CF 83
		}
		i += len(ypogegrammeniFinalSigma)
	}
}

// ValidUTF8 replaces each byte of invalid UTF-8 in s by U+FFFD, as goja does
// when it converts a Go string to UTF-16. (strings.ToValidUTF8 replaces a run
// of invalid bytes by one replacement instead.) Note that goja converts each
// operand of a concatenation separately, so "\xe2\x82" + "\xac" is three
// U+FFFD in JavaScript but "€" in Go (for strings up to 16 bytes; goja joins
// longer imported strings as raw bytes). Applying ValidUTF8 to input strings
// before they reach either side removes that ambiguity.
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
