package compiler

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dop251/goja/ast"

	"github.com/unsproc/unsproc/vm"
)

// Kind classifies an expression (spec §14.5).
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

// Compile parses one JavaScript expression and prepares it for evaluation. aliases are
// the variable names the expression may reference. It rejects, with an *Error naming the
// place and a hint: syntax errors, statements, several statements, expressions above
// MaxSourceLen or MaxNodes, references to names that are neither aliases nor available
// globals (outside typeof), blocked names such as eval or require, `this` outside a
// function, and expressions that evaluate to a function.
func Compile(src string, aliases []string, opts ...Option) (*Program, error) {
	o := options{timeout: vm.DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	p, perr := parse(src)
	if perr != nil {
		return nil, perr
	}
	a := analyse(p.expr, p.offset)
	if a.tooLarge {
		return nil, newError(p.text, -1, "split the computation over several mappings", "expression has more than %d syntax nodes", MaxNodes)
	}
	if a.bigIntAt >= 0 {
		return nil, newError(p.text, a.bigIntAt, "use numbers; timeseries values are JSON numbers", "BigInt is not available in mappings (its arithmetic is unbounded)")
	}
	if a.topThis {
		return nil, newError(p.text, a.thisAt, "use the aliases directly", "`this` is not available in mappings")
	}
	deps, err := resolve(p.text, a.refs, aliases)
	if err != nil {
		return nil, err
	}
	switch p.expr.(type) {
	case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral, *ast.ClassLiteral:
		return nil, newError(p.text, 0, "call the function to get a value, e.g. (x => x * 2)(press)", "the expression evaluates to a function, which cannot be emitted")
	}
	script, cerr := compileFallback(p, deps)
	if cerr != nil {
		return nil, cerr
	}
	prog := &Program{
		src:     p.text,
		deps:    deps,
		members: memberSlots(a.members, deps),
		engine:  o.engine,
		expr:    p.expr,
		script:  vm.NewScript(script),
		sandbox: sandboxFor(o.timeout, o.clock),
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

// resolve checks every free reference and returns the aliases referenced, in order of
// first occurrence.
func resolve(src string, refs []reference, aliases []string) ([]string, error) {
	isAlias := make(map[string]bool, len(aliases))
	for _, a := range aliases {
		isAlias[a] = true
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
	if len(p.deps)+len(p.members) > maxSignatureDeps {
		p.reason = fmt.Sprintf("more than %d dependencies and property paths", maxSignatureDeps)
		return
	}
	numbers := make([]kind, len(p.deps)+len(p.members))
	for i := range numbers {
		numbers[i] = kindNumber
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
func (p *Program) memberProbes() [][]kind {
	if len(p.members) == 0 {
		return nil
	}
	var out [][]kind
	for _, k := range []kind{kindNumber, kindString, kindBool} {
		kinds := make([]kind, len(p.deps)+len(p.members))
		for i := range p.deps {
			kinds[i] = kindNumber
		}
		for i, m := range p.members {
			kinds[m.root] = kindOther
			kinds[len(p.deps)+i] = k
		}
		out = append(out, kinds)
	}
	return out
}

// probeKinds lists the kind combinations tried by decideFast besides all-number.
func probeKinds(n int) [][]kind {
	scalars := []kind{kindNumber, kindString, kindBool}
	var out [][]kind
	if n > maxProbeDeps {
		for _, k := range scalars[1:] {
			ks := make([]kind, n)
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
		ks := make([]kind, n)
		for i, x := 0, c; i < n; i, x = i+1, x/len(scalars) {
			ks[i] = scalars[x%len(scalars)]
		}
		out = append(out, ks)
	}
	return out
}

// errMissingVar is returned by Eval when vars lacks a dependency.
var errMissingVar = errors.New("has no value")
