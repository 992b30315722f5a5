package compiler_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// numericSpaces are the white space characters numeric strings are padded with: the
// JavaScript white space outside ASCII, two characters Go's unicode.IsSpace and
// JavaScript disagree on (U+0085, U+180E), and two ASCII ones for contrast.
var numericSpaces = []string{
	"\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
	"\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
	"\ufeff", "\u0085", "\u180e", " ", "\t",
}

// numericForms are the number spellings padded with numericSpaces: integers, fractions,
// exponents, infinities, radix prefixes, zeros, the 2^53 boundary, overflow and
// underflow, and some that are not numbers at all.
var numericForms = []string{
	"", "1", "-1", "0", "-0", "+0", "00", "-00", "0.0", "-0.0", "1.5", "-1.5", ".5", "5.", "1.0",
	"1e3", "1.5e1", "2e-3", "1e21", "1e400", "-1e400", "1e-400", "-1e-400", "4294967296.5",
	"Infinity", "-Infinity", "+Infinity", "0x10", "0X1F", "0b11", "0o17", "0x",
	"9007199254740992", "9007199254740993", "12345678901234567890", "abc", "NaN", "1_0",
}

// numericSites are the expressions that convert the string s to a number (t is the
// unpadded spelling): unary minus and plus, arithmetic, comparisons, Number, parseFloat,
// isNaN, isFinite, templates and the Math functions, directly and through operands whose
// value is a string.
var numericSites = []string{
	"-s", "+s", "-(s)", "-(-s)", "- -s", "s - 0", "s * 2", "s / 2", "s % 7", "s ** 2", "1 + +s",
	"s + 1", "1 + s", "s - t", "+s + +t", "-s * -t",
	"s < 1", "s <= 1", "s > 1", "s >= 1", "s < t", "-s > 0",
	"s == 1", "1 == s", "s != 1.5", "1.5 == s", "s == t", "Number(s) === -(-s)",
	"Number(s)", "parseFloat(s)", "isNaN(s)", "isFinite(s)", "isNaN(-s)", "isFinite(-s)",
	"`${-s}`", "`${+s}`", "-`${s}`", "-`${s}${t}`", "String(-s)", "(-s).toFixed(2)",
	"Math.abs(s)", "Math.floor(s)", "Math.max(s, 0)", "Math.min(s, 1)", "Math.pow(s, 2)",
	"Math.hypot(s, 0)", "Math.atan2(s, 1)", "Math.sign(s)", "Math.round(-s)",
	"-(p ? s : t)", "-(s || t)", "-(s && t)", "-(s ?? t)", "-(s + t)", "-String(s)",
	"-s.toUpperCase()", "-s.toLowerCase()", "Boolean(-s)", "!-s", "-s || 5", "~s", "s | 0",
}

// TestNonASCIIWhitespaceNumbers pads every numeric form with every white space character,
// before, after, around and twice before, and requires EngineAuto to give goja's result
// at every conversion site.
func TestNonASCIIWhitespaceNumbers(t *testing.T) {
	var bindings []map[string]any
	for _, sp := range numericSpaces {
		for _, f := range numericForms {
			for _, s := range []string{sp + f, f + sp, sp + f + sp, sp + sp + f} {
				bindings = append(bindings, map[string]any{"s": s, "t": f, "p": true})
			}
		}
	}
	diffs, cases, fast := 0, 0, 0
	for _, src := range numericSites {
		auto, ref, autoErr, refErr := compileBoth(src, []string{"p", "s", "t"})
		require.Empty(t, diffCompile(autoErr, refErr), src)
		require.NoError(t, refErr, src)
		for _, vars := range bindings {
			cases++
			d, fallback := compareEngines(auto, ref, vars)
			if auto.Fast() && !fallback {
				fast++
			}
			if d != "" {
				diffs++
				if diffs <= maxReportedDiffs {
					t.Errorf("%s with s=%+q: %s", src, vars["s"], d)
				}
			}
		}
	}
	t.Logf("%d cases, %d on the fast path, %d differences", cases, fast, diffs)
	assert.Zero(t, diffs)
	assert.Greater(t, fast, cases/2, "the conversions must be exercised on the fast path")
}
