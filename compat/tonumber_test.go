package compat

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStringToNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"", 0},
		{"   ", 0},
		{" 12 ", 12},
		{"\t\n12\r\v\f", 12},
		{"12.5", 12.5},
		{"0x10", 16},
		{"0X1f", 31},
		{"0o17", 15},
		{"0b101", 5},
		{"0x-1", -1}, // strconv.ParseInt takes the sign after goja strips 0x
		{"-0x10", math.NaN()},
		{"0x1p3", math.NaN()},
		{"0x", math.NaN()},
		{"1e400", math.Inf(1)},
		{"-1e400", math.Inf(-1)},
		{"1e-400", 0},
		{"-1e-400", negativeZero},
		{"-0", negativeZero},
		{"-00", 0}, // parsed as int64 0
		{"-0.0", negativeZero},
		{"+5", 5},
		{"Infinity", math.Inf(1)},
		{"+Infinity", math.Inf(1)},
		{"-Infinity", math.Inf(-1)},
		{"infinity", math.NaN()},
		{"inf", math.NaN()},
		{"NaN", math.NaN()},
		{"1_000", math.NaN()},
		{"1e3", 1000},
		{".5", 0.5},
		{"5.", 5},
		{"abc", math.NaN()},
		{"9007199254740995", 9007199254740996},
		{"99999999999999999999", 1e20},
		{"\u00a012", 12},
		{"\u00a012\u3000", 12},
		{"\ufeff12", 12},
		{"\u008512", 12}, // U+0085 is not JS whitespace, but goja's second trim takes it
		{"\u0085\ufeff12", math.NaN()},
		{"1\u00a02", math.NaN()},
		{"１２", math.NaN()},
		{"\xff12", math.NaN()},
	}
	for _, tt := range tests {
		got, ok := StringToNumber(tt.in)
		assert.True(t, ok, "StringToNumber(%+q)", tt.in)
		requireBits(t, tt.want, got, "StringToNumber(%+q)", tt.in)
	}
	for _, s := range []string{"9007199254740993", "-9007199254740993", "+09007199254740993", "0x20000000000001"} {
		_, ok := StringToNumber(s)
		assert.False(t, ok, "StringToNumber(%q) is an unnormalised float in goja", s)
	}
}

func TestStringToFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{" 12 ", 12},
		{"-00", negativeZero}, // the float parse comes first here
		{"0x10", 16},
		{"\u00a012", math.NaN()}, // any non-ASCII string
		{"", 0},
		{"Infinity", math.Inf(1)},
		{"x", math.NaN()},
	}
	for _, tt := range tests {
		requireBits(t, tt.want, StringToFloat(tt.in), "StringToFloat(%+q)", tt.in)
	}
}

func TestNegateString(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{" 1.5 ", -1.5},
		{"12", -12},
		{"0", negativeZero},
		{"", negativeZero},
		{"Infinity", math.Inf(-1)},
		{"-Infinity", math.Inf(1)},
		{"0x10", -16},
		{"abc", math.NaN()},
		{"\u00a012", -12},         // ToNumber gives an integer: negated
		{"\u00a01.0", -1},         // an integer value, however written
		{"\u30000", negativeZero}, // so is 0
		{"\u00a01.5", math.NaN()}, // otherwise ToFloat, NaN for a non-ASCII string
		{"1.5\u2028", math.NaN()},
		{"\u3000Infinity", math.NaN()},
		{"\ufeff-0", math.NaN()},
		{"\u00a01e400", math.NaN()},
		{"\u00a09007199254740993", math.NaN()},
		{"\u00a09007199254740992", -9007199254740992},
	}
	for _, tt := range tests {
		got, ok := NegateString(tt.in)
		assert.True(t, ok, "NegateString(%+q)", tt.in)
		requireBits(t, tt.want, got, "NegateString(%+q)", tt.in)
	}
	for _, s := range []string{"-0", " -0 ", "9007199254740993"} {
		_, ok := NegateString(s)
		assert.False(t, ok, "-%q is an unnormalised float in goja", s)
	}
}

func TestParseFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"1e3x", 1000},
		{".5", 0.5},
		{"-.5", -0.5},
		{"1.5e", 1.5},
		{"1.5e+", 1.5},
		{"1e-3", 0.001},
		{"0x10", 0},
		{"Infinityx", math.Inf(1)},
		{"-Infinity", math.Inf(-1)},
		{"+Infinity", math.Inf(1)},
		{"infinity", math.NaN()},
		{"", math.NaN()},
		{"+", math.NaN()},
		{".", math.NaN()},
		{".e5", math.NaN()},
		{"-0", negativeZero},
		{"1e400", math.Inf(1)},
		{"  42abc", 42},
		{"\u00a0\ufeff 7", 7},
		{"\u00857", math.NaN()},
		{"1_0", 1},
	}
	for _, tt := range tests {
		requireBits(t, tt.want, ParseFloat(tt.in), "ParseFloat(%+q)", tt.in)
	}
}

// numericPieces build strings that look numeric, almost numeric, or are
// padded with every kind of white space.
var numericPieces = []string{
	"0", "1", "2", "5", "9", "00", "12", "007", "9007199254740993", "99999999999999999999", "20000000000001",
	".", ".", "e", "E", "e-", "e+", "-", "+", "x", "X", "0x", "0X", "0o", "0b", "0B",
	"a", "f", "F", "_", "Infinity", "inf", "NaN", "p", " ", "\t", "\n", "\v", "\f", "\r",
	"\u00a0", "\u0085", "\ufeff", "\u2028", "\u3000", "\u1680", "\u200b", "é", "１", "\xff", "\xe2\x82",
}

func randNumericString(r *rand.Rand) string {
	var b strings.Builder
	for range r.Intn(7) {
		b.WriteString(numericPieces[r.Intn(len(numericPieces))])
	}
	return b.String()
}

func TestStringConversionsMatchGoja(t *testing.T) {
	js := newJS(t)
	r := rand.New(rand.NewSource(40))
	check := func(s string) {
		n, ok := StringToNumber(s)
		for _, src := range []string{"+a", "Number(a)"} {
			want := js.mustEval(src, s)
			if !ok {
				requireSame(t, n, want, "%s with a=%+q exports an unnormalised float", src, s)
			} else {
				requireSame(t, want, Export(n), "%s with a=%+q", src, s)
			}
		}
		if neg, ok := NegateString(s); ok {
			requireSame(t, js.mustEval("-a", s), Export(neg), "-%+q", s)
		} else {
			requireSame(t, neg, js.mustEval("-a", s), "-%+q exports an unnormalised float", s)
		}
		requireSame(t, js.mustEval("a < 7", s), n < 7, "%+q < 7", s)
		requireSame(t, js.mustEval("a * 1", s), Export(Mul(n, 1)), "%+q * 1", s)
		requireSame(t, js.mustEval("Math.max(a)", s), Export(StringToFloat(s)), "Math.max(%+q)", s)
		requireSame(t, js.mustEval("parseFloat(a)", s), Export(ParseFloat(s)), "parseFloat(%+q)", s)
	}
	for _, s := range []string{"", " 12 ", "0x10", "9007199254740993", "-0x20000000000001", "9007199254740995",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"0x7fffffffffffffff", "0x8000000000000000", "0x-8000000000000000", "0x-8000000000000001", "0b", "0x+", "0x+1",
		"+", "-", "0x_1", "1_0", "0b2", "0o8", "0o-7", "0B11", "0Xz", "1e400", "-0", "-00", "Infinity", "-Infinity", "\u00a012", "\u008512", "12" + strings.Repeat(" ", 20)} {
		check(s)
	}
	for range 40000 {
		check(randNumericString(r))
	}
}
