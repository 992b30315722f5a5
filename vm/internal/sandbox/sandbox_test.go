package sandbox

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/vm/vmtest"
)

// script compiles expr as the compiler does: a function of params returning expr.
func script(t testing.TB, expr string, params ...string) *Script {
	t.Helper()
	parsed, err := parser.ParseFile(nil, "", "(function ("+strings.Join(params, ", ")+") {\nreturn (\n"+expr+"\n);\n})", 0)
	require.NoError(t, err, expr)
	prog, err := CompileAST(parsed)
	require.NoError(t, err, expr)
	return NewScript(prog)
}

// onRuntime evaluates expressions one after the other on one runtime, as a busy sandbox
// reuses its runtimes; it fails the test when the runtime would have been dropped.
type onRuntime struct {
	t *testing.T
	s *Sandbox
	r *runtime
}

// newOnRuntime takes a timeout longer than MaxTimeout if asked to, so that the race
// detector's slowdown cannot time the probes out.
func newOnRuntime(t *testing.T, timeout time.Duration) *onRuntime {
	s := &Sandbox{timeout: timeout}
	r, err := s.newRuntime()
	require.NoError(t, err)
	return &onRuntime{t: t, s: s, r: r}
}

func (o *onRuntime) run(expr string, args ...any) (any, error) {
	o.t.Helper()
	params := make([]string, len(args))
	for i := range params {
		params[i] = fmt.Sprintf("a%d", i)
	}
	v, reusable, err := o.s.runOn(o.r, script(o.t, expr, params...), args)
	require.True(o.t, reusable, "%s: the runtime would not be reused (%v)", expr, err)
	return v, err
}

func TestSandboxGlobals(t *testing.T) {
	o := newOnRuntime(t, time.Second)
	v, err := o.run(`Object.getOwnPropertyNames((function () { return this; })()).join()`)
	require.NoError(t, err)
	got := strings.Split(v.(string), ",")
	sort.Strings(got)
	want := append([]string(nil), sandboxGlobals...)
	want = append(want, stringBuilderGlobals...)
	sort.Strings(want)
	assert.Equal(t, want, got)
}

// TestSandboxIntrinsicsFrozen walks every object reachable from the prototypes of a fresh
// value of each kind an expression can create, and from the global object, and lists
// those that are not frozen: any of them would carry state from one evaluation into the
// next.
func TestSandboxIntrinsicsFrozen(t *testing.T) {
	o := newOnRuntime(t, time.Second)
	v, err := o.run(`(() => {
		const fresh = [{}, [], "", 1, true, Symbol("s"), /x/g, new Date(0), new Error("e"), new TypeError("t"),
			new Map(), new Set(), new WeakMap(), new WeakSet(), Promise.resolve(1), new ArrayBuffer(1),
			new DataView(new ArrayBuffer(1)), new Uint8Array(1), new Float64Array(1),
			function () {}, () => 1, async function () {}, async () => 1, function* () {}, Object.getPrototypeOf((function* () {})()),
			class {}, Object.getPrototypeOf(new (class {})()), (() => 1).bind(null), [][Symbol.iterator](), [].entries(),
			new Map()[Symbol.iterator](), new Set().values(), ""[Symbol.iterator](), /x/g[Symbol.matchAll](""),
			(function () { return arguments; })(), (function () { "use strict"; return arguments; })(),
			((s) => s)` + "`t`" + `, Object.getOwnPropertyDescriptor(function () {}, "prototype"), JSON, Math];
		const seen = new Set(), open = [], stack = [(function () { return this; })()];
		for (const f of fresh) { stack.push(Object.getPrototypeOf(Object(f))); }
		while (stack.length > 0) {
			const x = stack.pop();
			if (x === null || (typeof x !== "object" && typeof x !== "function") || seen.has(x)) { continue; }
			seen.add(x);
			if (!Object.isFrozen(x)) { open.push(String(x && x.constructor && x.constructor.name) + ":" + Object.getOwnPropertyNames(x).slice(0, 5)); }
			for (const k of Object.getOwnPropertyNames(x).concat(Object.getOwnPropertySymbols(x))) {
				const d = Object.getOwnPropertyDescriptor(x, k);
				stack.push(d.value, d.get, d.set);
			}
			stack.push(Object.getPrototypeOf(x));
		}
		return [seen.size, open];
	})()`)
	require.NoError(t, err)
	res := v.([]any)
	assert.Greater(t, res[0], int64(100), "objects visited")
	assert.Empty(t, res[1], "objects reachable by an expression that are not frozen")
}

// TestSandboxWritesDoNotSurvive writes to built-ins and globals, then probes on the same
// runtime: every probe must see the pristine built-in.
func TestSandboxWritesDoNotSurvive(t *testing.T) {
	cases := []struct{ write, probe string }{
		{"Object.prototype.polluted = 1", "({}).polluted === undefined"},
		{"({}).__proto__.polluted = 1", "({}).polluted === undefined"},
		{"Object.setPrototypeOf(Object.prototype, {polluted: 1})", "({}).polluted === undefined"},
		{"Array.prototype.map = () => 42", "[1].map(x => x + 1)[0] === 2"},
		{"Array.prototype.push = null", "typeof [].push === 'function'"},
		{"Math.round = () => 42", "Math.round(1.4) === 1"},
		{"Object.defineProperty(Math, 'round', {value: () => 42})", "Math.round(1.4) === 1"},
		{"JSON.parse = () => 42", "JSON.parse('1') === 1"},
		{"String.prototype.toUpperCase = () => 'x'", "'a'.toUpperCase() === 'A'"},
		{"Error.prototype.message = 'pwned'", "new Error().message === ''"},
		{"RegExp.prototype.exec = () => null", "/a/.test('a')"},
		{"Date.prototype.toISOString = () => 'x'", "new Date(0).toISOString() === '1970-01-01T00:00:00.000Z'"},
		{"Promise.prototype.then = null", "typeof Promise.resolve().then === 'function'"},
		{"(function () { this.leak = 1; })()", "(function () { return this; })().leak === undefined"},
		{"(function () { this.Math = null; })()", "typeof Math.round === 'function'"},
		{"Object.getPrototypeOf([][Symbol.iterator]()).leak = 1", "Object.getPrototypeOf([][Symbol.iterator]()).leak === undefined"},
		{"Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).leak = 1", "[][Symbol.iterator]().leak === undefined"},
		{"Object.getPrototypeOf(function* () {}).leak = 1", "Object.getPrototypeOf(function* () {}).leak === undefined"},
		{"Object.getPrototypeOf(function* () {}).prototype.next = null", "(function* () { yield 1; })().next().value === 1"},
		{"Object.getPrototypeOf(async function () {}).leak = 1", "(async () => 1).leak === undefined"},
		{"Object.getPrototypeOf(Uint8Array).prototype.leak = 1", "new Uint8Array(1).leak === undefined"},
		{"arguments.callee.leak = 1", "arguments.callee.leak === undefined"},
		{"(arguments.callee.prototype.leak = 1, 1)", "arguments.callee.prototype.leak === undefined"},
	}
	o := newOnRuntime(t, time.Second)
	for _, c := range cases {
		_, _ = o.run(c.write) // a write either throws or is ignored; both are fine
		v, err := o.run(c.probe)
		require.NoError(t, err, c.probe)
		assert.Equal(t, true, v, "after %s: %s", c.write, c.probe)
	}
}

func TestSandboxNoCodeGeneration(t *testing.T) {
	o := newOnRuntime(t, time.Second)
	for _, expr := range []string{
		"[].constructor.constructor",
		"(() => 1).constructor",
		"(function () {}).constructor",
		"(async function () {}).constructor",
		"(function* () {}).constructor",
		"(class {}).constructor",
		"(() => 1).bind(null).constructor",
		"Object.getPrototypeOf(async () => 1).constructor",
		"Object.getPrototypeOf(function* () {}).constructor",
	} {
		v, err := o.run("(" + expr + ") === Object")
		require.NoError(t, err, expr)
		assert.Equal(t, true, v, "%s must fall through to Object.prototype.constructor", expr)
	}
	for _, expr := range []string{"eval", "Function", "Proxy", "Reflect", "globalThis", "BigInt", "WeakRef", "escape"} {
		_, err := o.run(expr)
		require.Error(t, err, expr)
		assert.Contains(t, err.Error(), "ReferenceError", expr)
	}
	for _, expr := range []string{"Symbol.for", "Symbol.keyFor", "new DataView(new ArrayBuffer(8)).getBigInt64"} {
		v, err := o.run("typeof " + expr)
		require.NoError(t, err, expr)
		assert.Equal(t, "undefined", v, expr)
	}
}

// TestSandboxLimits runs built-in calls over the limits: each must fail at once with a
// RangeError naming the built-in, where it would otherwise allocate gigabytes or loop
// natively for minutes. A call under the limit works.
func TestSandboxLimits(t *testing.T) {
	cases := []struct{ expr, err string }{
		{"'x'.repeat(2**30)", "String.prototype.repeat: 1073741824 characters exceed the sandbox limit of 16777216"},
		{"'x'.padStart(2**30)", "String.prototype.padStart"},
		{"'x'.padEnd(2**30, 'ab')", "String.prototype.padEnd"},
		{"''.concat(...Array(100).fill('x'.repeat(2**20)))", "String.prototype.concat"},
		{"'x'.repeat(2**20).replaceAll('x', 'y'.repeat(100))", "String.prototype.replaceAll"},
		{"'x'.repeat(2**12).replace(/x/g, \"$'$'\")", "RegExp.prototype[Symbol.replace]"},
		{"'xx'.replace(/x/g, () => 'y'.repeat(2**23 + 1))", "RegExp.prototype[Symbol.replace]"},
		{"'x'.repeat(2**12).replaceAll('x', () => 'y'.repeat(2**12 + 1))", "String.prototype.replaceAll"},
		{"'ab'.repeat(2**19).split('')", "String.prototype.split"},
		{"'x,'.repeat(2**19).split(',')", "String.prototype.split"},
		{"'x'.repeat(2**20).split(/(?:)/)", "RegExp.prototype[Symbol.split]"},
		{"'x'.repeat(2**20).match(/x/g)", "RegExp.prototype[Symbol.match]"},
		{"[...'x'.repeat(2**20)]", "String.prototype[Symbol.iterator]"},
		{"'x'.repeat(2**23).toUpperCase()", "String.prototype.toUpperCase"},
		{"String.raw({raw: {length: 2**30}})", "String.raw"},
		{"'\uFDFA'.repeat(2**20).normalize('NFKD')", "String.prototype.normalize: 1048576 characters exceed the sandbox limit of 932067"},
		{"encodeURIComponent('\u0800'.repeat(2**23))", "encodeURIComponent"},
		{"new RegExp('(a)\\1'.repeat(2**16))", "RegExp: 262144 characters exceed the sandbox limit of 65536"},
		{"/x/.compile('a'.repeat(2**17))", "RegExp.prototype.compile"},
		{"'x'.search('a'.repeat(2**17))", "String.prototype.search"},
		{"'x'.match('a'.repeat(2**17))", "String.prototype.match"},
		{"new Array(2**30).fill(0)", "Array.prototype.fill: 1073741824 elements exceed the sandbox limit of 262144"},
		{"Array.from({length: 2**28})", "Array.from"},
		{"[...Array(2**27)]", "Array.prototype.values"},
		{"(a => (a.length = 2**27, [...a.keys()]))([])", "Array.prototype.keys"},
		{"new Array(2**27).join('x')", "Array.prototype.join"},
		{"Array(1000).fill('x'.repeat(2**20)).join('')", "Array.prototype.join"},
		{"String(Array(1000).fill('x'.repeat(2**20)))", "Array.prototype.join"},
		{"(a => (a.length = 2**32 - 1, a.indexOf(1)))([])", "Array.prototype.indexOf"},
		{"Array.prototype.includes.call({length: 2**53 - 1}, 1)", "Array.prototype.includes"},
		{"[].concat(...Array(2**9).fill(Array(2**10).fill(0)))", "Array.prototype.concat"},
		{"(() => { let a = [1]; for (let i = 0; i < 30; i++) a = [a, a]; return a.flat(Infinity); })()", "Array.prototype.flat"},
		{"Math.max.apply(null, {length: 2**30})", "Function.prototype.apply"},
		{"new Float64Array(2**27)", "Float64Array"},
		{"new Uint8Array({length: 2**30})", "Uint8Array"},
		{"Uint8Array.from({length: 2**30})", "%TypedArray%.from"},
		{"new Uint8Array(new ArrayBuffer(2**21)).join('x'.repeat(2**8))", "%TypedArray%.prototype.join: 2097152 elements"},
		{"new Uint8Array(2**18).join('x'.repeat(2**12))", "%TypedArray%.prototype.join"},
		{"new Uint8Array(new ArrayBuffer(2**21)).sort()", "%TypedArray%.prototype.sort"},
		{"String.raw({raw: Array(2**18).fill('x'.repeat(2**12))})", "String.raw: 16781312 characters"},
		{"String.raw({raw: ['x', '']}, 'x'.repeat(2**24))", "String.raw"},
		{"'x'.repeat(2**24) + 'y'", "string concatenation: 16777217 characters exceed the sandbox limit of 16777216"},
		{"`${'x'.repeat(2**24)}y`", "template literal: 16777217 characters"},
		{"(o => o.s += 'y')({s: 'x'.repeat(2**24)})", "string concatenation: 16777217 characters"},
		{"Array(2**10).fill([Array(2**12).fill('x'.repeat(2**10)).join('')]).join()", "Array.prototype.join"},
		{"JSON.parse('['.repeat(5e5) + ']'.repeat(5e5))", "JSON.parse: nesting: 1001 levels exceed the sandbox limit of 1000"},
		{"JSON.parse('[' + '1,'.repeat(5e3) + '1]')", "JSON.parse: 4097 items exceed the sandbox limit of 4096"},
		{"JSON.parse('[' + '{},'.repeat(3e5) + '{}]')", "JSON.parse: 4097 items"},
		{"new ArrayBuffer(2**31)", "ArrayBuffer"},
		{"Object.keys('x'.repeat(2**20))", "Object.keys"},
		{"Object.entries('x'.repeat(2**20))", "Object.entries"},
		{"Object.assign({}, 'x'.repeat(2**20))", "Object.assign"},
		{"JSON.parse(' '.repeat(2**21) + '1')", "JSON.parse"},
		{"JSON.stringify(Array(100).fill('x'.repeat(2**20)))", "JSON.stringify"},
		{"(() => { let a = ['x'.repeat(2**24)]; for (let i = 0; i < 40; i++) a = [a, a]; return JSON.stringify(a); })()", "JSON.stringify"},
		{"(() => { let a = []; for (let i = 0; i < 2000; i++) a = [a]; return JSON.stringify(a); })()", "JSON.stringify: nesting: 1001 levels"},
		{"JSON.stringify({a: ['x'.repeat(2**24)]}, ['a'])", "JSON.stringify"},
	}
	o := newOnRuntime(t, 10*time.Second)
	for _, c := range cases {
		_, reusable, err := o.s.runOn(o.r, script(t, c.expr), nil)
		require.Error(t, err, c.expr)
		if raceEnabled && errors.Is(err, ErrMemoryLimit) {
			// The race detector makes every allocation larger: the memory watchdog can
			// stop a call before its own size check does. The limit held all the same.
			t.Logf("%s: stopped by the memory limit under the race detector", c.expr)
			o = newOnRuntime(t, o.s.timeout)
			continue
		}
		require.True(t, reusable, "%s: the runtime would not be reused (%v)", c.expr, err)
		assert.Contains(t, err.Error(), "RangeError: "+c.err, c.expr)
		assert.Contains(t, err.Error(), " at <eval>:", "%s: the error points into the expression", c.expr)
		assert.NotContains(t, err.Error(), lockdownName, c.expr)
	}
}

// TestSandboxGuardsKeepSemantics checks the wrapped built-ins against their
// specification under the limits.
func TestSandboxGuardsKeepSemantics(t *testing.T) {
	cases := []struct {
		expr string
		want any
	}{
		{"'ab'.repeat(3)", "ababab"},
		{"'5'.padStart(3, '0') + 'x'.padEnd(3, '-')", "005x--"},
		{"'a'.concat(1, null, [2, 3])", "a1null2,3"},
		{"'a-b-c'.split('-', 2).join('|')", "a|b"},
		{"'a1b2'.split(/\\d/).length", int64(3)},
		{"'aXbX'.replaceAll('X', '[$&]')", "a[X]b[X]"},
		{"'abc'.replace('b', \"$'$`\")", "acac"},
		{"'abc'.replace(/(b)/g, (m, g, i) => g + i)", "ab1c"},
		{"'x.y.z'.replaceAll('.', () => '/')", "x/y/z"},
		{"'aaa'.match(/a/g).length", int64(3)},
		{"[...'héllo'].length", int64(5)},
		{"[1, [2, [3, [4]]]].flat(2).length", int64(4)},
		{"[1, 2].concat([3], 4, [[5]]).length", int64(5)},
		{"[1, 2, 3].map(x => x * 2).filter(x => x > 2).reduce((a, b) => a + b)", int64(10)},
		{"[3, 1, 2].sort().join()", "1,2,3"},
		{"[1, null, undefined, 'a'].join('-')", "1---a"},
		{"[[1, 2], [3]].toString()", "1,2,3"},
		{"Array.from('abc', c => c + c).join()", "aa,bb,cc"},
		{"Array.from({length: 3}, (_, i) => i).join()", "0,1,2"},
		{"Math.max.apply(null, [1, 5, 3])", int64(5)},
		{"[...new Set([1, 1, 2])].length", int64(2)},
		{"(([a, b]) => a + b)([1, 2])", int64(3)},
		{"Object.entries({a: 1, b: 2}).join(';')", "a,1;b,2"},
		{"Object.keys('abc').join()", "0,1,2"},
		{"JSON.stringify({b: 1, a: [1, {c: 2}]})", `{"b":1,"a":[1,{"c":2}]}`},
		{"JSON.stringify({a: 1, b: [1, 2]}, null, 2)", "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}"},
		{"JSON.stringify({b: 1, a: 2, c: {a: 3, d: 4}}, ['c', 'a'])", `{"c":{"a":3},"a":2}`},
		{"JSON.stringify({a: 1, b: 'x'}, (k, v) => typeof v === 'number' ? v * 10 : v)", `{"a":10,"b":"x"}`},
		{"JSON.stringify({d: new Date(0), n: new Number(3), s: new String('s')})", `{"d":"1970-01-01T00:00:00.000Z","n":3,"s":"s"}`},
		{"JSON.stringify([undefined, () => 1, Symbol('s')])", "[null,null,null]"},
		{"JSON.parse('{\"a\":[1,2]}', (k, v) => Array.isArray(v) ? v.length : v).a", int64(2)},
		{"new Uint8Array([1, 2, 300])[2]", int64(44)},
		{"new Float32Array(new ArrayBuffer(8), 4)[0]", int64(0)},
		{"(() => { const d = new DataView(new ArrayBuffer(4)); d.setUint16(0, 0x4148); d.setUint16(2, 0); return d.getFloat32(0); })()", 12.5},
		{"(() => { class B extends Uint8Array {}; const b = new B(2); return b instanceof B && b instanceof Uint8Array && b.length; })()", int64(2)},
		{"new Uint8Array(2).map(x => x + 1).join()", "1,1"},
		{"Uint8Array.name + Uint8Array.length + Uint8Array.BYTES_PER_ELEMENT", "Uint8Array31"},
		{"[].map.name + [].map.length + ''.padStart.name", "map1padStart"},
		{"Object.getPrototypeOf(new Uint8Array(1)).constructor === Uint8Array", true},
		{"String.raw`a${1}b`", "a1b"},
		{"String.raw({raw: ['x', 'y', 'z']}, 1) + String.raw({raw: 'abc'}, '-', '+', '!')", "x1yza-b+c"},
		{"(a => (a.push(a, [3, a]), a.join('|')))([1])", "1||3,"},
		{"[3, undefined, 1, , 10, 'b', null].sort().map(String).join()", "1,10,3,b,null,undefined,"},
		{"[1.5, -0, 2].toLocaleString() + new Uint8Array([1, 2]).toLocaleString()", "1.5,0,21,2"},
		{"new Float64Array([3, -1, NaN, 2]).sort().join()", "-1,2,3,NaN"},
		{"encodeURIComponent('a b') + encodeURI('é')", "a%20b%C3%A9"},
		{"'ß'.toUpperCase() + 'e\u0301'.normalize('NFC').length", "SS1"},
		{"RegExp('a+').test('aa') && new RegExp(/a+/g, 'i').flags", "i"},
		{"'aa'.match('a+')[0] + 'xay'.search('a') + [...'aXa'.matchAll('a')].length", "aa12"},
		{"(() => { class R extends RegExp {}; const r = new R('a'); return r instanceof R && r instanceof RegExp && r.test('a'); })()", true},
		{"/a/.constructor === RegExp && RegExp.name + RegExp.length", "RegExp2"},
		{"(r => RegExp(r) === r && RegExp(r, 'g') !== r)(/a/)", true},
	}
	o := newOnRuntime(t, 10*time.Second)
	for _, c := range cases {
		v, err := o.run(c.expr)
		require.NoError(t, err, c.expr)
		assert.Equal(t, c.want, v, c.expr)
	}
	for _, expr := range []string{"String.raw()", "String.raw({})", "Array.prototype.join.call(null)", "Array.prototype.toLocaleString.call(undefined)"} {
		_, err := o.run(expr)
		assert.ErrorContains(t, err, "TypeError", expr)
	}
	_, err := o.run("new [].map()")
	assert.ErrorContains(t, err, "TypeError", "wrapped methods are not constructors")
	_, err = o.run("Uint8Array(2)")
	assert.ErrorContains(t, err, "TypeError", "typed arrays still need new")
}

func TestSandboxTimeout(t *testing.T) {
	s := NewSandbox(20*time.Millisecond, nil)
	for _, expr := range []string{
		"(() => { for (;;) {} })()",
		"(() => { while (true) { [1, 2, 3].map(x => x); } })()",
		"(() => { let x = 0; for (let i = 0; i < 1e12; i++) { x += i; } return x; })()",
		"({ get x() { for (;;) {} } })", // the result's export calls the getter
		"(() => { let n = 0; for (const k in 'x'.repeat(2**22)) { n++; } return n; })()",
	} {
		_, err := s.Run(script(t, expr), nil)
		require.Error(t, err, expr)
		assert.True(t, errors.Is(err, ErrTimeout), "%s: %v", expr, err)
		assert.Contains(t, err.Error(), "evaluation timed out after 20ms", expr)
	}
	v, err := s.Run(script(t, "a + 1", "a"), []any{1.0})
	require.NoError(t, err)
	assert.Equal(t, int64(2), v, "the sandbox keeps working after timeouts")
	assert.Equal(t, MaxTimeout, NewSandbox(time.Hour, nil).timeout)
}

// TestSandboxMemoryLimit runs JavaScript that allocates step by step, where no
// built-in guard applies: the watchdog stops it at MaxMemory.
func TestSandboxMemoryLimit(t *testing.T) {
	s := &Sandbox{timeout: time.Minute}
	for _, expr := range []string{
		"(() => { const a = []; for (;;) { a.push('x'.repeat(2**24)); } })()",
		"(() => { const a = [], s = 'x'.repeat(1 << 16); for (;;) { a[a.length] = s + a.length; } })()",
	} {
		err := runWithinMemory(t, s, expr)
		assert.True(t, errors.Is(err, ErrMemoryLimit), "%s: %v", expr, err)
	}
}

// runWithinMemory runs expr, which must fail, and checks that the heap never grew past
// MaxMemory plus the largest single step; it returns the failure.
func runWithinMemory(t *testing.T, s *Sandbox, expr string) error {
	t.Helper()
	var err error
	growth := vmtest.PeakHeapGrowth(func() { _, err = s.Run(script(t, expr), nil) })
	t.Logf("%s: peak heap growth %d MiB, %v", expr, growth>>20, err)
	require.Error(t, err, expr)
	assert.Less(t, growth, uint64(MaxMemory+64<<20), "%s: peak heap growth", expr)
	return err
}

// TestSandboxStringGrowth grows strings by +, += and template literals, which goja
// builds natively in one step each: the string builders stop them before a step would
// pass MaxStringLength or the memory limit, so the heap never grows far past MaxMemory.
func TestSandboxStringGrowth(t *testing.T) {
	s := &Sandbox{timeout: time.Minute}
	for _, expr := range []string{
		"(() => { let s = 'x'; for (;;) s += s; })()",
		"(() => { let s = 'é'; for (;;) s = s + s; })()",
		"(() => { let s = 'x'; for (;;) s = `${s}${s}`; })()",
		"(() => { let s = 'x'; for (;;) s = `${s}${s}${s}${s}${s}${s}${s}${s}`; })()",
		"(() => { const o = {s: 'x'}; for (;;) o.s += o.s; })()",
		"(() => { const o = {a: ['é']}; for (;;) o.a[0] += o.a[0]; })()",
		"(() => { const o = {valueOf: () => s}; let s = 'x'; for (;;) s = o + s; })()",
		"(() => { let s = 'x'; for (;;) s = s.concat(s); })()",
		"(() => { const a = [], s = 'é'.repeat(2**23); for (;;) a.push(s + s); })()",
		"(() => { const a = []; for (;;) a.push('é'.repeat(2**24)); })()",
	} {
		err := runWithinMemory(t, s, expr)
		assert.Regexp(t, `^RangeError: (string concatenation|template literal|String.prototype.concat): \d+ characters exceed|^memory limit exceeded`, err.Error(), expr)
	}
}

// TestSandboxRegexpMatchLimit: a catastrophic backtracking pattern is cut after
// regexpMatchTimeout, whatever the sandbox's timeout, and the evaluation fails with the
// limit instead of returning regexp2's "no match"; the runtime stays usable. Every way
// to run a match goes through the limit.
func TestSandboxRegexpMatchLimit(t *testing.T) {
	assert.Equal(t, regexpMatchTimeout, regexp2.DefaultMatchTimeout)
	subject := "'a'.repeat(40) + '!'"
	// The bound is the evaluation's timeout plus slack for what surrounds the match
	// (building the subject, compiling the expression): under the race detector that
	// work alone takes 50-80 ms for the 2**9 alternatives.
	slack := 50 * time.Millisecond
	if raceEnabled {
		slack = 250 * time.Millisecond
	}
	for _, expr := range []string{
		"/(a+)+\\1$/.test(" + subject + ")",
		"/(a+)+\\1$/.exec(" + subject + ")",
		"(" + subject + ").match(/(a+)+\\1$/)",
		"(" + subject + ").replace(/(a+)+\\1$/g, '')",
		"(" + subject + ").search(/(a+)+\\1$/)",
		"(" + subject + ").split(/(a+)+\\1$/)",
		"[...(" + subject + ").matchAll(/(a+)+\\1$/g)]",
		"new RegExp('(x|y)'.repeat(2**9) + 'z').test('x'.repeat(2**20))",
		"/^(\\w+\\s?)*\\1$/.test('motor temperature sensor '.repeat(4) + '!')",
	} {
		for _, timeout := range []time.Duration{20 * time.Millisecond, time.Second} {
			s := NewSandbox(timeout, nil)
			r, err := s.newRuntime()
			require.NoError(t, err)
			var reusable bool
			took := vmtest.Took(func() { _, reusable, err = s.runOn(r, script(t, expr), nil) })
			require.Error(t, err, expr)
			if !errors.Is(err, ErrTimeout) {
				assert.Contains(t, err.Error(), "RangeError: RegExp: a match ran past the sandbox limit of 15 ms", expr)
				assert.True(t, reusable, expr)
			}
			assert.Less(t, took, timeout+slack, "%s with timeout %v", expr, timeout)
		}
	}
}

// TestSandboxRegexpTwinKeepsSemantics: matches run on a twin of each regular
// expression; what exec, lastIndex and the methods built on them give is unchanged.
func TestSandboxRegexpTwinKeepsSemantics(t *testing.T) {
	cases := []struct {
		expr string
		want any
	}{
		{"(r => [r.exec('a1b22c333')[0], r.lastIndex, r.exec('a1b22c333')[0], r.lastIndex])(/\\d+/g).join()", "1,2,22,5"},
		{"(r => { r.lastIndex = 3; return [r.exec('aab')?.index, r.lastIndex, r.exec('aab')?.index ?? null, r.lastIndex].join(); })(/a/y)", ",0,0,1"},
		{"/(?<y>\\d{4})-(\\d\\d)/.exec('on 2024-05').groups.y + /(\\d)\\1/.exec('x113')[0]", "202411"},
		{"(r => { r.compile('b'); return r.test('abc') && r.source; })(/a/)", "b"},
		{"/\\u{1F600}/u.test('\\u{1F600}') && /^.$/u.test('\\u{1F600}') && !/^.$/.test('\\u{1F600}')", true},
		{"'a-b_c'.split(/[-_]/).join('|') + 'aXbX'.replace(/x/gi, '.') + 'abcabc'.search(/c/)", "a|b|ca.b.2"},
		{"[...'a1b2'.matchAll(/\\d/g)].map(m => m.index).join()", "1,3"},
		{"/^b/m.test('a\\nb') && /a.c/s.test('a\\nc') && String(/x/gimsuy)", "/x/gimsuy"},
	}
	o := newOnRuntime(t, 10*time.Second)
	for _, c := range cases {
		v, err := o.run(c.expr)
		require.NoError(t, err, c.expr)
		assert.Equal(t, c.want, v, c.expr)
	}
}

func TestSandboxExportMatchesGoja(t *testing.T) {
	exprs := []string{
		"1", "1.5", "-0", "2**53", "'s'", "true", "null", "undefined",
		"({a: 1, b: 'x', c: [1, 2, {d: null}], e: undefined})",
		"[1, , 3]", "(a => (a[5] = 1, a))([])", "[[[]]]",
		"new Date(0)", "new Map([[1, {x: 2}], ['k', [3]]])", "new Set([1, 'a', [2]])",
		"new Uint8Array([1, 2])", "new Float64Array([0.5])", "new ArrayBuffer(2)",
		"new String('ab')", "new Number(3)", "new Boolean(false)", "Object(Symbol.iterator) && 1",
		"(function () { return arguments; })(1, 'a')", "new Error('e')", "/x/g",
		"({get g() { return 7; }})", "new (class { constructor() { this.a = 1; } })()",
		"Object.defineProperty({a: 1}, 'hidden', {value: 2})", "({[Symbol('s')]: 1, k: 2})",
		"({2: 'b', 1: 'a', z: 'z'})", "Promise.resolve(1)", "(() => { const o = {x: 1}; return [o, o]; })()",
	}
	r := newOnRuntime(t, time.Second).r
	// export evaluates expr and returns goja's value and the sandbox's export of it.
	export := func(expr string) (goja.Value, any) {
		fn, err := r.function(script(t, expr))
		require.NoError(t, err, expr)
		v, err := fn(goja.Undefined())
		require.NoError(t, err, expr)
		ex := newExporter(r)
		got, err := ex.value(v, 0)
		require.NoError(t, err, expr)
		return v, got
	}
	for _, expr := range exprs {
		v, got := export(expr)
		assert.Equal(t, v.Export(), got, expr)
	}
	_, got := export("() => 1")
	assert.Equal(t, reflect.Func, reflect.TypeOf(got).Kind())
}

func TestSandboxExportRefuses(t *testing.T) {
	cases := []struct{ expr, err string }{
		{"(() => { const a = {}; a.a = a; return a; })()", "nested deeper than 1000 levels"},
		{"(() => { const a = []; a.push(a); return a; })()", "nested deeper than 1000 levels"},
		{"(() => { const m = new Map(); m.set(1, m); return m; })()", "nested deeper than 1000 levels"},
		{"(() => { let a = []; for (let i = 0; i < 1000; i++) a = [a]; return a; })()", "nested deeper than 1000 levels"},
		{"(a => (a.length = 2**32 - 1, a))([])", "more than 16777216 elements and characters"},
		{"(() => { let a = {s: 'x'.repeat(2**16)}; for (let i = 0; i < 40; i++) a = {x: a, y: a}; return a; })()", "more than 16777216"},
		{"Array(20).fill('x'.repeat(2**20))", "more than 16777216"},
	}
	o := newOnRuntime(t, 10*time.Second)
	for _, c := range cases {
		_, err := o.run(c.expr)
		require.Error(t, err, c.expr)
		assert.True(t, errors.Is(err, ErrResultTooLarge), "%s: %v", c.expr, err)
		assert.Contains(t, err.Error(), c.err, c.expr)
	}
	_, reusable, err := o.s.runOn(o.r, script(t, "({get x() { throw new TypeError('boom'); }})"), nil)
	assert.ErrorContains(t, err, "TypeError: boom")
	assert.False(t, reusable, "a runtime whose export panicked is dropped")
}

func TestSandboxInputsAreCopies(t *testing.T) {
	o := newOnRuntime(t, time.Second)
	in := map[string]any{"a": []any{1.0, "x"}, "b": map[string]any{"c": true}}
	v, err := o.run("(a0.a.push(2), a0.b.c = false, a0.z = 1, a0)", in)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": []any{int64(1), "x", int64(2)}, "b": map[string]any{"c": false}, "z": int64(1)}, v)
	assert.Equal(t, map[string]any{"a": []any{1.0, "x"}, "b": map[string]any{"c": true}}, in)
}

// TestSandboxInputKeysAreOwnProperties: input keys that name properties of the frozen
// Object.prototype, or __proto__, are own data properties of the input, as JSON.parse
// makes them.
func TestSandboxInputKeysAreOwnProperties(t *testing.T) {
	o := newOnRuntime(t, time.Second)
	in := map[string]any{"toString": 1.0, "constructor": "c", "__proto__": map[string]any{"x": true}}
	v, err := o.run("[a0.toString, a0.constructor, a0.__proto__.x, Object.keys(a0).join(','), Object.getPrototypeOf(a0) === Object.prototype]", in)
	require.NoError(t, err)
	assert.Equal(t, []any{int64(1), "c", true, "__proto__,constructor,toString", true}, v)
	_, err = o.run("a0 + 1", map[string]any{"toString": 1.0, "valueOf": 2.0})
	assert.ErrorContains(t, err, "TypeError", "an object whose toString and valueOf are no functions has no primitive value")
}

// TestSandboxConcurrent shares one sandbox between goroutines, some running away: the
// cheap evaluations keep their results.
func TestSandboxConcurrent(t *testing.T) {
	s := NewSandbox(20*time.Millisecond, nil)
	add := script(t, "a + 1", "a")
	loop := script(t, "(() => { for (;;) {} })()")
	pollute := script(t, "(Object.prototype.x = 1, Array.prototype.map = null, 1)")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				switch {
				case g == 0 && i%10 == 0:
					_, err := s.Run(loop, nil)
					assert.ErrorIs(t, err, ErrTimeout)
				case g == 1:
					_, err := s.Run(pollute, nil)
					assert.NoError(t, err)
				default:
					v, err := s.Run(add, []any{float64(i)})
					assert.NoError(t, err)
					assert.Equal(t, int64(i+1), v)
				}
			}
		}()
	}
	wg.Wait()
}
