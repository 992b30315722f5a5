package compiler_test

import (
	"errors"
	"testing"
	"unicode"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

// nonASCIIAliases are aliases outside ASCII: Latin with a combining-free accent, Greek,
// CJK, a decomposed accent (e + U+0301), and an astral-plane letter (a surrogate pair in
// JavaScript).
var nonASCIIAliases = []string{"température", "π", "温度", "e\u0301t", "𝑥", "o"}

// TestNonASCIIIdentifiers compiles expressions that use non-ASCII identifiers in every
// position (alone, first, last, under unary operators, in parentheses, as member names,
// in templates, as object keys, with escapes, before a trailing semicolon) with both
// engines and requires both to accept them and to agree on every result.
func TestNonASCIIIdentifiers(t *testing.T) {
	vars := []map[string]any{
		{"température": 21.5, "π": 3.0, "温度": "7", "e\u0301t": true, "𝑥": -2.0, "o": map[string]any{"é": 4.0, "ñ": map[string]any{"ü": "x"}, "𝑦": 1.0}},
		{"température": "1.5", "π": -0.0, "温度": 7.0, "e\u0301t": nil, "𝑥": "\u00a01.5", "o": map[string]any{"é": "é", "ñ": nil, "𝑦": false}},
	}
	exprs := []string{
		"température", "32 + température", "température + 32", "-π", "+π", "!π", "(π)", "((温度))",
		"typeof 温度", "typeof ñ", "o.é", "o.é + 1", "1 + o.é", "o.ñ.ü", "o?.ñ?.ü", "o.𝑦", "o['é']",
		"𝑥", "-𝑥", "1 + 𝑥", "𝑥 * 𝑥", "`${π}`", "`${température}°C`", "`${o.é}`",
		"({é: π})", "({é: π}).é", "({π})", "({'温度': 温度})", "[π, 温度]", "[π, 温度][1]",
		"\\u03c0", "1 + \\u03c0", "\\u{3c0}", "o.\\u00e9", "o . é", "o\n.é",
		"π /* π */", "π // π", "π;", " π ; ", "o.é;", "𝑥 ;", "π ? 温度 : 𝑥", "π ?? 𝑥", "π || 𝑥",
		"π && 𝑥", "e\u0301t ? 1 : 2", "température > 20 && π < 4", "Math.max(π, 𝑥)",
		"String(température)", "(x => x + π)(1)", "[1, 2].map(é => é * π)[1]", "(() => 温度)()",
		"température.toFixed(1)", "(π, 𝑥)",
	}
	aliases := nonASCIIAliases
	for _, src := range exprs {
		auto, ref, autoErr, refErr := compileBoth(src, aliases)
		require.NoError(t, refErr, src)
		require.NoError(t, autoErr, src)
		require.Empty(t, diffPrograms(auto, ref), src)
		for _, v := range vars {
			d, _ := compareEngines(auto, ref, v)
			assert.Empty(t, d, "%s with %s", src, render(v))
		}
	}
}

// TestNonASCIIIdentifierValues pins a few results, so that the parity above cannot hide
// a misread identifier.
func TestNonASCIIIdentifierValues(t *testing.T) {
	vars := map[string]any{"température": 21.5, "π": 3.0, "𝑥": -2.0, "o": map[string]any{"é": 4.0}}
	cases := []struct {
		src  string
		want any
	}{
		{"température", 21.5},
		{"32 + température", 53.5},
		{"-π", int64(-3)},
		{"(π)", int64(3)},
		{"o.é", int64(4)},
		{"1 + 𝑥", int64(-1)},
		{" π ; ", int64(3)},
		{"`${π}${o.\\u00e9}`", "34"},
	}
	for _, c := range cases {
		for _, e := range []compiler.Engine{compiler.EngineAuto, compiler.EngineGoja} {
			p, err := compiler.Compile(c.src, []string{"température", "π", "𝑥", "o"}, compiler.WithEngine(e))
			require.NoError(t, err, c.src)
			got, err := p.Eval(copyVars(vars))
			require.NoError(t, err, c.src)
			assert.Equal(t, c.want, got, "%s (engine %v)", c.src, e)
		}
	}
}

// TestErrorPositionsAfterNonASCII checks that compile errors point at the right byte and
// character after non-ASCII text, on the first line and on later ones, including lines
// that goja ends with a carriage return or U+2028.
func TestErrorPositionsAfterNonASCII(t *testing.T) {
	cases := []struct {
		src      string
		offset   int
		position string
		msg      string
	}{
		{"température + )", len("température + "), "1:15", "syntax error"},
		{"é + ñ", len("é + "), "1:5", "unknown name ñ"},
		{"'𝑥𝑥' + ñ", len("'𝑥𝑥' + "), "1:8", "unknown name ñ"},
		{"é +\n  )", len("é +\n  "), "2:3", "syntax error"},
		{"é +\r  )", len("é +\r  "), "1:7", "syntax error"},
		{"é +\u2028 ñ", len("é +\u2028 "), "1:6", "unknown name ñ"},
		{"é +\u2028 )", len("é +\u2028 "), "1:6", "syntax error"},
		{"'é' + \\u00f1", len("'é' + "), "1:7", "unknown name ñ"},
		{"'é' + eval", len("'é' + "), "1:7", "eval is blocked"},
		{"'é' + this", len("'é' + "), "1:7", "`this` is not available"},
		{"'é' + 1n", len("'é' + "), "1:7", "BigInt"},
		{"é; ñ", len("é; "), "1:4", "multiple statements"},
	}
	for _, c := range cases {
		_, err := compiler.Compile(c.src, []string{"é"})
		var cerr *compiler.Error
		require.True(t, errors.As(err, &cerr), "%q: %v", c.src, err)
		assert.Contains(t, cerr.Msg, c.msg, "%q", c.src)
		assert.Equal(t, c.offset, cerr.Offset, "%q: offset of %v", c.src, err)
		assert.Equal(t, c.position, cerr.Position(), "%q", c.src)
	}
}

// TestRuntimeErrorPositionsAfterNonASCII checks that an evaluation error names the line
// and column of the failing property as Error.Position counts them (columns in
// characters), whatever the bytes of the text before it.
func TestRuntimeErrorPositionsAfterNonASCII(t *testing.T) {
	cases := []struct{ prefix, want string }{
		{"'ab' + ", "1:12"},
		{"'éé' + ", "1:12"},
		{"'𝑥𝑥' + ", "1:12"},
		{"1 +\n'é' + ", "2:11"},
		{"1 +\u2028'é' + ", "1:15"}, // goja starts a line at U+2028, Error.Position does not
	}
	for _, c := range cases {
		src := c.prefix + "o.a.b"
		p, err := compiler.Compile(src, []string{"o"})
		require.NoError(t, err, src)
		_, err = p.Eval(map[string]any{"o": map[string]any{}})
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), "at expression "+c.want, "%q", src)
	}
}

// TestValidateAliasFollowsGoja requires ValidateAlias to accept a one- or two-character
// name exactly when goja's parser reads it as that identifier, over every character up
// to U+3000, every character of the Unicode classes the identifier grammar names, and a
// sample of the rest.
func TestValidateAliasFollowsGoja(t *testing.T) {
	seen := map[rune]bool{}
	var runes []rune
	add := func(r rune) {
		if !seen[r] {
			seen[r] = true
			runes = append(runes, r)
		}
	}
	for r := rune(0); r < 0x3000; r++ {
		add(r)
	}
	for r := rune(0x3000); r <= unicode.MaxRune; r += 31 {
		add(r)
	}
	for _, table := range []*unicode.RangeTable{unicode.Nl, unicode.Other_ID_Start, unicode.Other_ID_Continue,
		unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Pattern_Syntax, unicode.Pattern_White_Space} {
		for _, rg := range table.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				add(r)
			}
		}
		for _, rg := range table.R32 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				add(r)
			}
		}
	}
	add('\u200c')
	add('\u200d')
	for _, r := range runes {
		for _, name := range []string{string(r), "a" + string(r)} {
			want := gojaReadsIdentifier(name)
			got := compiler.ValidateAlias(name) == nil
			if want != got {
				t.Errorf("alias %+q: goja reads an identifier %t, ValidateAlias accepts %t", name, want, got)
			}
		}
	}
	assert.Greater(t, len(runes), 40000)
}

// gojaReadsIdentifier reports whether goja's parser reads name, alone in parentheses, as
// an identifier with exactly that name.
func gojaReadsIdentifier(name string) bool {
	prog, err := parser.ParseFile(nil, "", "(\n"+name+"\n)", 0, parser.WithDisableSourceMaps)
	if err != nil || len(prog.Body) != 1 {
		return false
	}
	stmt, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return false
	}
	id, ok := stmt.Expression.(*ast.Identifier)
	return ok && id.Name.String() == name
}
