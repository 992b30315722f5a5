package sandbox

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStringBuildersMatchGoja evaluates +, += and template literals, with every kind of
// operand and assignment target, in the sandbox (where CompileAST routes them through
// the string builders) and in a plain goja runtime: the results, the order of the side
// effects they record, and whether and with which error type they fail must be the same.
func TestStringBuildersMatchGoja(t *testing.T) {
	exprs := []string{
		"1 + 2", "1.5 + 2", "'a' + 1", "1 + 'a'", "null + 1", "undefined + 'x'", "true + true",
		"'a' + null + undefined + true + 1.5 + -0", "[1, 2] + [3]", "({}) + 'x'", "'é' + 'x'",
		"(a => a + a)(2**53)", "2**31 + 2**31", "-0 + -0", "1 / (-0 + -0)", "'1' - 1 + '1'",
		"0.1 + 0.2", "NaN + 1", "Infinity + -Infinity", "null + null", "undefined + 1", "true + 1",
		"'' + -0", "'' + 1e21 + 1.5e-7", "2**53 + 2", "-(2**53) + -2", "1 + -1", "'x' + 1 / 3",
		"new Date(0) + 1", "new Date(0) - 1", "new Number(2) + 3", "new String('s') + 3",
		"({valueOf: () => 2, toString: () => 'x'}) + 1",
		"({toString: () => 'x'}) + 1",
		"({valueOf: () => ({}), toString: () => 'y'}) + 1",
		"({[Symbol.toPrimitive]: h => h}) + ''",
		"({[Symbol.toPrimitive]: h => h, valueOf: () => 1}) + 1",
		"(() => { const log = []; const o = n => ({valueOf() { log.push(n); return n; }}); return [o(1) + o(2), log.join()]; })()",
		"(() => { const log = []; const f = n => (log.push(n), n); return [f('a') + f('b') + f('c'), log.join()]; })()",
		"Symbol('s') + ''", "'' + Symbol('s')", "({[Symbol.toPrimitive]: 1}) + 1", "({[Symbol.toPrimitive]: () => ({})}) + 1",
		"({valueOf: null, toString: null}) + 1", "Object.create(null) + 1",
		"({valueOf() { throw new RangeError('v'); }}) + 1",
		"`a${1}b${'c'}d`", "`${1}${2}`", "`${null} ${undefined} ${true} ${[1, 2]} ${{}}`", "`é${'x'}`",
		"`${{toString: () => 't', valueOf: () => 'v'}}`", "`${Symbol('s')}`", "`x${Object.create(null)}`",
		"(() => { const log = []; const o = n => ({toString() { log.push('s' + n); return n; }}); const f = n => (log.push(n), o(n)); return [`${f(1)}-${f(2)}`, log.join()]; })()",
		"String.raw`a${1}\\n`", "(s => s.raw.join('|') + s.length)`a${1}b`",
		"(() => { let s = 'a'; s += 1; s += null; return s; })()",
		"(() => { let n = 1; n += 2; n += '3'; return n; })()",
		"(() => { const o = {s: 'a'}; o.s += 'b'; o['s'] += 1; return o.s; })()",
		"(() => { const o = {n: 1}; const r = (o.n += 2); return [r, o.n]; })()",
		"(() => { const log = []; const o = {get s() { log.push('get'); return 'a'; }, set s(v) { log.push('set ' + v); }}; o.s += (log.push('rhs'), 'b'); return log.join(); })()",
		"(() => { const log = []; const o = {s: 'a'}; const obj = () => (log.push('obj'), o); const key = () => (log.push('key'), 's'); obj()[key()] += (log.push('rhs'), 'b'); return [o.s, log.join()]; })()",
		"(() => { const a = ['x']; let i = 0; a[i++] += 'y'; return [a.join(), i]; })()",
		"(() => { const o = Object.freeze({s: 'a'}); o.s += 'b'; return o.s; })()",
		"(() => { 'use strict'; const o = Object.freeze({s: 'a'}); o.s += 'b'; return o.s; })()",
		"(() => { const o = Object.freeze({s: 'a'}); return (() => { 'use strict'; o.s += 'b'; })(); })()",
		"(() => { class C { constructor() { this.s = 'a'; Object.freeze(this); } m() { this.s += 'b'; } } new C().m(); })()",
		"(() => { const s = 'abc'; s.x += 'y'; return s.x; })()",
		"(() => { 'use strict'; const s = 'abc'; s.x += 'y'; return s.x; })()",
		"(() => { const o = null; o.s += 'b'; })()",
		"(() => { let u; u.s += (() => { throw new Error('rhs first'); })(); })()",
		"(() => { const c = 'a'; c += 'b'; })()",
		"(() => { undeclared += 'b'; })()",
		"(() => { const o = {s: 'a'}; with (o) { s += 'b'; } return o.s; })()",
		"(function () { arguments[0] += 'b'; return arguments[0]; })('a')",
		"(function (x) { arguments[0] += 'b'; return x; })('a')",
		"(function () { return (() => { this.s += 'b'; return this.s; })(); }).call({s: 'a'})",
		"(() => { class A { get s() { return 'a'; } set s(v) { this.t = v; } } class B extends A { m() { super.s += 'b'; return this.t; } } return new B().m(); })()",
		"(() => { class A { #s = 'a'; m() { this.#s += 'b'; return this.#s; } } return new A().m(); })()",
		"(() => { function* g() { const o = {s: 'a'}; o.s += yield 1; return o.s; } const it = g(); it.next(); return it.next('b').value; })()",
		"(() => { const o = {s: 'a'}; const k = {toString() { return 's'; }}; o[k] += 'b'; return o.s; })()",
		"(() => { let s = ''; for (let i = 0; i < 5; i++) s += `${i},`; return s; })()",
		"[1, 2, 3].reduce((a, b) => a + b, '')",
		"((a, b = a + 'b', {c = `${b}c`} = {}) => c)('a')",
		"(() => { const o = {a: 1 + 1, [`k${1}`]: 'v' + 2}; return JSON.stringify(o); })()",
		"(() => { try { return 'x' + Symbol(); } catch (e) { return e instanceof TypeError; } })()",
		"(f => f.toString())(function () { return 'a' + `b${1}`; })",
	}
	sandbox := newOnRuntime(t, 10*time.Second)
	plain := goja.New()
	for _, expr := range exprs {
		want, wantErr := runPlain(plain, expr)
		got, err := sandbox.run(expr)
		if wantErr != nil {
			require.Error(t, err, "%s: goja fails with %v", expr, wantErr)
			assert.Equal(t, errorType(wantErr), errorType(err), "%s: %v against goja's %v", expr, err, wantErr)
			continue
		}
		require.NoError(t, err, expr)
		assert.Equal(t, sameValue(want), sameValue(got), expr)
	}
}

// sameValue makes an exported number comparable as JavaScript's Object.is compares it:
// NaN equals NaN, and -0 differs from 0.
func sameValue(v any) any {
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("float64 %v signbit %v", f, math.Signbit(f))
	}
	return v
}

// runPlain evaluates expr as a function's return value in rt, exported as goja exports.
func runPlain(rt *goja.Runtime, expr string) (any, error) {
	v, err := rt.RunString("(function () {\nreturn (\n" + expr + "\n);\n})")
	if err != nil {
		return nil, err
	}
	fn, _ := goja.AssertFunction(v)
	v, err = fn(goja.Undefined())
	if err != nil {
		return nil, err
	}
	return v.Export(), nil
}

// errorType is the name of the JavaScript error an evaluation failed with.
func errorType(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "Error"); i >= 0 {
		j := strings.LastIndexAny(msg[:i], " :") + 1
		return msg[j : i+len("Error")]
	}
	return msg
}
