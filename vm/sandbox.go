package vm

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"sort"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// DefaultTimeout bounds one fallback evaluation (spec §14.10).
const DefaultTimeout = 100 * time.Millisecond

// MaxCallStackSize bounds the call depth of one fallback evaluation.
const MaxCallStackSize = 1000

// ErrTimeout is wrapped by the error of an evaluation that the sandbox interrupted.
var ErrTimeout = errors.New("evaluation timed out")

// Sandbox is a pool of locked-down goja runtimes. Every runtime has the code-generating
// and reflective built-ins removed (eval, Function and the constructor property of every
// function prototype, Proxy, Reflect, globalThis), and its global object and every
// built-in reachable from it frozen, so nothing an evaluation writes can survive into
// the next one: each evaluation starts from the same clean globals. Variables are passed
// as function parameters, never as globals. Call depth is limited and a runaway
// evaluation is interrupted by a per-runtime timer, so no goroutine is started per
// evaluation. A Sandbox is safe for concurrent use.
type Sandbox struct {
	timeout time.Duration
	clock   func() time.Time

	// idle holds runtimes between evaluations. It is a plain free list, not a
	// sync.Pool: a pool is emptied by every garbage collection, and a new runtime
	// costs its lockdown (about a millisecond), which would then be paid per
	// evaluation in a busy process.
	mu   sync.Mutex
	idle []*runtime
}

// maxIdleRuntimes bounds the runtimes a sandbox keeps between evaluations.
var maxIdleRuntimes = 4 * goruntime.GOMAXPROCS(0)

// NewSandbox returns a sandbox whose evaluations are interrupted after timeout (0 means
// DefaultTimeout) and whose Date reads clock (nil means time.Now).
func NewSandbox(timeout time.Duration, clock func() time.Time) *Sandbox {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Sandbox{timeout: timeout, clock: clock}
}

// Script is a mapping expression compiled for the sandbox: a JS function taking the
// expression's dependencies as parameters and returning the expression's value.
type Script struct {
	prog *goja.Program
}

// NewScript wraps a goja program whose completion value is such a function.
func NewScript(prog *goja.Program) *Script { return &Script{prog: prog} }

// runtime is one pooled goja runtime with its interrupt timer and the functions it has
// instantiated per script.
type runtime struct {
	rt    *goja.Runtime
	timer *time.Timer
	funcs map[*Script]goja.Callable
}

// lockdown runs once in every new runtime, before the runtime is used.
const lockdown = `(function (g) {
	var protos = [Object.getPrototypeOf(function () {})];
	try { protos.push(Object.getPrototypeOf(async function () {})); } catch (e) {}
	try { protos.push(Object.getPrototypeOf(function* () {})); } catch (e) {}
	for (var i = 0; i < protos.length; i++) { delete protos[i].constructor; }
	var blocked = ["eval", "Function", "Proxy", "Reflect", "globalThis", "WeakRef", "FinalizationRegistry"];
	for (var j = 0; j < blocked.length; j++) { delete g[blocked[j]]; }
	var seen = new Set();
	function freeze(o) {
		if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) { return; }
		seen.add(o);
		var keys = Object.getOwnPropertyNames(o).concat(Object.getOwnPropertySymbols(o));
		for (var k = 0; k < keys.length; k++) {
			var d = Object.getOwnPropertyDescriptor(o, keys[k]);
			if (d) { freeze(d.value); freeze(d.get); freeze(d.set); }
		}
		freeze(Object.getPrototypeOf(o));
		Object.freeze(o);
	}
	freeze(g);
})(this)`

func (s *Sandbox) newRuntime() (*runtime, error) {
	rt := goja.New()
	rt.SetMaxCallStackSize(MaxCallStackSize)
	if s.clock != nil {
		rt.SetTimeSource(s.clock)
	}
	if _, err := rt.RunString(lockdown); err != nil {
		return nil, fmt.Errorf("sandbox lockdown failed: %w", err)
	}
	r := &runtime{rt: rt, funcs: make(map[*Script]goja.Callable)}
	r.timer = time.AfterFunc(time.Hour, func() { rt.Interrupt(ErrTimeout) })
	r.timer.Stop()
	return r, nil
}

func (s *Sandbox) get() (*runtime, error) {
	s.mu.Lock()
	if n := len(s.idle); n > 0 {
		r := s.idle[n-1]
		s.idle[n-1] = nil
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		return r, nil
	}
	s.mu.Unlock()
	return s.newRuntime()
}

// put keeps r for a later evaluation, unless enough runtimes are idle.
func (s *Sandbox) put(r *runtime) {
	s.mu.Lock()
	if len(s.idle) < maxIdleRuntimes {
		s.idle = append(s.idle, r)
	}
	s.mu.Unlock()
}

// Run calls script with args (values as encoding/json decodes them) and returns the
// result as goja's Export gives it. A JS exception, a stack overflow or a timeout is
// an error. The timeout runs on the wall clock, so an evaluation that is interrupted is
// tried once more before it counts as timed out: a process paused by the scheduler or
// a CPU quota must not fail a cheap expression, while a runaway one fails twice.
func (s *Sandbox) Run(script *Script, args []any) (any, error) {
	v, err := s.run(script, args)
	if errors.Is(err, ErrTimeout) {
		v, err = s.run(script, args)
	}
	return v, err
}

func (s *Sandbox) run(script *Script, args []any) (result any, err error) {
	r, err := s.get()
	if err != nil {
		return nil, err
	}
	reuse := true
	defer func() {
		if p := recover(); p != nil {
			// goja reports some internal failures by panicking; the runtime may be
			// left inconsistent, so it is not reused.
			reuse = false
			result, err = nil, fmt.Errorf("evaluation failed: %v", p)
		}
		if reuse {
			s.put(r)
		}
	}()
	fn, err := r.function(script)
	if err != nil {
		return nil, err
	}
	var argv [8]goja.Value
	vals := argv[:0]
	for _, a := range args {
		vals = append(vals, toJS(r.rt, a))
	}
	r.timer.Reset(s.timeout)
	v, err := fn(goja.Undefined(), vals...)
	if !r.timer.Stop() {
		// The timer fired (or is firing): its Interrupt may land after this point and
		// must not hit a later evaluation, so this runtime is dropped.
		reuse = false
	}
	if err != nil {
		var interrupted *goja.InterruptedError
		if errors.As(err, &interrupted) {
			return nil, fmt.Errorf("%w after %v (infinite loop or expensive expression?)", ErrTimeout, s.timeout)
		}
		var overflow *goja.StackOverflowError
		if errors.As(err, &overflow) {
			return nil, fmt.Errorf("RangeError: maximum call stack size (%d) exceeded", MaxCallStackSize)
		}
		return nil, err
	}
	return v.Export(), nil
}

func (r *runtime) function(script *Script) (goja.Callable, error) {
	if fn, ok := r.funcs[script]; ok {
		return fn, nil
	}
	v, err := r.rt.RunProgram(script.prog)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return nil, errors.New("compiled script is not a function")
	}
	r.funcs[script] = fn
	return fn, nil
}

// toJS converts a value as encoding/json decodes it into a fresh JS value. Objects and
// arrays are copied into native JS objects (keys in sorted order), so an expression can
// neither modify the caller's data nor observe Go map iteration order.
func toJS(rt *goja.Runtime, v any) goja.Value {
	switch x := v.(type) {
	case map[string]any:
		o := rt.NewObject()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			_ = o.Set(k, toJS(rt, x[k]))
		}
		return o
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = toJS(rt, e)
		}
		return rt.NewArray(items...)
	case nil:
		return goja.Null()
	default:
		return rt.ToValue(v)
	}
}
