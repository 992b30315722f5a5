package compiler

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dop251/goja/ast"

	"github.com/unsproc/unsproc/value"
	"github.com/unsproc/unsproc/vm"
)

// Kind classifies an expression (docs/behaviour.md#statics).
type Kind int

const (
	// Static expressions reference no alias and are pure: their value never changes.
	Static Kind = iota
	// ImpureStatic expressions reference no alias but read the clock or a random
	// source (Date, Math.random): they are evaluated afresh for every message.
	ImpureStatic
	// Dynamic expressions reference at least one alias.
	Dynamic
)

// String names the kind as the docs and `explain` do.
func (k Kind) String() string {
	switch k {
	case Static:
		return "static"
	case ImpureStatic:
		return "impure static"
	}
	return "dynamic"
}

// maxProbeDeps bounds the dependencies for which every combination of scalar kinds is
// tried when deciding Fast; above it only uniform combinations are tried.
const maxProbeDeps = 4

// Compile parses one JavaScript source and prepares it for evaluation: one expression
// (one followed by a semicolon is accepted), or a statement body, statements with a
// `return` of their own evaluated as the body of a function called without arguments.
// aliases are the variable names the source may reference. Compile returns an *Error,
// with the place when it is known and often a hint, for exactly these:
//   - a source that is empty or white space only, one made only of comments, or one
//     longer than MaxSourceLen bytes;
//   - a syntax error;
//   - statements without a `return` of their own (if, var, while, … or several
//     expression statements);
//   - more than MaxNodes syntax-tree nodes;
//   - a BigInt literal anywhere, function bodies included;
//   - `this` or new.target outside an ordinary function (arrow functions do not
//     count);
//   - a reference to a name that is neither an alias, a name given WithNames, nor an
//     available global, except as the direct operand of typeof (`typeof undeclared` is
//     allowed);
//   - a reference to a blocked name such as eval, Function, require or process, typeof
//     included;
//   - an expression that is, parentheses aside, a function, arrow function or class
//     literal (`x => x * 2`, `(function () {})`, `class {}`);
//   - a construct goja's compiler refuses (a private name such as #x outside a class, a
//     strict-mode violation inside a 'use strict' function).
//
// Nothing is rejected for what it evaluates to: an expression whose value is a function
// only when evaluated (`Math.max`, `(() => {}).constructor`, `c ? x => 1 : 2`) compiles,
// and Eval returns the function; a static expression that throws (`null.x`) compiles,
// and Eval returns the error. Callers that cannot emit such values check the result.
func Compile(src string, aliases []string, opts ...Option) (*Program, error) {
	o := options{timeout: vm.DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	p, perr := parse(src)
	if perr != nil {
		return nil, perr
	}
	var a *analysis
	if p.body != nil {
		a = analyseBody(p.body, p.offset)
	} else {
		a = analyse(p.expr, p.offset)
	}
	if a.tooLarge {
		return nil, newError(p.text, -1, "split the computation over several mappings", "expression has more than %d syntax nodes", MaxNodes)
	}
	if a.bigIntAt >= 0 {
		return nil, newError(p.text, a.bigIntAt, "use numbers; timeseries values are JSON numbers", "BigInt is not available in mappings (its arithmetic is unbounded)")
	}
	if a.topThis {
		return nil, newError(p.text, a.thisAt, "use the aliases directly", "`this` is not available in mappings")
	}
	if a.topNewTarget {
		return nil, newError(p.text, a.newTargetAt, "", "new.target is only available inside a function")
	}
	deps, err := resolve(p.text, a.refs, aliases, o.names)
	if err != nil {
		return nil, err
	}
	switch p.expr.(type) {
	case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral, *ast.ClassLiteral:
		return nil, newError(p.text, 0, "call the function to get a value, e.g. (x => x * 2)(press)", "the expression evaluates to a function, which cannot be emitted")
	}
	compileScript := compileFallback
	if p.body != nil {
		compileScript = compileBodyFallback
	}
	script, cerr := compileScript(p, deps)
	if cerr != nil {
		return nil, cerr
	}
	prog := &Program{
		src:     p.text,
		deps:    deps,
		members: memberSlots(a.members, deps),
		engine:  o.engine,
		expr:    p.expr,
		script:  script,
		sandbox: sandboxFor(o.timeout, o.clock),
	}
	prog.impure = a.impure
	if p.body != nil {
		prog.members = nil
		prog.setLowered(p)
	}
	switch {
	case len(deps) > 0:
		prog.kind = Dynamic
	case a.impure:
		prog.kind = ImpureStatic
	default:
		prog.kind = Static
	}
	prog.decideFast()
	if prog.kind == Static {
		v, fallback, err := prog.evaluate(nil)
		prog.static = &staticResult{value: v, fallback: fallback, err: err}
	}
	return prog, nil
}

// memberSlots keeps the chains read from aliases, once each, as extra fast-path inputs.
func memberSlots(chains []memberChain, deps []string) []member {
	var out []member
	seen := map[string]bool{}
	for _, c := range chains {
		root := slices.Index(deps, c.root)
		if root < 0 || seen[c.key()] {
			continue
		}
		seen[c.key()] = true
		out = append(out, member{root: root, keys: c.keys, key: c.key()})
	}
	return out
}

// resolve checks every free reference and returns the aliases and other names
// referenced, in order of first occurrence.
func resolve(src string, refs []reference, aliases, names []string) ([]string, error) {
	isAlias := make(map[string]bool, len(aliases)+len(names))
	for _, a := range aliases {
		isAlias[a] = true
	}
	for _, n := range names {
		isAlias[n] = true
	}
	var deps []string
	seen := map[string]bool{}
	for _, r := range refs {
		switch {
		case isAlias[r.name]:
			if !seen[r.name] {
				seen[r.name] = true
				deps = append(deps, r.name)
			}
		case availableGlobals[r.name]:
		case blockedGlobals[r.name]:
			return nil, newError(src, r.offset, "", "%s is blocked in mappings (no code generation, reflection or host access)", r.name)
		case r.inTypeof:
		default:
			return nil, newError(src, r.offset, unknownNameHint(src, r.offset, r.name, aliases),
				unknownNamePrefix+"%s: it is neither a source alias nor a JavaScript global", r.name)
		}
	}
	return deps, nil
}

// sandboxes holds one shared sandbox per timeout for programs with the default clock.
var sandboxes sync.Map // time.Duration → *vm.Sandbox

func sandboxFor(timeout time.Duration, clock func() time.Time) *vm.Sandbox {
	if clock != nil {
		return vm.NewSandbox(timeout, clock)
	}
	if s, ok := sandboxes.Load(timeout); ok {
		return s.(*vm.Sandbox)
	}
	s, _ := sandboxes.LoadOrStore(timeout, vm.NewSandbox(timeout, nil))
	return s.(*vm.Sandbox)
}

// decideFast records whether the expression is in the fast-path subset for some
// combination of scalar input kinds, and compiles the all-number combination, the
// usual one, ahead of the first evaluation.
func (p *Program) decideFast() {
	if p.engine == EngineGoja {
		p.reason = "engine goja selected"
		return
	}
	if p.expr == nil {
		p.reason = "statement body outside the fast-path subset (declarations assigned once from initializers that cannot throw, if/else, a return with a value on every path)"
		return
	}
	if len(p.deps)+len(p.members) > maxSignatureDeps {
		p.reason = fmt.Sprintf("more than %d dependencies and property paths", maxSignatureDeps)
		return
	}
	numbers := make([]value.Kind, len(p.deps)+len(p.members))
	for i := range numbers {
		numbers[i] = value.Number
	}
	_, err := p.signatureProgram(numbers)
	if err == nil {
		p.fast = true
		return
	}
	p.reason = err.Error()
	for _, kinds := range append(probeKinds(len(p.deps)), p.memberProbes()...) {
		if _, terr := p.translate(kinds); terr == nil {
			p.fast, p.reason = true, ""
			return
		}
	}
}

// memberProbes are the kind combinations in which the aliases read through property
// paths are objects, and the paths' values numbers, strings or booleans.
func (p *Program) memberProbes() [][]value.Kind {
	if len(p.members) == 0 {
		return nil
	}
	var out [][]value.Kind
	for _, k := range []value.Kind{value.Number, value.String, value.Bool} {
		kinds := make([]value.Kind, len(p.deps)+len(p.members))
		for i := range p.deps {
			kinds[i] = value.Number
		}
		for i, m := range p.members {
			kinds[m.root] = value.Other
			kinds[len(p.deps)+i] = k
		}
		out = append(out, kinds)
	}
	return out
}

// probeKinds lists the kind combinations tried by decideFast besides all-number.
func probeKinds(n int) [][]value.Kind {
	scalars := []value.Kind{value.Number, value.String, value.Bool}
	var out [][]value.Kind
	if n > maxProbeDeps {
		for _, k := range scalars[1:] {
			ks := make([]value.Kind, n)
			for i := range ks {
				ks[i] = k
			}
			out = append(out, ks)
		}
		return out
	}
	total := 1
	for i := 0; i < n; i++ {
		total *= len(scalars)
	}
	for c := 1; c < total; c++ { // c == 0 is all-number, already tried
		ks := make([]value.Kind, n)
		for i, x := 0, c; i < n; i, x = i+1, x/len(scalars) {
			ks[i] = scalars[x%len(scalars)]
		}
		out = append(out, ks)
	}
	return out
}

// errMissingVar is returned by Eval when vars lacks a dependency.
var errMissingVar = errors.New("has no value")
