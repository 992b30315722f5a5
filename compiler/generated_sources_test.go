package compiler_test

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/unsproc/unsproc/compiler"
)

// TestGeneratedNonASCIISources builds random expressions from non-ASCII and escaped
// identifiers, member names, regular expressions with flags and postfix updates, joined
// by operators and separated by white space, line terminators and comments inside and
// outside ASCII, sometimes with a stray token or a trailing semicolon. Every source goja
// compiles inside a function (without the semicolon) must compile (unless it names an
// unknown name or is a function), both
// engines must agree on accepting it, and every error position must fall on a character
// of the text it is reported on.
func TestGeneratedNonASCIISources(t *testing.T) {
	atoms := []string{"π", "é", "𝑥", "température", "\\u03c0", "\\u{3c0}", "o.é", "o.\\u00e9", "o .é",
		"o[\"é\"]", "1", "'\u00a01.5'", "`${π}`", "`${o.é}x`", "o?.é", "[π]", "({é: π})", "/é/g", "/a/gi",
		"new Date", "(x => π)(1)", "o.é++", "o.é --", "typeof ñ"}
	ops := []string{" + ", "-", "*", " ? π : ", " ?? ", " || ", ", ", " < ", " = "}
	trivia := []string{"", " ", "\u00a0", "\u2028", "\u2029", "\ufeff", "\t", "\n", "\r", "\r\n", "/* é */", "//é\n"}
	stray := []string{")", "*", "]", "ñ", "; ñ", "?", "@", "/", "\\"}
	r := rand.New(rand.NewSource(1))
	pick := func(list []string) string { return list[r.Intn(len(list))] }
	var gen func(depth int) string
	gen = func(depth int) string {
		if depth > 3 || r.Intn(3) == 0 {
			return pick(trivia) + pick(atoms) + pick(trivia)
		}
		switch r.Intn(4) {
		case 0:
			return "(" + gen(depth+1) + ")"
		case 1:
			return pick([]string{"-", "+", "!", "typeof "}) + gen(depth+1)
		}
		return gen(depth+1) + pick(ops) + gen(depth+1)
	}
	aliases := []string{"π", "é", "𝑥", "température", "o"}
	for range 20000 {
		core := gen(0)
		if r.Intn(4) == 0 {
			k := r.Intn(len(core) + 1)
			for k < len(core) && !utf8.RuneStart(core[k]) {
				k++
			}
			core = core[:k] + pick(stray) + core[k:]
		}
		src := core
		if r.Intn(4) == 0 {
			src += ";" + pick(trivia)
		}
		_, err := compiler.Compile(src, aliases)
		_, refErr := compiler.Compile(src, aliases, compiler.WithEngine(compiler.EngineGoja))
		if (err == nil) != (refErr == nil) {
			t.Fatalf("engines disagree on %q: auto %v, goja %v", src, err, refErr)
		}
		if err == nil {
			continue
		}
		var cerr *compiler.Error
		if !errors.As(err, &cerr) {
			t.Fatalf("%q: error type %T", src, err)
		}
		if off := cerr.Offset; off > len(cerr.Source) || off >= 0 && off < len(cerr.Source) && !utf8.RuneStart(cerr.Source[off]) {
			t.Fatalf("%q: offset %d is not at a character of %q", src, off, cerr.Source)
		}
		_, gojaErr := goja.Compile("", "(function (π, é, 𝑥, température, o) { return (\n"+core+"\n) })", false)
		if gojaErr == nil && !strings.Contains(cerr.Msg, "unknown name") && !strings.Contains(cerr.Msg, "function") {
			t.Fatalf("goja compiles %q, Compile rejects it: %v", src, err)
		}
	}
}
