package compiler

import (
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/unsproc/unsproc/vm"
)

// A statement body is a mapping written as statements that end in a `return`, as UMH's
// documentation writes multi-statement mappings:
//
//	var produced = source1;
//	var planned = source2;
//	return (produced / planned) * 100;
//
// Its value is what `(function(){ SOURCE })()` returns with the aliases in scope. It is
// parsed inside such a function (bodyOpen and bodyClose; like the expression wrapper,
// they put the source on a line of its own, so positions convert the same way).
const (
	bodyOpen  = "(function(){\n"
	bodyClose = "\n})"
)

// parseBody reads src as a function body, after it failed to parse as one expression
// (wrappedErr). ok reports that the outcome is final: src is a body with a `return` of
// its own (p), or src reads as statements but has a syntax error that the expression
// reading hit earlier in the text (err, the body reading's error, which is then the
// better guide). Otherwise the caller goes on with its expression-only diagnosis.
func parseBody(src string, wrappedErr error) (p *parsed, err *Error, ok bool) {
	prog, perr := parser.ParseFile(nil, "", bodyOpen+src+bodyClose, 0, parser.WithDisableSourceMaps)
	if perr != nil {
		bodyErr, exprErr := syntaxError(src, perr), syntaxError(src, wrappedErr)
		if bodyErr.Offset > exprErr.Offset {
			return nil, bodyErr, true
		}
		return nil, nil, false
	}
	e, isExpr := singleExpression(prog)
	fn, isFunc := e.(*ast.FunctionLiteral)
	if !isExpr || !isFunc || fn.Body == nil || !ownReturn(fn.Body.List) {
		return nil, nil, false
	}
	return &parsed{text: src, body: fn.Body, base: 1 + len(bodyOpen)}, nil, true
}

// ownReturn reports whether the statements hold a return outside any nested function.
// Functions live in expressions, so walking statements alone never enters one.
func ownReturn(list []ast.Statement) bool {
	for _, s := range list {
		if statementReturns(s) {
			return true
		}
	}
	return false
}

func statementReturns(s ast.Statement) bool {
	switch n := s.(type) {
	case *ast.ReturnStatement:
		return true
	case *ast.BlockStatement:
		return ownReturn(n.List)
	case *ast.IfStatement:
		return statementReturns(n.Consequent) || (n.Alternate != nil && statementReturns(n.Alternate))
	case *ast.ForStatement:
		return statementReturns(n.Body)
	case *ast.ForInStatement:
		return statementReturns(n.Body)
	case *ast.ForOfStatement:
		return statementReturns(n.Body)
	case *ast.WhileStatement:
		return statementReturns(n.Body)
	case *ast.DoWhileStatement:
		return statementReturns(n.Body)
	case *ast.LabelledStatement:
		return statementReturns(n.Statement)
	case *ast.WithStatement:
		return statementReturns(n.Body)
	case *ast.TryStatement:
		return ownReturn(n.Body.List) ||
			(n.Catch != nil && ownReturn(n.Catch.Body.List)) ||
			(n.Finally != nil && ownReturn(n.Finally.List))
	case *ast.SwitchStatement:
		for _, c := range n.Body {
			if ownReturn(c.Consequent) {
				return true
			}
		}
	}
	return false
}

// analyseBody walks a statement body as the body of a function called without
// arguments: its var and function declarations (hoisted), its lexical declarations and
// `arguments` are local, `this` stays rejected as at the top level.
func analyseBody(b *ast.BlockStatement, offset func(int) int) *analysis {
	w := &walker{a: &analysis{thisAt: -1, bigIntAt: -1}, offset: offset}
	scope := map[string]bool{"arguments": true}
	w.hoistVars(b.List, scope)
	w.push(scope)
	w.block(b)
	w.pop()
	return w.a
}

// compileBodyFallback compiles a statement body for the goja sandbox: a function taking
// the dependencies as parameters that calls the body as a function of no arguments, so
// that `arguments` and every declaration are the body's own. The wrapper is parsed again
// and checked to hold exactly the analysed body, so a source cannot escape it.
func compileBodyFallback(p *parsed, deps []string) (*goja.Program, *Error) {
	head := "(function (" + strings.Join(deps, ", ") + ") {\nreturn (function () {\n" // fallbackHeaderLines lines
	text := head + p.text + "\n})();\n})"
	prog, err := parser.ParseFile(nil, "", text, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, newError(p.text, -1, "", "cannot be compiled for the JavaScript engine: %v", err)
	}
	if !callsBodyExactly(prog, len(head)+1+len(p.text)+1) {
		return nil, newError(p.text, -1, "check that braces are balanced", "the statements do not stand alone")
	}
	gp, err := vm.CompileAST(prog)
	if err != nil {
		return nil, newError(p.text, -1, "", "cannot be compiled for the JavaScript engine: %v", err)
	}
	return gp, nil
}

// callsBodyExactly checks that prog is `(function (…) { return (function () {…})(); })`
// whose inner function's closing brace is at file index closeAt: the brace the wrapper
// put after the body.
func callsBodyExactly(prog *ast.Program, closeAt int) bool {
	e, ok := singleExpression(prog)
	if !ok {
		return false
	}
	outer, ok := e.(*ast.FunctionLiteral)
	if !ok || outer.Body == nil || len(outer.Body.List) != 1 {
		return false
	}
	ret, ok := outer.Body.List[0].(*ast.ReturnStatement)
	if !ok {
		return false
	}
	call, ok := ret.Argument.(*ast.CallExpression)
	if !ok || len(call.ArgumentList) != 0 {
		return false
	}
	inner, ok := call.Callee.(*ast.FunctionLiteral)
	return ok && inner.Body != nil && int(inner.Body.RightBrace) == closeAt &&
		(inner.ParameterList == nil || len(inner.ParameterList.List) == 0 && inner.ParameterList.Rest == nil)
}

// bodyHint is the hint for statements that are not a body: they lack a `return`.
const bodyHint = "a mapping is one expression, or statements that end with `return` and the value, e.g. `var r = press * 2; return r + 1;`"
