package compiler_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/vm/vmtest"
)

// hostile is an expression written to escape the sandbox, leak state, or exhaust the
// process, with the outcome it must have instead (docs/behaviour.md#sandbox).
type hostile struct {
	name string
	src  string
	// compileErr, when set, is a regular expression the compile error must match.
	compileErr string
	// evalErr, when set, is a regular expression the evaluation error must match.
	evalErr string
	// want is the (harmless) result otherwise.
	want any
	// probe, when set, is another program evaluated on goja right after src, on the
	// same sandbox, whose idle runtimes are reused last in, first out (so on the runtime
	// src ran on): it must see probeWant, the pristine value, whatever src wrote.
	probe     string
	probeWant any
}

const (
	errNotFunction = `TypeError: (Not a function|Object has no member)`
	errTimeout     = `evaluation timed out after 50ms`
	errStack       = `RangeError: maximum call stack size \(1000\) exceeded`
)

var hostileExpressions = []hostile{
	// Code generation: every route to the Function constructor ends at Object, and
	// calling what it gives is a TypeError.
	{name: "constructor of an array's constructor", src: "[].constructor.constructor('return process')()", evalErr: errNotFunction},
	{name: "constructor of an arrow", src: "(() => 1).constructor('return 1')()", evalErr: errNotFunction},
	{name: "constructor of a function", src: "(function () {}).constructor('return 1')()", evalErr: errNotFunction},
	{name: "constructor of an async function", src: "(async () => 1).constructor('return 1')()", evalErr: errNotFunction},
	{name: "constructor of a generator function", src: "(function* () {}).constructor('yield 1')().next()", evalErr: errNotFunction},
	{name: "constructor of a class", src: "(class {}).constructor('return 1')()", evalErr: errNotFunction},
	{name: "constructor of a bound function", src: "(() => 1).bind(null).constructor('return 1')()", evalErr: errNotFunction},
	{name: "AsyncFunction through getPrototypeOf", src: "Object.getPrototypeOf(async function () {}).constructor('return 1')()", evalErr: errNotFunction},
	{name: "GeneratorFunction through getPrototypeOf", src: "Object.getPrototypeOf(function* () {}).constructor('yield 1')()", evalErr: errNotFunction},
	{name: "Function through __proto__", src: "({}).__proto__.constructor.constructor('return 1')()", evalErr: errNotFunction},
	{name: "Function through the global object", src: "(function () { return this; })().constructor.constructor('return 1')()", evalErr: errNotFunction},
	{name: "eval on the global object", src: "typeof (function () { return this; })().eval", want: "undefined"},
	{name: "Function on the global object", src: "typeof (function () { return this; })().Function", want: "undefined"},
	{name: "eval", src: "eval('1')", compileErr: `eval is blocked`},
	{name: "indirect eval", src: "(0, eval)('1')", compileErr: `eval is blocked`},
	{name: "eval by alias", src: "(e => e('1'))(eval)", compileErr: `eval is blocked`},
	{name: "Function", src: "Function('return 1')()", compileErr: `Function is blocked`},
	{name: "Reflect", src: "Reflect.construct(Object, [])", compileErr: `Reflect is blocked`},
	{name: "Proxy", src: "new Proxy({}, {})", compileErr: `Proxy is blocked`},
	{name: "globalThis", src: "globalThis.eval('1')", compileErr: `globalThis is blocked`},
	{name: "dynamic import", src: "import('fs')", compileErr: `syntax error`},
	{name: "require", src: "require('fs')", compileErr: `require is blocked`},
	{name: "process", src: "process.exit(1)", compileErr: `process is blocked`},
	{name: "this", src: "this.constructor", compileErr: "`this` is not available"},
	{name: "arguments.callee", src: "arguments.callee", compileErr: `unknown name arguments`},
	{name: "global symbol registry", src: "Symbol.for('shared')", evalErr: errNotFunction},
	{name: "BigInt constructor", src: "BigInt(2) ** BigInt(2 ** 40)", compileErr: `BigInt is blocked`},
	{name: "BigInt literal", src: "2n ** (2n ** 40n)", compileErr: `BigInt is not available`},
	{name: "BigInt from a DataView", src: "new DataView(new ArrayBuffer(8)).getBigInt64(0)", evalErr: errNotFunction},

	// Writes to built-ins and globals: ignored or refused, never seen by a later evaluation
	// of another program.
	{name: "Object.prototype pollution", src: "(Object.prototype.polluted = press, 1)", want: int64(1),
		probe: "typeof ({}).polluted", probeWant: "undefined"},
	{name: "__proto__ pollution", src: "(({}).__proto__.polluted = press, 1)", want: int64(1),
		probe: "typeof [].polluted", probeWant: "undefined"},
	{name: "Object.prototype's prototype", src: "Object.setPrototypeOf(Object.prototype, {polluted: 1})", evalErr: `TypeError`,
		probe: "typeof ({}).polluted", probeWant: "undefined"},
	{name: "Array.prototype.map overwritten", src: "(Array.prototype.map = () => 'pwned', [press].map(x => x + 1)[0])", want: int64(2),
		probe: "[press].map(x => x * 10)[0]", probeWant: int64(10)},
	{name: "Math.round overwritten", src: "(Math.round = () => 42, Math.round(1.4))", want: int64(1),
		probe: "Math.round(press + 0.4)", probeWant: int64(1)},
	{name: "Math.round redefined", src: "Object.defineProperty(Math, 'round', {value: () => 42})", evalErr: `TypeError: Cannot redefine property: round`,
		probe: "Math.round(press + 0.4)", probeWant: int64(1)},
	{name: "JSON.parse overwritten", src: "(JSON.parse = () => 'pwned', JSON.parse('1'))", want: int64(1),
		probe: "JSON.parse('[' + press + ']')[0]", probeWant: int64(1)},
	{name: "Error.prototype.toString overwritten", src: "(Error.prototype.toString = () => 'pwned', String(new Error('e')))", want: "Error: e"},
	{name: "global write through the global object", src: "(function () { this.leaked = press; return 1; })()", want: int64(1),
		probe: "typeof (function () { return this; })().leaked", probeWant: "undefined"},
	{name: "global built-in replaced", src: "(function () { Math = null; JSON = null; })()", want: nil,
		probe: "Math.round(press + 0.4) + JSON.parse('1')", probeWant: int64(2)},
	{name: "new global", src: "(() => { leaked = 1; })()", compileErr: `unknown name leaked`},
	{name: "iterator prototype pollution", src: "(Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({done: true}), [...[press]].length)", want: int64(1),
		probe: "[...[press, press]].length", probeWant: int64(2)},
	{name: "generator prototype pollution", src: "(Object.getPrototypeOf(function* () {}).prototype.leaked = press, 1)", want: int64(1),
		probe: "typeof (function* () {})().leaked", probeWant: "undefined"},

	// Runaway computation: interrupted at the timeout (tried twice), or stopped by the
	// call stack limit.
	{name: "infinite loop", src: "(() => { for (;;) {} })()", evalErr: errTimeout},
	{name: "infinite loop on an input", src: "(() => { while (press) {} })()", evalErr: errTimeout},
	{name: "loop in a getter of the result", src: "({ get x() { for (;;) {} } })", evalErr: errTimeout},
	{name: "catastrophic regular expression", src: "/(a+)+\\1b/.test('a'.repeat(30 + press))", evalErr: `RangeError: RegExp: a match ran past the sandbox limit of 15 ms|` + errTimeout},
	{name: "deep recursion", src: "(function f(n) { return f(n + 1); })(0)", evalErr: errStack},
	{name: "self-application", src: "(f => f(f))(f => f(f))", evalErr: errStack},
	{name: "recursive getter", src: "({ get a() { return this.a; } }).a", evalErr: errStack + "|" + errTimeout},

	// Memory bombs: refused by the built-in guards, or stopped by the memory watchdog.
	{name: "repeat", src: "'x'.repeat(2**30)", evalErr: `RangeError: String.prototype.repeat: 1073741824 characters exceed the sandbox limit`},
	{name: "padStart", src: "'x'.padStart(2**30)", evalErr: `RangeError: String.prototype.padStart`},
	{name: "fill", src: "new Array(2**30).fill(0)", evalErr: `RangeError: Array.prototype.fill: 1073741824 elements exceed the sandbox limit`},
	{name: "Array.from", src: "Array.from({length: 2**28})", evalErr: `RangeError: Array.from`},
	{name: "spread", src: "[...Array(2**27)]", evalErr: `RangeError: Array.prototype.values`},
	{name: "huge join", src: "new Array(2**27).join('x')", evalErr: `RangeError: Array.prototype.join`},
	{name: "join of long strings", src: "Array(1000).fill('x'.repeat(2**10).repeat(2**10)).join('')", evalErr: `RangeError: Array.prototype.join`},
	{name: "doubling string", src: "(() => { let s = 'x'; for (;;) { s += s; } })()", evalErr: `RangeError: string concatenation: 33554432 characters exceed the sandbox limit|memory limit exceeded|` + errTimeout},
	{name: "doubling template", src: "(() => { let s = 'é'; for (;;) { s = `${s}${s}`; } })()", evalErr: `RangeError: template literal: 33554432 characters exceed the sandbox limit|memory limit exceeded|` + errTimeout},
	{name: "growing array", src: "(() => { const a = [], s = 'x'.repeat(1 << 16); for (;;) { a[a.length] = s + a.length; } })()", evalErr: `memory limit exceeded|` + errTimeout},
	{name: "typed array", src: "new Float64Array(2**27)", evalErr: `RangeError: Float64Array`},
	{name: "argument list", src: "Math.max.apply(null, {length: 2**30})", evalErr: `RangeError: Function.prototype.apply`},
	{name: "JSON of a shared string", src: "JSON.stringify(Array(100).fill('x'.repeat(2**10).repeat(2**10)))", evalErr: `RangeError: JSON.stringify|memory limit exceeded|` + errTimeout},
	{name: "sparse array result", src: "(a => (a.length = 2**32 - 1, a))([])", evalErr: `result too large`},
	{name: "cyclic result", src: "(() => { const a = {}; a.self = a; return a; })()", evalErr: `result too large: nested deeper than 1000 levels`},
}

// TestHostileExpressions runs every hostile expression the way the processor does, and
// checks that none escapes, leaks or takes more than a bounded amount of memory.
func TestHostileExpressions(t *testing.T) {
	opts := []compiler.Option{compiler.WithTimeout(50 * time.Millisecond)}
	vars := map[string]any{"press": 1.0}
	for _, c := range hostileExpressions {
		t.Run(c.name, func(t *testing.T) {
			var p *compiler.Program
			var v any
			var compileErr, evalErr error
			growth := vmtest.PeakHeapGrowth(func() {
				if p, compileErr = compiler.Compile(c.src, []string{"press"}, opts...); compileErr == nil {
					v, evalErr = p.Eval(vars)
				}
			})
			t.Logf("peak heap growth %d MiB", growth>>20)
			assert.Less(t, growth, uint64(512<<20), "peak heap growth")
			if c.compileErr != "" {
				require.Error(t, compileErr)
				assert.Regexp(t, regexp.MustCompile(c.compileErr), compileErr.Error())
				return
			}
			require.NoError(t, compileErr)
			if c.evalErr != "" {
				require.Error(t, evalErr, "result %#v", v)
				assert.Regexp(t, regexp.MustCompile(c.evalErr), evalErr.Error())
			} else {
				require.NoError(t, evalErr)
				assert.Equal(t, c.want, v)
			}
			if c.probe != "" {
				probe, err := compiler.Compile(c.probe, []string{"press"}, append(opts, compiler.WithEngine(compiler.EngineGoja))...)
				require.NoError(t, err)
				got, err := probe.Eval(vars)
				require.NoError(t, err)
				assert.Equal(t, c.probeWant, got, "probe %s", c.probe)
			}
		})
	}
}

// TestSandboxGlobalsCompile checks that every global a sandbox runtime really has is
// one a mapping may name: the compiler's list comes from vm.Globals, which must say
// what the lockdown keeps.
func TestSandboxGlobalsCompile(t *testing.T) {
	p, err := compiler.Compile("Object.getOwnPropertyNames((function () { return this; })())", nil)
	require.NoError(t, err)
	names, err := p.Eval(nil)
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, name := range names.([]any) {
		if strings.HasPrefix(name.(string), "%") {
			continue // the sandbox's string builders, which no expression can name
		}
		_, err := compiler.Compile(name.(string), nil)
		assert.NoError(t, err, "the sandbox keeps %s", name)
	}
}
