package compat

import (
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCompareStrings(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "a", -1},
		{"a", "b", -1},
		{"b", "a", 1},
		{"10", "9", -1},
		{"abc", "ab", 1},
		{"\uFFFF", "😀", 1}, // U+FFFF vs lead surrogate 0xD83D; Go byte order says -1
		{"\uE000", "😀", 1},
		{"\uD7FF", "😀", -1},
		{"😀", "😁", -1},
		{"é", "e", 1},
		{"x\uFFFFy", "x😀", 1},
		{"\xff", "\xfe", 0},              // both are U+FFFD in goja
		{"\xff", "\uFFFD", 0},            // likewise
		{"\xe2\x82", "\xe2\x82\xac", 1},  // U+FFFD U+FFFD vs U+20AC
		{"\xe2\x82A", "\xe2\x82\xac", 1}, // U+FFFD U+FFFD 'A' vs U+20AC
		{"a\xe2\x82", "a\xe2\x82\xac", 1},
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD", 0}, // an encoded surrogate is three invalid bytes
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CompareStrings(tt.a, tt.b), "CompareStrings(%+q, %+q)", tt.a, tt.b)
		assert.Equal(t, -tt.want, CompareStrings(tt.b, tt.a), "CompareStrings(%+q, %+q)", tt.b, tt.a)
	}
}

func TestStringLength(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"hello", 5},
		{"héllo", 5},
		{"😀", 2},
		{"a😀b", 4},
		{"\uFFFF", 1},
		{"\xff\xfe", 2},
		{"\xe2\x82", 2},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, StringLength(tt.in), "StringLength(%+q)", tt.in)
	}
}

func TestValidUTF8(t *testing.T) {
	assert.Equal(t, "abc€", ValidUTF8("abc€"))
	assert.Equal(t, "a\uFFFD\uFFFDb", ValidUTF8("a\xe2\x82b"))
	assert.Equal(t, "\uFFFD\uFFFD\uFFFD", ValidUTF8("\xed\xa0\x80"))
}

func TestCaseMapping(t *testing.T) {
	tests := []struct {
		in, upper, lower string
	}{
		{"abcXYZ", "ABCXYZ", "abcxyz"},
		{"straße", "STRASSE", "straße"},
		{"ǅ", "Ǆ", "ǆ"},
		{"ΟΔΟΣ", "ΟΔΟΣ", "οδος"},
		{"ﬀ", "FF", "ﬀ"},
		{"İ", "İ", "i̇"},
		{"\u0345\u03a3", "\u0399\u03a3", "\u0345\u03c3"}, // goja's fix-up after U+0345
		{"\u03b1\u0345\u03a3", "\u0391\u0399\u03a3", "\u03b1\u0345\u03c2"},
		{"😀a", "😀A", "😀a"},
		{"a\xffb", "A\uFFFDB", "a\uFFFDb"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.upper, ToUpper(tt.in), "ToUpper(%+q)", tt.in)
		assert.Equal(t, tt.lower, ToLower(tt.in), "ToLower(%+q)", tt.in)
	}
}

// stringPieces mix ASCII with characters whose UTF-16 order, length or case
// mapping differs from the naive Go one, and with invalid UTF-8.
var stringPieces = []string{
	"a", "b", "z", "A", "Z", "0", " ", "~", "\x00", "\x7f",
	"é", "ß", "ẞ", "Σ", "σ", "ς", "\u0345", "α", "Α", "İ", "ı", "ŉ", "ǅ", "ﬀ", "ﬃ", "ΐ", "Ω", "ω",
	"\u00a0", "\uD7FF", "\uE000", "\uFFFD", "\uFFFF", "€", "中",
	"😀", "😁", "\U00010000", "\U0010FFFF", "𝔸", "𐐀", "𐐨",
	"\xff", "\x80", "\xe2\x82", "\xed\xa0\x80", "\xf0\x9f",
}

func randString(r *rand.Rand, maxPieces int) string {
	var b strings.Builder
	for range r.Intn(maxPieces + 1) {
		b.WriteString(stringPieces[r.Intn(len(stringPieces))])
	}
	return b.String()
}

// mutate returns s with a random suffix replaced, so that compared strings
// often share a prefix.
func mutate(r *rand.Rand, s string) string {
	cut := r.Intn(len(s) + 1)
	return s[:cut] + randString(r, 3)
}

func TestStringsMatchGoja(t *testing.T) {
	js := newJS(t)
	r := rand.New(rand.NewSource(50))
	for i := range 40000 {
		// Strings up to 16 bytes and longer ones take different paths in goja.
		a := randString(r, 2+i%12)
		b := mutate(r, a)
		want := js.mustEval("a < b ? -1 : (a > b ? 1 : 0)", a, b)
		requireSame(t, want, int64(CompareStrings(a, b)), "compare %+q with %+q", a, b)
		requireSame(t, js.mustEval("a.length", a), int64(StringLength(a)), "%+q.length", a)
		requireSame(t, js.mustEval("a.toUpperCase()", a), ToUpper(a), "%+q.toUpperCase()", a)
		requireSame(t, js.mustEval("a.toLowerCase()", a), ToLower(a), "%+q.toLowerCase()", a)
		// A string built inside JavaScript: goja concatenates the UTF-16 forms
		// of short strings but the raw Go bytes of long ones, so the operands
		// are made valid first to get one reference behaviour.
		va, vb := ValidUTF8(a), ValidUTF8(b)
		requireSame(t, js.mustEval("(a + b).toLowerCase()", va, vb), ToLower(va+vb), "(%+q + %+q).toLowerCase()", va, vb)
		requireSame(t, js.mustEval("(a + b).toUpperCase()", va, vb), ToUpper(va+vb), "(%+q + %+q).toUpperCase()", va, vb)
		requireSame(t, js.mustEval("(a + b).length", va, vb), int64(StringLength(va+vb)), "(%+q + %+q).length", va, vb)
		requireSame(t, js.mustEval("a + b < b + a", va, vb), CompareStrings(va+vb, vb+va) < 0, "%+q + %+q < %+q + %+q", va, vb, vb, va)
	}
}

// TestCaseMappingConcurrent runs the pooled case mappers from several
// goroutines at once; each must still see its own results.
func TestCaseMappingConcurrent(t *testing.T) {
	inputs := []string{"straße", "ΟΔΟΣ", "\u0345\u03a3x", "Füllstand 😀", "ﬀ İ"}
	upper := make([]string, len(inputs))
	lower := make([]string, len(inputs))
	for i, s := range inputs {
		upper[i], lower[i] = ToUpper(s), ToLower(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for n := range 2000 {
				i := (g + n) % len(inputs)
				if ToUpper(inputs[i]) != upper[i] || ToLower(inputs[i]) != lower[i] {
					errs <- inputs[i]
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Errorf("concurrent case mapping of %+q differs", s)
	}
}
