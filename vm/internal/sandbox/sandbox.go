package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	goruntime "runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/dop251/goja"
)

// DefaultTimeout bounds one fallback evaluation (docs/behaviour.md#sandbox).
const DefaultTimeout = 100 * time.Millisecond

// MaxCallStackSize bounds the call depth of one fallback evaluation.
const MaxCallStackSize = 1000

// ErrTimeout is wrapped by the error of an evaluation that the sandbox interrupted
// because it outlived the timeout.
var ErrTimeout = errors.New("evaluation timed out")

// ErrMemoryLimit is wrapped by the error of an evaluation that the sandbox interrupted
// because it grew the heap by more than MaxMemory.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// Sandbox is a pool of locked-down goja runtimes; it fails closed. Every runtime
//
//   - offers only ECMAScript built-ins without code generation, reflection, host access
//     or shared state: eval, Function (also as the constructor of any function), Proxy,
//     Reflect, globalThis, the global symbol registry and BigInt are gone;
//   - has every built-in reachable by an expression frozen (the global object, the
//     prototypes, and intrinsics such as the iterator prototypes), so nothing an
//     evaluation writes survives into the next: each evaluation starts from the same
//     clean globals; variables are passed as function parameters, never as globals;
//   - bounds the built-ins that work natively, where no interrupt reaches (see
//     sandbox_limits.go), and the string operators of scripts compiled by CompileAST
//     (see sandbox_strings.go), runs every regular-expression match on the backtracking
//     engine with a per-match limit (see sandbox_regexp.go), and limits the call depth;
//   - watches every evaluation with one timer (no goroutine per evaluation): it is
//     interrupted when it outlives the timeout or grows the heap by more than MaxMemory;
//   - exports results with bounded depth and size (ErrResultTooLarge).
//
// A Sandbox is safe for concurrent use.
type Sandbox struct {
	timeout time.Duration
	clock   func() time.Time

	// idle holds runtimes between evaluations. It is a plain free list, not a
	// sync.Pool: a pool is emptied by every garbage collection, and a new runtime
	// costs its lockdown (7 to 11 ms measured, more on a loaded machine), which would
	// then be paid per evaluation in a busy process.
	mu    sync.Mutex
	idle  []*runtime
	freed uint64 // freedScripts when the idle runtimes' caches were last looked at
	// spare is a runtime built ahead, in the background, for when no idle one is left:
	// an interrupted runtime is dropped, and building its replacement must not sit on
	// the path of the evaluation that follows, such as the retry of one that timed out.
	spare    *runtime
	building bool // a goroutine is building the spare
}

// maxIdleRuntimes bounds the runtimes a sandbox keeps between evaluations.
var maxIdleRuntimes = 4 * goruntime.GOMAXPROCS(0)

// NewSandbox returns a sandbox whose evaluations are interrupted after timeout (0 means
// DefaultTimeout; above MaxTimeout, MaxTimeout) and whose Date reads clock (nil means
// time.Now).
func NewSandbox(timeout time.Duration, clock func() time.Time) *Sandbox {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Sandbox{timeout: min(timeout, MaxTimeout), clock: clock}
}

// Script is a mapping expression compiled for the sandbox: a JS function taking the
// expression's dependencies as parameters and returning the expression's value.
type Script struct {
	prog *goja.Program
	// key is the script's weak pointer to itself: the runtimes key the functions they
	// instantiated from the script by it, so that their caches do not keep a dropped
	// script alive.
	key weak.Pointer[Script]
}

// NewScript wraps a goja program whose completion value is such a function. The program
// should come from CompileAST: goja's own compilation leaves +, += and template literals
// unbounded.
func NewScript(prog *goja.Program) *Script {
	s := &Script{prog: prog}
	s.key = weak.Make(s)
	goruntime.AddCleanup(s, func(struct{}) { freedScripts.Add(1) }, struct{}{})
	return s
}

// freedScripts counts the scripts the garbage collector has freed; a runtime sweeps its
// function cache when enough were freed since its last sweep.
var freedScripts atomic.Uint64

// minSweep is the size below which a runtime's function cache is not swept on insertion.
const minSweep = 64

// runtime is one pooled goja runtime with its watchdog, the lockdown's helpers and the
// functions it has instantiated per script. The cache holds each function under its
// script's weak pointer, and drops the entries of scripts the garbage collector has
// freed when it has doubled since its last sweep or when at least half of its entries
// may have been freed, so that a process that compiles and drops programs (configuration
// reloads, streams created and deleted) does not keep their functions. Both sweeps cost,
// amortised, a constant per script.
type runtime struct {
	rt      *goja.Runtime
	watch   *watchdog
	h       *helpers
	funcs   map[weak.Pointer[Script]]goja.Callable
	sweepAt int    // cache size that triggers a sweep on insertion
	freed   uint64 // freedScripts at the last sweep
}

func (s *Sandbox) newRuntime() (*runtime, error) {
	rt := goja.New()
	rt.SetMaxCallStackSize(MaxCallStackSize)
	if s.clock != nil {
		rt.SetTimeSource(s.clock)
	}
	watch := newWatchdog(rt, s.timeout)
	h, err := lockdown(rt, watch)
	if err != nil {
		return nil, fmt.Errorf("sandbox lockdown failed: %w", err)
	}
	return &runtime{rt: rt, watch: watch, h: h,
		funcs: make(map[weak.Pointer[Script]]goja.Callable), sweepAt: minSweep}, nil
}

func (s *Sandbox) get() (*runtime, error) {
	s.mu.Lock()
	if freed := freedScripts.Load(); freed != s.freed {
		s.freed = freed
		for _, r := range s.idle {
			r.sweepFreed(freed)
		}
	}
	if n := len(s.idle); n > 0 {
		r := s.idle[n-1]
		s.idle[n-1] = nil
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		return r, nil
	}
	r := s.spare
	s.spare = nil
	s.buildSpare()
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	return s.newRuntime()
}

// buildSpare starts building the spare runtime unless it exists or is being built;
// s.mu is held.
func (s *Sandbox) buildSpare() {
	if s.spare != nil || s.building {
		return
	}
	s.building = true
	go func() {
		r, err := s.newRuntime()
		s.mu.Lock()
		s.building = false
		if err == nil {
			s.spare = r
		}
		s.mu.Unlock()
	}()
}

// put keeps r for a later evaluation, unless enough runtimes are idle.
func (s *Sandbox) put(r *runtime) {
	s.mu.Lock()
	r.sweepFreed(s.freed)
	if len(s.idle) < maxIdleRuntimes {
		s.idle = append(s.idle, r)
	}
	s.mu.Unlock()
}

// Run calls script with args (values as encoding/json decodes them) and returns the
// result as goja's Export gives it. A JS exception, a stack overflow, a timeout, the
// memory limit or a result over the limits is an error. The timeout runs on the wall
// clock, so an evaluation that timed out is tried once more before it counts as timed
// out: a process paused by the scheduler or a CPU quota must not fail a cheap
// expression, while a runaway one fails twice. Both attempts share one time budget of
// twice the timeout, counted from the call: the second gets what the first left, so
// that what the first overran (a native call the interrupt waited for, a tick that came
// late, a runtime built on its path) does not add to the call's time. They also share
// one memory budget: the second counts its heap growth from the first one's baseline,
// so the garbage the first left behind counts against it.
func (s *Sandbox) Run(script *Script, args []any) (any, error) {
	start := time.Now()
	v, base, err := s.run(script, args, 0, 0)
	if errors.Is(err, ErrTimeout) {
		if left := 2*s.timeout - time.Since(start); left > 0 {
			v, _, err = s.run(script, args, base, left)
		}
	}
	return v, err
}

// run evaluates script on a pooled runtime whose watchdog counts heap growth from base
// (zero: from the heap when the evaluation starts) and ends it after limit (zero: the
// timeout), and returns the baseline it used.
func (s *Sandbox) run(script *Script, args []any, base uint64, limit time.Duration) (any, uint64, error) {
	r, err := s.get()
	if err != nil {
		return nil, 0, err
	}
	r.watch.inherit(base, limit)
	v, reusable, err := s.runOn(r, script, args)
	base = r.watch.baseline.Load()
	r.watch.inherit(0, 0)
	if reusable {
		s.put(r)
	}
	return v, base, err
}

// runOn evaluates script on r and reports whether r may be reused: not after the
// watchdog interrupted it, nor after a panic (goja reports some internal failures by
// panicking, and may be left inconsistent).
func (s *Sandbox) runOn(r *runtime, script *Script, args []any) (result any, reusable bool, err error) {
	armed := false
	defer func() {
		if p := recover(); p != nil {
			reusable = false
			result, err = nil, panicError(p)
			if armed {
				err = s.outcome(r.watch.finish(), err)
			}
		}
	}()
	fn, err := r.function(script)
	if err != nil {
		return nil, true, err
	}
	var argv [8]goja.Value
	vals := argv[:0]
	for _, a := range args {
		vals = append(vals, toJS(r.rt, a))
	}
	armed = true
	r.watch.start()
	v, err := fn(goja.Undefined(), vals...)
	if err == nil {
		// Export calls getters, so it runs under the watchdog too.
		ex := newExporter(r)
		result, err = ex.value(v, 0)
	}
	armed = false
	phase := r.watch.finish()
	if err != nil {
		result = nil
	}
	return result, phase == phaseArmed || phase == phaseWatching, s.outcome(phase, err)
}

// outcome is the error of an evaluation that ended in phase with err: a tripped watchdog
// fails it even when it returned a value (a regular-expression match cut short by its
// own timeout returns a wrong "no match"), and an interrupt is reported by its cause.
func (s *Sandbox) outcome(phase uint64, err error) error {
	if err == nil && phase != phaseTimedOut && phase != phaseOverMemory {
		return nil
	}
	var interrupted *goja.InterruptedError
	if errors.As(err, &interrupted) {
		if cause, ok := interrupted.Value().(error); ok && errors.Is(cause, ErrMemoryLimit) {
			phase = phaseOverMemory
		} else {
			phase = phaseTimedOut
		}
	}
	switch phase {
	case phaseTimedOut:
		return fmt.Errorf("%w after %v (infinite loop or expensive expression?)", ErrTimeout, s.timeout)
	case phaseOverMemory:
		return fmt.Errorf("%w: the evaluation grew the heap by more than %d MiB", ErrMemoryLimit, MaxMemory>>20)
	}
	var overflow *goja.StackOverflowError
	if errors.As(err, &overflow) {
		return fmt.Errorf("RangeError: maximum call stack size (%d) exceeded", MaxCallStackSize)
	}
	return locateInExpression(err)
}

// locateInExpression gives an exception thrown in the lockdown's wrappers or the string
// builders (a limit's RangeError, or the error of the built-in a wrapper called) the position of the
// expression's call instead of the wrapper's.
func locateInExpression(err error) error {
	var exc *goja.Exception
	if !errors.As(err, &exc) {
		return err
	}
	inWrapper := false
	for _, f := range exc.Stack() {
		switch {
		case f.SrcName() == lockdownName, isStringBuilderFrame(f):
			inWrapper = true
		case f.SrcName() == "<native>": // goja's name for a built-in's frame
		case inWrapper:
			var b bytes.Buffer
			f.Write(&b)
			return fmt.Errorf("%s at %s", exc.Value(), b.String())
		default:
			return err
		}
	}
	return err
}

// panicError turns what goja panicked with into an error.
func panicError(p any) error {
	switch p.(type) {
	case *goja.InterruptedError, *goja.Exception, *goja.StackOverflowError:
		return p.(error)
	}
	return fmt.Errorf("evaluation failed: %v", p)
}

// function returns script's function in this runtime, instantiating (and freezing) it
// on first use.
func (r *runtime) function(script *Script) (goja.Callable, error) {
	if fn, ok := r.funcs[script.key]; ok {
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
	if _, err := r.h.freeze(goja.Undefined(), v); err != nil {
		return nil, err
	}
	if len(r.funcs) >= r.sweepAt {
		r.sweep()
	}
	r.funcs[script.key] = fn
	return fn, nil
}

// sweepFreed sweeps the cache when at least half of its entries may belong to scripts
// freed since the last sweep, freed being freedScripts now.
func (r *runtime) sweepFreed(freed uint64) {
	if n := freed - r.freed; n > 0 && 2*n >= uint64(len(r.funcs)) {
		r.sweep()
	}
}

// sweep drops the functions of freed scripts from the cache.
func (r *runtime) sweep() {
	for k := range r.funcs {
		if k.Value() == nil {
			delete(r.funcs, k)
		}
	}
	r.sweepAt = max(2*len(r.funcs), minSweep)
	r.freed = freedScripts.Load()
}

// toJS converts a value as encoding/json decodes it into a fresh JS value. Objects and
// arrays are copied into native JS objects (keys in sorted order), so an expression can
// neither modify the caller's data nor observe Go map iteration order. Keys become own
// data properties, as JSON.parse makes them: assigning them would fail for the names of
// the frozen Object.prototype's properties (toString, valueOf, constructor, …) and call
// the prototype setter for __proto__.
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
			_ = o.DefineDataProperty(k, toJS(rt, x[k]), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
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
