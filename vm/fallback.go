package vm

import (
	"time"

	"github.com/dop251/goja/parser"

	"github.com/unsproc/unsproc/vm/internal/sandbox"
)

// DefaultTimeout bounds one fallback evaluation (docs/behaviour.md#sandbox).
const DefaultTimeout = sandbox.DefaultTimeout

// The sandbox's resource limits (docs/javascript.md lists them). Built-ins whose work or
// allocation in one call is proportional to a size the expression controls run natively,
// where neither the timeout nor the memory watchdog can stop them; a call over these
// limits throws a RangeError naming the built-in and the limit instead.
const (
	// MaxTimeout is the longest timeout a sandbox accepts; longer ones are shortened to it.
	MaxTimeout = sandbox.MaxTimeout
	// MaxMemory bounds the heap growth of one evaluation; the peak growth stays under
	// MaxMemory + 64 MiB.
	MaxMemory = sandbox.MaxMemory
	// MaxCallStackSize bounds the call depth of one evaluation.
	MaxCallStackSize = sandbox.MaxCallStackSize
	// MaxStringLength bounds, in UTF-16 code units, the string one call of a built-in
	// may produce.
	MaxStringLength = sandbox.MaxStringLength
	// MaxArrayLength bounds the elements one call of a built-in may create, copy or visit.
	MaxArrayLength = sandbox.MaxArrayLength
	// MaxBufferBytes bounds an ArrayBuffer.
	MaxBufferBytes = sandbox.MaxBufferBytes
	// MaxJSONText bounds, in characters, the text JSON.parse accepts.
	MaxJSONText = sandbox.MaxJSONText
	// MaxJSONItems bounds the values JSON.parse builds.
	MaxJSONItems = sandbox.MaxJSONItems
	// MaxPatternLength bounds, in characters, a regular expression compiled at run time.
	MaxPatternLength = sandbox.MaxPatternLength
	// MaxDepth bounds the nesting of what JSON.stringify serialises and of a result.
	MaxDepth = sandbox.MaxDepth
	// MaxResultSize bounds a result: its objects, arrays and elements count one each,
	// strings and keys their length.
	MaxResultSize = sandbox.MaxResultSize
)

// Sandbox runs Scripts on a pool of locked-down goja runtimes and fails closed: only
// ECMAScript built-ins without code generation, reflection, host access or shared
// state; every reachable built-in frozen, so nothing an evaluation writes survives into
// the next; the limits above; a timeout and a memory watchdog on every evaluation. It is
// safe for concurrent use.
type Sandbox struct {
	pool *sandbox.Sandbox
}

// NewSandbox returns a sandbox whose evaluations are interrupted after timeout (0 means
// DefaultTimeout; above MaxTimeout, MaxTimeout) and whose Date reads clock (nil means
// time.Now).
func NewSandbox(timeout time.Duration, clock func() time.Time) *Sandbox {
	return &Sandbox{pool: sandbox.NewSandbox(timeout, clock)}
}

// Run calls script with args (values as encoding/json decodes them) and returns the
// result as goja's Export gives it. A JavaScript exception, a stack overflow, a timeout,
// the memory limit or a result over the limits is an error. An evaluation that timed
// out is tried once more before it counts as timed out, within one memory budget.
func (s *Sandbox) Run(script *Script, args []any) (any, error) {
	return s.pool.Run(script.script, args)
}

// Script is a mapping compiled for a Sandbox: a JavaScript function taking the
// mapping's dependencies as parameters and returning its value.
type Script struct {
	script *sandbox.Script
}

// NewScript compiles src, JavaScript whose completion value is such a function, with
// source maps disabled (a source cannot make the engine read a file).
func NewScript(src string) (*Script, error) {
	ast, err := parser.ParseFile(nil, "", src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, err
	}
	prog, err := sandbox.CompileAST(ast)
	if err != nil {
		return nil, err
	}
	return &Script{script: sandbox.NewScript(prog)}, nil
}

// Globals lists the global names a Script may use: the ECMAScript built-ins the sandbox
// keeps.
func Globals() []string { return sandbox.Globals() }
