package compiler

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja/ast"
	exprvm "github.com/expr-lang/expr/vm"

	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/value"
	"github.com/unsproc/unsproc/vm"
)

// maxSignatureDeps is the most dependencies a kind signature can describe (3 bits each).
const maxSignatureDeps = 21

// maxSignatures bounds the kind signatures compiled per program; further ones use goja.
const maxSignatures = 8

// runner evaluates every fast-path program.
var runner = newExprRunner()

// Program is a compiled expression. It is immutable after Compile, apart from its cache
// of per-signature expr programs, and safe for concurrent use.
type Program struct {
	src     string
	deps    []string
	members []member // property paths read from object and array inputs
	kind    Kind
	impure  bool // reads the clock or a random source
	engine  Engine
	fast    bool
	reason  string
	expr    ast.Expression
	script  *vm.Script
	sandbox *vm.Sandbox
	static  *staticResult

	mu   sync.Mutex                  // serialises additions to sigs
	sigs atomic.Pointer[[]signature] // copy-on-write
	// numbers is the signature for inputs that are all unboxed numbers, once compiled
	// for the numeric machine (and the program reads no member paths): the usual case,
	// found without computing the signature key.
	numbers atomic.Pointer[signature]
}

// member is a constant property path read from an alias (obj.a.b, arr.length): when the
// alias holds an object or array, the fast path resolves it before the evaluation and
// takes its value as one more input, after the dependencies.
type member struct {
	root int      // index of the alias in deps
	keys []string // the property names
	key  string   // "obj.a.b"
}

// withMembers appends to in the values of the property paths read from object and array
// inputs. ok is false when a path does not resolve to a value of the fast path (a
// missing key is undefined): goja then evaluates.
func (p *Program) withMembers(in []value.Value, buf []value.Value) ([]value.Value, bool) {
	buf = append(buf, in...)
	for _, m := range p.members {
		v := in[m.root].Any
		switch v.(type) {
		case map[string]any, []any:
		default:
			buf = append(buf, value.Value{}) // a scalar root: the path is not used as an input
			continue
		}
		for _, k := range m.keys {
			var ok bool
			if v, ok = property(v, k); !ok {
				return nil, false
			}
		}
		buf = append(buf, value.FromAny(v))
	}
	return buf, true
}

// property reads one property as JavaScript would from a value as encoding/json decodes
// it; ok is false for an absent property or one the fast path does not model. A
// __proto__ key is one: goja gives its inputs properties with Set, so that key hits
// the prototype setter and reads back the prototype, not the value.
func property(v any, key string) (any, bool) {
	if key == "__proto__" {
		return nil, false
	}
	switch x := v.(type) {
	case map[string]any:
		p, ok := x[key]
		return p, ok
	case []any:
		if key == "length" {
			return float64(len(x)), true
		}
	case string:
		if key == "length" {
			return float64(compat.StringLength(x)), true
		}
	}
	return nil, false
}

// signature is the fast path for one combination of input kinds: an expr program, and
// the numeric machine's form of it when it computes with numbers and booleans only.
// prog is nil when the combination has no exact fast-path lowering.
type signature struct {
	key     uint64
	prog    *exprvm.Program
	numeric *vm.Numeric
	concat  *vm.Concat
	result  value.Kind
}

// staticResult is the value of a Static program, computed once by Compile.
type staticResult struct {
	value    value.Value
	fallback bool
	err      error
}

// Source returns the expression as compiled (without a tolerated trailing semicolon).
func (p *Program) Source() string { return p.src }

// Deps returns the aliases the expression references, first occurrence first.
func (p *Program) Deps() []string { return p.deps }

// Kind classifies the expression.
func (p *Program) Kind() Kind { return p.kind }

// Impure reports whether the source reads the clock or a random source (Date,
// Math.random), whatever its dependencies: a Dynamic program may be impure too.
func (p *Program) Impure() bool { return p.impure }

// Fast reports whether the expression is in the fast-path subset: it then runs as expr
// bytecode whenever its inputs have kinds the subset covers (numbers, strings, booleans
// and null in the combinations the expression allows); other evaluations use goja.
func (p *Program) Fast() bool { return p.fast }

// FallbackReason says why the expression runs on goja; it is empty when Fast is true.
func (p *Program) FallbackReason() string { return p.reason }

// Eval evaluates the expression with vars as encoding/json decodes them. The result
// follows goja's Export: int64 for integral numbers within ±2^53 except -0, float64
// otherwise, string, bool, nil for null and undefined, map[string]any and []any, a
// time.Time for a Date. A JavaScript exception or a timeout is an error.
func (p *Program) Eval(vars map[string]any) (any, error) {
	var buf [8]value.Value
	in := buf[:0]
	for _, name := range p.deps {
		v, ok := vars[name]
		if !ok {
			return nil, fmt.Errorf("variable %s %w", name, errMissingVar)
		}
		in = append(in, value.FromAny(normaliseInput(v)))
	}
	v, _, err := p.EvalValues(in)
	if v.IsNum {
		return compat.Export(v.Num), err
	}
	return v.Any, err
}

// normaliseInput converts Go integers to float64, the type encoding/json gives numbers.
func normaliseInput(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case float32:
		return float64(x)
	}
	return v
}

// EvalSlots evaluates with vals[i] the value of Deps()[i], typed as encoding/json
// decodes it. Numbers in the result may be float64 even when integral (their JSON text
// is the same); fallback reports that goja ran.
func (p *Program) EvalSlots(vals []any) (v any, fallback bool, err error) {
	var buf [8]value.Value
	in := buf[:0]
	for _, x := range vals {
		in = append(in, value.FromAny(x))
	}
	r, fallback, err := p.EvalValues(in)
	return r.Interface(), fallback, err
}

// EvalValues is the processor's entry: in[i] is the value of Deps()[i], numbers
// unboxed. A numeric or boolean expression over number and boolean inputs runs on the
// numeric machine and allocates nothing. fallback reports that goja ran.
func (p *Program) EvalValues(in []value.Value) (v value.Value, fallback bool, err error) {
	if p.static != nil {
		return p.static.value, p.static.fallback, p.static.err
	}
	if s := p.numbers.Load(); s != nil && allNumbers(in) {
		// The usual mapping, arithmetic on numbers, goes to the numeric machine (which
		// every numbers signature has) without run's dispatch on the signature's form.
		if s.result == value.Number {
			if f, ok := s.numeric.Run(in); ok && !compat.AmbiguousInt(f) {
				return value.Value{Num: f, IsNum: true}, false, nil
			}
		} else if v, ok := s.run(in); ok {
			return v, false, nil
		}
		return p.runGoja(in)
	}
	return p.evaluate(in)
}

// allNumbers reports whether every value of in is an unboxed number.
func allNumbers(in []value.Value) bool {
	for i := range in {
		if !in[i].IsNum {
			return false
		}
	}
	return true
}

func (p *Program) evaluate(in []value.Value) (value.Value, bool, error) {
	if p.fast { // then dependencies and property paths number at most maxSignatureDeps
		ext, ok := in, true
		if len(p.members) > 0 {
			var buf [maxSignatureDeps]value.Value
			ext, ok = p.withMembers(in, buf[:0])
		}
		if ok {
			if sig := p.signatureFor(ext); sig != nil && sig.prog != nil {
				if v, ok := sig.run(ext); ok {
					return v, false, nil
				}
				// A deopt signal (or any failure of the fast path) hands the evaluation
				// to goja, whose result is authoritative.
			}
		}
	}
	return p.runGoja(in)
}

// runGoja evaluates the expression in the goja sandbox.
func (p *Program) runGoja(in []value.Value) (value.Value, bool, error) {
	var buf [8]any
	args := buf[:0]
	for i := range in {
		args = append(args, in[i].Interface())
	}
	v, err := p.sandbox.Run(p.script, args)
	if err != nil {
		err = locate(err, p.src)
	}
	return value.Value{Any: v}, true, err
}

// scriptPosition matches a position in the compiled fallback script, as goja's errors
// give it: <eval>:line:column(pc).
var scriptPosition = regexp.MustCompile(`<eval>:(\d+):(\d+)\(\d+\)`)

// locate rewrites positions in the fallback script into positions in the expression src
// (the script's wrapper adds fallbackHeaderLines lines before it), written as
// Error.Position writes them.
func locate(err error, src string) error {
	msg := err.Error()
	if !strings.Contains(msg, "<eval>:") {
		return err
	}
	msg = scriptPosition.ReplaceAllStringFunc(msg, func(m string) string {
		parts := scriptPosition.FindStringSubmatch(m)
		line, _ := strconv.Atoi(parts[1])
		col, _ := strconv.Atoi(parts[2])
		if line -= fallbackHeaderLines; line < 1 || line > lineCount(src) {
			return "the expression"
		}
		line, col = position(src, lineColumnOffset(src, line, col))
		return "expression " + strconv.Itoa(line) + ":" + strconv.Itoa(col)
	})
	return &locatedError{msg: msg, err: err}
}

// locatedError is an evaluation error whose message points into the expression.
type locatedError struct {
	msg string
	err error
}

func (e *locatedError) Error() string { return e.msg }
func (e *locatedError) Unwrap() error { return e.err }

// run evaluates the fast path; ok is false when goja must take over.
func (s *signature) run(in []value.Value) (value.Value, bool) {
	if s.numeric != nil {
		f, ok := s.numeric.Run(in)
		if !ok {
			return value.Value{}, false
		}
		switch s.result {
		case value.Bool:
			return value.Value{Any: f != 0}, true
		case value.String:
			return value.Value{Any: s.numeric.Constant(f)}, true
		}
		return value.Value{Num: f, IsNum: true}, !compat.AmbiguousInt(f)
	}
	if s.concat != nil {
		str, ok := s.concat.Run(in)
		return value.Value{Any: str}, ok
	}
	v, err := runner.run(s.prog, in)
	if err != nil {
		return value.Value{}, false
	}
	if f, ok := v.(float64); ok {
		return value.Value{Num: f, IsNum: true}, !compat.AmbiguousInt(f)
	}
	return value.Value{Any: v}, true
}

// signatureFor returns the fast path for the kinds of in, or nil for goja.
func (p *Program) signatureFor(in []value.Value) *signature {
	var key uint64
	for i := range in {
		k := kindOf(in[i])
		if k == value.Other && len(p.members) == 0 {
			return nil // an object or array is usable only through its property paths
		}
		key |= uint64(k) << (3 * i)
	}
	if sigs := p.sigs.Load(); sigs != nil {
		for i := range *sigs {
			if s := &(*sigs)[i]; s.key == key {
				return s
			}
		}
	}
	kinds := make([]value.Kind, len(in))
	for i := range in {
		kinds[i] = kindOf(in[i])
	}
	sig, _ := p.signatureProgram(kinds)
	return sig
}

// signatureProgram translates and compiles the expression for one kind combination and
// caches the outcome (a program, or nil when the combination must use goja).
func (p *Program) signatureProgram(kinds []value.Kind) (*signature, error) {
	var key uint64
	for i, k := range kinds {
		key |= uint64(k) << (3 * i)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var old []signature
	if sigs := p.sigs.Load(); sigs != nil {
		old = *sigs
		for i := range old {
			if old[i].key == key {
				return &old[i], nil
			}
		}
	}
	if len(old) >= maxSignatures {
		return nil, errors.New("too many input type combinations")
	}
	sig := signature{key: key}
	l, err := p.translate(kinds)
	if err == nil {
		sig.result = l.kind
		sig.prog, err = compileExpr(l.node, kinds)
	}
	if err == nil && numericInputs(kinds) && (sig.result == value.Number || sig.result == value.Bool || l.constantStrings) {
		sig.numeric = numericPlan(l.node)
	}
	if err == nil && sig.result == value.String && sig.numeric == nil {
		sig.concat = concatPlan(l.node)
	}
	next := append(append(make([]signature, 0, len(old)+1), old...), sig)
	p.sigs.Store(&next)
	added := &next[len(next)-1]
	if added.numeric != nil && len(p.members) == 0 && allKinds(kinds, value.Number) {
		p.numbers.Store(added)
	}
	return added, err
}

// allKinds reports whether every kind of kinds is k.
func allKinds(kinds []value.Kind, k value.Kind) bool {
	for _, x := range kinds {
		if x != k {
			return false
		}
	}
	return true
}

// numericInputs reports whether the numeric machine can take inputs of these kinds
// (null inputs are constants in the translated program, and objects are only read
// through their property paths); any string in such a program is then a constant.
func numericInputs(kinds []value.Kind) bool {
	for _, k := range kinds {
		if k != value.Number && k != value.Bool && k != value.Null && k != value.Other {
			return false
		}
	}
	return true
}

// translate lowers the expression for one combination of input kinds.
func (p *Program) translate(kinds []value.Kind) (lowered, error) {
	t := &translator{slots: make(map[string]int, len(p.deps)), members: make(map[string]int, len(p.members)), kinds: kinds}
	for i, d := range p.deps {
		t.slots[d] = i
	}
	for i, m := range p.members {
		t.members[m.key] = len(p.deps) + i
	}
	return t.expr(p.expr)
}
