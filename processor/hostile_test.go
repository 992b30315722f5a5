package processor

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/vm"
	"github.com/unsproc/unsproc/vm/vmtest"
)

// hostileExpressions build large results or run long natively, where neither the
// timeout nor the memory watchdog reaches, unless a limit of the sandbox guards them.
// Each ends in an error, a bounded result or a timeout; none may outlive the bound,
// grow the heap past it, or stop the next message. A row that starts with a
// declaration is a statement body.
var hostileExpressions = []string{
	// strings
	`String.raw({raw: Array(2**18).fill('x'.repeat(2**12))})`,
	`String.raw({raw: Array(2**18).fill('x'.repeat(2**16))})`,
	`String.raw({raw: {length: 2**18}}, ...Array(2**17).fill('x'.repeat(2**12)))`,
	`String.raw({raw: 'x'.repeat(2**18)}, 'y'.repeat(2**20))`,
	`'x'.repeat(2**30)`,
	`'x'.repeat(2**24 - 1) + 'y'.repeat(2**24 - 1)`,
	`'x'.padStart(2**30)`,
	`'x'.padEnd(2**30, 'ab')`,
	`''.concat(...Array(2**17).fill('x'.repeat(2**10)))`,
	`'x'.repeat(2**20).replace(/x/g, 'y'.repeat(2**10))`,
	`'x'.repeat(2**20).replaceAll('x', '$&$&$&$&$&$&$&$&')`,
	`'x'.repeat(2**20).replace('x', "$'$'$'$'$'$'$'$'$'$'$'$'$'$'$'$'$'$'")`,
	`'x'.repeat(2**20).replace(/x/g, "$'")`,
	`'x'.repeat(2**20).split('')`,
	`'x'.repeat(2**20).split(/(?:)/)`,
	`'x'.repeat(2**20).match(/x/g)`,
	`[...'x'.repeat(2**20).matchAll(/x/g)].length`,
	`'ß'.repeat(2**23).toUpperCase()`,
	`'\ufdfa'.repeat(2**20).normalize('NFKD')`,
	`encodeURIComponent('\u0800'.repeat(2**22))`,
	`[...'x'.repeat(2**20)]`,
	`Array.from('x'.repeat(2**20))`,
	`Object.keys('x'.repeat(2**20))`,
	`Object.entries('x'.repeat(2**20))`,
	`Object.assign({}, 'x'.repeat(2**20))`,
	// arrays
	`new Array(2**30).fill(0)`,
	`Array(2**18).fill('x'.repeat(2**16)).join('')`,
	`Array(2**18).fill(Array(2**10).fill('x'.repeat(2**6))).join('')`,
	`(a => Array(2**10).fill(a).join())(Array(2**14).fill('x'.repeat(2**10)))`,
	`Array(2**18).fill([Array(2**18).fill('x').join('')]).toString().length`,
	`Array(2**18).join('x'.repeat(2**16))`,
	`Array(2**18).fill(0).toLocaleString()`,
	`[].concat(...Array(2**10).fill(Array(2**18).fill(0)))`,
	`(() => { let a = [0]; for (let i = 0; i < 30; i++) a = [a, a]; return a.flat(Infinity).length; })()`,
	`Array.from({length: 2**30})`,
	`Math.max.apply(null, {length: 2**30})`,
	`Array(2**18).fill(0).map((_, i) => i).sort().reverse().length`,
	`(() => { const a = Array(2**18).fill(0); a.length = 2**32 - 1; return a.indexOf(1); })()`,
	`Array.prototype.join.call({length: 2**32 - 1}, '')`,
	`Array(2**18).fill(0).flatMap(() => Array(2**10).fill(0)).length`,
	`Array(2**18).fill(0).map((_, i) => ({toString: () => 'x'.repeat(i % 64)})).toSorted().length`,
	`'Ā'.repeat(2**23).indexOf('Ā'.repeat(2**12) + 'y')`,
	// typed arrays and buffers
	`new Uint8Array(2**18).join('x'.repeat(2**16))`,
	`new Uint8Array(2**18).join('x'.repeat(2**12))`,
	`new Uint8Array(new ArrayBuffer(2**21)).join('x'.repeat(2**8))`,
	`new Float64Array(2**18).fill(-1.2345678901234567e-300).toLocaleString()`,
	`new Float64Array(2**18).fill(-1.2345678901234567e-300).join('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')`,
	`new Uint8Array(new ArrayBuffer(2**21)).map(x => x + 1).length`,
	`new Float64Array(new ArrayBuffer(2**21)).sort().length`,
	`new Uint8Array(new ArrayBuffer(2**21)).sort().reverse().length`,
	`new ArrayBuffer(2**40)`,
	`new Float64Array(2**30)`,
	`Array.from(new Uint8Array(new ArrayBuffer(2**21)))`,
	`[...new Uint8Array(new ArrayBuffer(2**21))].length`,
	// JSON
	`JSON.parse('['.repeat(5e5) + ']'.repeat(5e5))`,
	`JSON.parse('{"a":'.repeat(2e5) + '0' + '}'.repeat(2e5))`,
	`JSON.parse('[' + '{},'.repeat(3e5) + '{}]').length`,
	`JSON.parse('[' + '[],'.repeat(3e5) + '[]]').length`,
	`JSON.parse('"' + 'x'.repeat(2**21) + '"')`,
	`JSON.stringify(Array(2**18).fill('x'.repeat(2**10)))`,
	`JSON.stringify((() => { let a = []; for (let i = 0; i < 1e5; i++) a = [a]; return a; })())`,
	`JSON.stringify(Array(2**10).fill(Array(2**10).fill({})), null, 10)`,
	// regular expressions
	`/(a+)+\1$/.test('a'.repeat(40) + 'b')`,
	`/^(\w+\s?)*\1$/.test('motor temperature sensor '.repeat(4) + '!')`,
	`/(a|a)*\1b/.test('a'.repeat(40))`,
	`/(?=(a+))a*b\1/.test('a'.repeat(5000))`,
	`/(x+x+)+y\1/.test('x'.repeat(64))`,
	`('a'.repeat(30) + '!').replace(/(a+)+\1$/g, '')`,
	`('a'.repeat(30) + '!').split(/(a+)+\1$/).length`,
	`('a'.repeat(30) + '!').search(/(a+)+\1$/)`,
	`[...('a'.repeat(30) + '!').matchAll(/(a+)+\1$/g)].length`,
	`(('a'.repeat(22) + 'b').repeat(2**12)).replace(/(a+)+\1c|b/g, '')`,
	`new RegExp('(a+)+\\1$').exec('a'.repeat(40) + '!')`,
	`new RegExp('a'.repeat(2**20))`,
	`new RegExp('(?:' + '(a)\\1'.repeat(2**13) + ')')`,
	// strings grown by +, += and template literals, which goja builds natively in one step
	`(() => { let s = 'x'; for (;;) s += s; })()`,
	`(() => { let s = 'x'; for (;;) s = s + s; })()`,
	"(() => { let s = 'x'; for (;;) s = `${s}${s}`; })()",
	`(() => { let s = 'x'; for (;;) s = s.concat(s); })()`,
	`(() => { let s = 'é'.repeat(2**10); for (;;) s += s; })()`,
	"(() => { let s = 'é'; for (;;) s = `${s}${s}`; })()",
	"(() => { let s = 'x'; for (;;) s = `${s}${s}${s}${s}${s}${s}${s}${s}`; })()",
	`(() => { let s = 'x'; for (;;) s = s + s + s + s + s + s + s + s; })()`,
	`(() => { const o = {s: 'é'}; for (;;) o.s += o.s; })()`,
	`(() => { const a = ['é']; for (;;) a[0] += a[0]; })()`,
	`(() => { let s = 'é'; const o = {valueOf: () => s}; for (;;) s = o + s; })()`,
	`(() => { let s = 'é'; const o = {toString: () => s}; for (;;) s = ` + "`${o}${o}`" + `; })()`,
	`(() => { let s = 'x'; for (;;) { try { s += s; } catch (e) { s = s.slice(1); } } })()`,
	`(() => { const a = [], s = 'é'.repeat(2**23); for (;;) a.push(s + s); })()`,
	"(() => { const a = [], s = 'é'.repeat(2**23); for (;;) a.push(`${s}${s}`); })()",
	`(() => { const a = []; for (;;) a.push('é'.repeat(2**24)); })()`,
	`let s = 'x'; for (;;) s += s; return s;`,
	"let s = 'é'; while (true) { s = `${s}${s}`; } return s;",
	`var o = {s: 'x'}; for (;;) o.s += o.s + o.s; return o.s;`,
	// loops, recursion, allocation step by step
	`(() => { for (;;) {} })()`,
	`(function f() { return f(); })()`,
	`(() => { const a = []; for (;;) a.push({}); })()`,
	`(() => { const m = new Map(); for (let i = 0; ; i++) m.set(i, i); })()`,
	`(() => { const s = new Set(); for (let i = 0; ; i++) s.add('k' + i); })()`,
	`Array.from({length: 2**18}, () => Array(2**10).fill(0))`,
	// dates, numbers, symbols, misc
	`Array(2**18).fill(0).map((_, i) => new Date(i).toISOString()).join('')`,
	`(1e21).toFixed(100) + (0.1).toPrecision(100) + (255).toString(2).repeat(2**20)`,
	`Array(2**18).fill(Symbol('x').toString()).join('x'.repeat(2**6))`,
	`Object.fromEntries(Array(2**18).fill(0).map((_, i) => ['k' + i, 'x'.repeat(2**6)]))`,
	`Object.getOwnPropertyNames(Array(2**18).fill(0))`,
}

// hostileCaseEnv selects, in a child process, the expression it runs (its index).
const hostileCaseEnv = "UNSPROC_HOSTILE_CASE"

// hostileAddressSpace is how much address space a child may map beyond what it has
// mapped when it starts: an expression that escapes the limits fails its child with an
// allocation failure instead of exhausting the machine. Go reserves address space beyond
// what it uses, so the margin is generous.
const hostileAddressSpace = 6 << 30

// hostileTimeout is the sandbox timeout the children run with.
const hostileTimeout = 100 * time.Millisecond

// hostileMargin is what an evaluation may take beyond its two attempts: the native step
// of a built-in that the watchdog has to wait for (up to 100 ms for some of 2**18
// elements when other work shares the machine's memory and cores, tens of
// milliseconds otherwise), the watchdog's tick, unwinding the interrupted runtime, the
// spare runtime built in the background (its CPU time counts) and, for a static
// mapping, the first runtime New builds. An escape from the limits takes seconds.
const hostileMargin = 150 * time.Millisecond

// hostileRuns is how many times a failing child runs in all: on a machine busy with
// other work the collector can hold the watchdog back for a moment. An escape from the
// limits fails every run (it takes seconds or exhausts the address space).
const hostileRuns = 3

// TestHostileMappings runs every hostile expression, as a static and as a dynamic
// mapping, each in a child process under an address-space cap, one at a time. The
// children run without the race detector, which slows goja several times over and
// reserves address space the cap would refuse: under -race, the test first builds the
// package's tests without it.
func TestHostileMappings(t *testing.T) {
	if c := os.Getenv(hostileCaseEnv); c != "" {
		i, err := strconv.Atoi(c)
		require.NoError(t, err)
		runHostileCase(t, hostileExpressions[i])
		return
	}
	require.GreaterOrEqual(t, len(hostileExpressions), 60)
	binary := os.Args[0]
	if raceEnabled {
		binary = filepath.Join(t.TempDir(), "processor.test")
		out, err := exec.Command("go", "test", "-c", "-o", binary, ".").CombinedOutput()
		require.NoError(t, err, "building the tests without the race detector:\n%s", out)
	}
	sem := make(chan struct{}, 1)
	var wg sync.WaitGroup
	for i, expr := range hostileExpressions {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var first []byte
			for run := 1; run <= hostileRuns; run++ {
				cmd := exec.Command(binary, "-test.run=^TestHostileMappings$", "-test.v")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", hostileCaseEnv, i))
				out, err := cmd.CombinedOutput()
				switch {
				case err == nil && run > 1:
					t.Logf("%s: passed in run %d; the first run:\n%s", expr, run, first)
				case err == nil:
				case run < hostileRuns:
					if run == 1 {
						first = out
					}
					continue
				default:
					t.Errorf("%s: the child failed %d times (%v); the last run:\n%s", expr, hostileRuns, err, out)
				}
				break
			}
		})
	}
	wg.Wait()
}

// capAddressSpace limits the process's address space to what it has mapped now plus
// margin.
func capAddressSpace(t *testing.T, margin uint64) {
	statm, err := os.ReadFile("/proc/self/statm")
	require.NoError(t, err)
	pages, err := strconv.ParseUint(strings.Fields(string(statm))[0], 10, 64)
	require.NoError(t, err)
	limit := pages*uint64(os.Getpagesize()) + margin
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit}))
}

// runHostileCase runs in the child: it caps the address space, then runs expr as a
// static mapping (evaluated by New) and as a dynamic one (evaluated per message), each
// beside a safe mapping.
func runHostileCase(t *testing.T, expr string) {
	capAddressSpace(t, hostileAddressSpace)
	bound := 2*hostileTimeout + hostileMargin
	heapBound := uint64(vm.MaxMemory + 64<<20)
	safeTopic := testPrefix + "._pump_v1.safe"
	for _, mode := range []struct{ name, src string }{
		{"static", expr},
		{"dynamic", dynamicHostile(expr)},
	} {
		cfg := pumpConfig(map[string]any{"hostile": mode.src, "safe": "press + 1"})
		cfg.Timeout = hostileTimeout
		var p *Processor
		var newErr error
		var peak uint64
		took := vmtest.Took(func() { peak = vmtest.PeakHeapGrowth(func() { p, newErr = New(cfg) }) })
		t.Logf("%s New: %v, heap +%d MiB, err %v", mode.name, took, peak>>20, newErr)
		assert.LessOrEqual(t, took, bound, "%s: New took too long", mode.name)
		assert.Less(t, peak, heapBound, "%s: New grew the heap too much", mode.name)
		if newErr != nil {
			require.Equal(t, "static", mode.name, "a dynamic mapping is refused: %v", newErr)
			assert.Contains(t, newErr.Error(), `mapping "hostile"`)
			cfg.Mapping = map[string]any{"safe": "press + 1"}
			p, newErr = New(cfg)
			require.NoError(t, newErr)
		}
		for i := 1; i <= 3; i++ {
			var safe []string
			var peak uint64
			took := vmtest.Took(func() {
				peak = vmtest.PeakHeapGrowth(func() {
					p.Process(testPrefix+"._raw.press", []byte(point(i, int64(i))), func(o Output) {
						if o.Topic == safeTopic {
							safe = append(safe, string(o.Payload))
						}
					})
				})
			})
			t.Logf("%s message %d: %v, heap +%d MiB", mode.name, i, took, peak>>20)
			assert.LessOrEqual(t, took, bound, "%s message %d took too long", mode.name, i)
			assert.Less(t, peak, heapBound, "%s message %d grew the heap too much", mode.name, i)
			assert.Equal(t, []string{point(i+1, int64(i))}, safe, "%s message %d: the safe mapping", mode.name, i)
		}
	}
}

// dynamicHostile makes expr depend on the press alias: a statement body reads it first,
// an expression takes it into an array it discards.
func dynamicHostile(expr string) string {
	for _, kw := range []string{"let ", "var ", "const "} {
		if strings.HasPrefix(expr, kw) {
			return "press;\n" + expr
		}
	}
	return "[press, (" + expr + ")][1]"
}
