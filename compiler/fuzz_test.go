package compiler_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

// fuzzAliases are the aliases every fuzzed expression may use; fuzzVars binds them.
var fuzzAliases = []string{"x", "y", "s", "p", "z", "o", "r", "π", "é", "𝑥"}

// fuzzVars binds fuzzAliases the way encoding/json would deliver them: finite numbers,
// valid UTF-8, null, an object and an array built from the same scalars. The non-ASCII
// aliases π, é and 𝑥 (an astral-plane letter) repeat x, s and y.
func fuzzVars(x, y float64, s string, p bool) map[string]any {
	x, y = finiteNumber(x), finiteNumber(y)
	s = strings.ToValidUTF8(s, "\uFFFD")
	return map[string]any{
		"x": x, "y": y, "s": s, "p": p, "z": nil,
		"o": map[string]any{"k": x, "s": s, "n": nil, "é": y},
		"r": []any{x, s, p},
		"π": x, "é": s, "𝑥": y,
	}
}

// finiteNumber maps NaN and ±Inf, which JSON inputs cannot hold, to finite values.
func finiteNumber(f float64) float64 {
	switch {
	case math.IsNaN(f):
		return 0
	case math.IsInf(f, 1):
		return math.MaxFloat64
	case math.IsInf(f, -1):
		return -math.MaxFloat64
	}
	return f
}

// shapeProduction is one token of the shape grammar: a JavaScript fragment whose %s
// verbs take the arity sub-expressions that follow the token in prefix order.
type shapeProduction struct {
	token  byte
	format string
	arity  int
}

// shapeGrammar maps the bytes of a shape to JavaScript. Shapes read in prefix order, so
// "+x*y3" is (x) + ((y) * (-0)). Other bytes select a production by their value, so every
// byte string is a valid shape. Sub-expressions are parenthesised, so precedence never
// matters and almost every shape is a valid expression in the fast-path subset.
var shapeGrammar = []shapeProduction{
	// leaves
	{'x', "x", 0}, {'y', "y", 0}, {'s', "s", 0}, {'b', "p", 0}, {'z', "z", 0},
	{'o', "o.k", 0}, {'O', "o.s", 0}, {'r', "r.length", 0}, {'L', "s.length", 0}, {'D', "Date.now()", 0},
	{'0', "0", 0}, {'1', "1", 0}, {'2', "2.5", 0}, {'3', "-0", 0}, {'4', "0.1", 0},
	{'5', "1e21", 0}, {'6', "13", 0}, {'7', "0.5", 0}, {'8', "9007199254740993", 0}, {'9', "NaN", 0},
	{'i', "Infinity", 0}, {'T', "true", 0}, {'U', "null", 0},
	{'a', "''", 0}, {'c', "'12'", 0}, {'d', "'😀'", 0}, {'f', `'\uFFFF'`, 0}, {'h', "'ß'", 0},
	{'j', "' 1 '", 0}, {'k', "'0x10'", 0}, {'m', "'-0'", 0}, {'w', "'Infinity'", 0},
	{'v', "'inf'", 0}, {'N', "'1_0'", 0}, {'p', "' 0b11 '", 0},
	{'"', `'\u00a01.5'`, 0}, {'\'', `'\u3000Infinity'`, 0}, {',', `'1.5\u2028'`, 0}, {';', `'\ufeff-0'`, 0},
	{':', "π", 0}, {'.', "é", 0}, {'[', "o.é", 0}, {']', "𝑥", 0},
	// unary
	{'u', "-(%s)", 1}, {'P', "+(%s)", 1}, {'!', "!(%s)", 1}, {'Y', "typeof (%s)", 1},
	{'Q', "Math.sqrt(%s)", 1}, {'B', "Math.abs(%s)", 1}, {'F', "Math.floor(%s)", 1}, {'C', "Math.ceil(%s)", 1},
	{'R', "Math.round(%s)", 1}, {'V', "Math.trunc(%s)", 1}, {'G', "String(%s)", 1}, {'H', "Number(%s)", 1},
	{'I', "parseFloat(%s)", 1}, {'W', "(%s).toUpperCase()", 1}, {'K', "(%s).toLowerCase()", 1},
	{'E', "(%s).length", 1}, {'J', "`${%s}`", 1}, {'S', "(%s).toString()", 1},
	{'$', "Math.sign(%s)", 1}, {'@', "Math.log(%s)", 1}, {'_', "Math.exp(%s)", 1},
	{'(', `'\u00a0' + (%s)`, 1}, {')', "(%s) + '\u3000'", 1}, {'{', "'\u2028' + (%s)", 1}, {'}', "(%s) + '\ufeff'", 1},
	// binary
	{'+', "(%s) + (%s)", 2}, {'-', "(%s) - (%s)", 2}, {'*', "(%s) * (%s)", 2}, {'/', "(%s) / (%s)", 2},
	{'%', "(%s) %% (%s)", 2}, {'^', "(%s) ** (%s)", 2}, {'<', "(%s) < (%s)", 2}, {'>', "(%s) > (%s)", 2},
	{'l', "(%s) <= (%s)", 2}, {'g', "(%s) >= (%s)", 2}, {'=', "(%s) === (%s)", 2}, {'q', "(%s) !== (%s)", 2},
	{'e', "(%s) == (%s)", 2}, {'n', "(%s) != (%s)", 2}, {'&', "(%s) && (%s)", 2}, {'|', "(%s) || (%s)", 2},
	{'?', "(%s) ?? (%s)", 2}, {'M', "Math.max(%s, %s)", 2}, {'A', "Math.min(%s, %s)", 2},
	{'Z', "Math.pow(%s, %s)", 2}, {'X', "(%s).toFixed(%s)", 2}, {'`', "`${%s}:${%s}`", 2},
	{'~', "Math.hypot(%s, %s)", 2},
	// ternary
	{'t', "(%s) ? (%s) : (%s)", 3},
}

// shapeLimits bound a generated expression.
const (
	maxShapeDepth  = 5
	maxShapeTokens = 48
)

var shapeByToken, shapeLeaves = indexShapeGrammar()

func indexShapeGrammar() (map[byte]shapeProduction, []shapeProduction) {
	byToken := map[byte]shapeProduction{}
	var leaves []shapeProduction
	for _, p := range shapeGrammar {
		byToken[p.token] = p
		if p.arity == 0 {
			leaves = append(leaves, p)
		}
	}
	return byToken, leaves
}

// shapeExpr builds the JavaScript expression a shape describes.
func shapeExpr(shape string) string {
	r := shapeReader{shape: shape}
	return r.expr(0)
}

type shapeReader struct {
	shape string
	pos   int
}

func (r *shapeReader) expr(depth int) string {
	if r.pos >= len(r.shape) || r.pos >= maxShapeTokens {
		return "x"
	}
	b := r.shape[r.pos]
	r.pos++
	p, ok := shapeByToken[b]
	if !ok {
		p = shapeGrammar[int(b)%len(shapeGrammar)]
	}
	if depth >= maxShapeDepth && p.arity > 0 {
		p = shapeLeaves[int(b)%len(shapeLeaves)]
	}
	args := make([]any, p.arity)
	for i := range args {
		args[i] = r.expr(depth + 1)
	}
	if p.arity == 0 {
		return p.format
	}
	return fmt.Sprintf(p.format, args...)
}

// fuzzSource turns a fuzz input into a source: "#" followed by raw JavaScript, "{"
// followed by a body shape, or a shape.
func fuzzSource(shape string) string {
	if raw, ok := strings.CutPrefix(shape, "#"); ok {
		return raw
	}
	if body, ok := strings.CutPrefix(shape, "{"); ok {
		return shapeBody(body)
	}
	return shapeExpr(shape)
}

// bodyTemplates are the statement bodies a body shape selects by its first byte; each
// %s takes the next expression of the shape. They cover declarations (one shadowing an
// alias), branches, try, loops, switch, automatic semicolon insertion and CRLF.
var bodyTemplates = []string{
	"var v = %s;\nreturn v;",
	"let v = %s, w = %s;\nreturn v + w;",
	"const v = %s;\nif (v) return %s;\nreturn %s;",
	"if (%s) {\n  return %s;\n} else {\n  return %s;\n}",
	"var v = %s;\ntry { return %s; } catch (e) { return v; }",
	"let v = %s;\nfor (let i = 0; i < 3; i++) v = %s;\nreturn v;",
	"switch (%s) { case %s: return 1; default: return %s; }",
	"var x = %s;\nreturn x + %s;",
	"return\n%s",
	"// c\r\nconst v = %s;\r\nreturn v === undefined ? 'u' : %s; // end",
	"function g(y) { return %s; }\nreturn g(%s);",
	"return (%s);\nlet s = 1;",
}

// shapeBody builds the statement body a body shape describes: its first byte selects
// one of bodyTemplates, the rest is read as shapes for the template's expressions.
func shapeBody(shape string) string {
	if shape == "" {
		return "return x;"
	}
	tmpl := bodyTemplates[int(shape[0])%len(bodyTemplates)]
	r := shapeReader{shape: shape[1:]}
	args := make([]any, strings.Count(tmpl, "%s"))
	for i := range args {
		args[i] = r.expr(0)
	}
	return fmt.Sprintf(tmpl, args...)
}

// nondeterministic reports raw sources whose outcome may legitimately differ between two
// evaluations (Math.random) or that can allocate without bound in goja (repeat, padStart,
// padEnd), which would crash a fuzz worker rather than find a parity bug.
func nondeterministic(src string) bool {
	for _, s := range []string{"random", "repeat", "padStart", "padEnd"} {
		if strings.Contains(src, s) {
			return true
		}
	}
	return false
}

// FuzzDifferential compiles a generated or raw expression with both engines and requires
// the same compile outcome and, for each evaluation, the same result or error.
func FuzzDifferential(f *testing.F) {
	f.Fuzz(func(t *testing.T, shape string, x, y float64, s string, p bool) {
		src := fuzzSource(shape)
		if nondeterministic(src) {
			return
		}
		auto, ref, autoErr, refErr := compileBoth(src, fuzzAliases)
		if d := diffCompile(autoErr, refErr); d != "" {
			t.Fatalf("%q: %s", src, d)
		}
		if refErr != nil {
			return
		}
		if d := diffPrograms(auto, ref); d != "" {
			t.Fatalf("%q: %s", src, d)
		}
		for _, vars := range fuzzBindings(x, y, s, p) {
			if d, _ := compareEngines(auto, ref, vars); d != "" {
				t.Fatalf("%q with %s: %s", src, render(vars), d)
			}
		}
	})
}

// fuzzBindings are the bindings one fuzzed program is evaluated with, in order: the fuzz
// values, then the same values with the kinds of x, y and z swapped, so that one program
// meets several kind signatures.
func fuzzBindings(x, y float64, s string, p bool) []map[string]any {
	vars := fuzzVars(x, y, s, p)
	swapped := copyVars(vars)
	swapped["x"], swapped["y"], swapped["z"] = vars["s"], vars["p"], vars["x"]
	swapped["π"], swapped["é"], swapped["𝑥"] = vars["s"], vars["x"], vars["p"]
	return []map[string]any{vars, swapped}
}

// fuzzCompileBindings are the inputs FuzzCompile evaluates accepted expressions with.
var fuzzCompileBindings = []map[string]any{
	fuzzVars(1.5, math.Copysign(0, -1), "x", true),
	fuzzVars(-1e21, 9007199254740993, "😀 12", false),
}

// fuzzCompileTimeout bounds each evaluation in FuzzCompile, which only looks for panics,
// so that accepted infinite loops do not slow the fuzzer down.
const fuzzCompileTimeout = 20 * time.Millisecond

// FuzzCompile requires Compile to reject bad text with a *compiler.Error (never a panic)
// and whatever it accepts to evaluate without panicking.
func FuzzCompile(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		if nondeterministic(src) {
			return
		}
		opts := func(e compiler.Engine) []compiler.Option { return compileOptions(src, e, fuzzCompileTimeout) }
		auto, autoErr := compiler.Compile(src, fuzzAliases, opts(compiler.EngineAuto)...)
		ref, refErr := compiler.Compile(src, fuzzAliases, opts(compiler.EngineGoja)...)
		for _, err := range []error{autoErr, refErr} {
			if err == nil {
				continue
			}
			var cerr *compiler.Error
			require.True(t, errors.As(err, &cerr), "error type %T: %v", err, err)
			assert.NotEmpty(t, cerr.Msg)
			assert.GreaterOrEqual(t, cerr.Offset, -1)
			assert.LessOrEqual(t, cerr.Offset, len(cerr.Source))
		}
		require.Equal(t, autoErr == nil, refErr == nil, "engines disagree on accepting %q: auto %v, goja %v", src, autoErr, refErr)
		if refErr != nil {
			return
		}
		for _, p := range []*compiler.Program{auto, ref} {
			_, _, _, _ = p.Deps(), p.Kind(), p.Fast(), p.FallbackReason()
			for _, vars := range fuzzCompileBindings {
				_, _ = p.Eval(copyVars(vars))
				_, _, _ = p.EvalSlots(slotsFor(p.Deps(), vars))
			}
		}
	})
}

// TestShapeExpr pins the shape grammar the fuzz seeds are written in.
func TestShapeExpr(t *testing.T) {
	cases := []struct{ shape, want string }{
		{"", "x"},
		{"+x*y3", "(x) + ((y) * (-0))"},
		{"*ux0", "(-(x)) * (0)"},
		{"tbsx", "(p) ? (s) : (x)"},
		{"Xx2", "(x).toFixed(2.5)"},
		{"`xs", "`${x}:${s}`"},
		{"%xy", "(x) % (y)"},
		{"+", "(x) + (x)"},
		{`u"`, `-('\u00a01.5')`},
		{"u(x", `-('\u00a0' + (x))`},
		{"+:[", "(π) + (o.é)"},
		{"-].", "(𝑥) - (é)"},
		{"uuuuuu", "-(-(-(-(-(" + shapeLeaves[int('u')%len(shapeLeaves)].format + ")))))"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, shapeExpr(c.shape), "shape %q", c.shape)
	}
	assert.Equal(t, "1 +", fuzzSource("#1 +"))
	assert.Equal(t, "var x = (x) + (y);\nreturn x + s;", fuzzSource("{\x07+xys"))
	for b := 0; b < 256; b++ {
		src := shapeBody(string(rune(b)) + "+xy*sb")
		_, err := compiler.Compile(src, fuzzAliases)
		assert.NoError(t, err, "body shape of byte %d: %s", b, src)
	}
	for b := 0; b < 256; b++ {
		src := shapeExpr(strings.Repeat(string(rune(b)), 3))
		_, err := compiler.Compile(src, fuzzAliases)
		assert.NoError(t, err, "shape of byte %d: %s", b, src)
	}
}
