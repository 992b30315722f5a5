package vm

import (
	"reflect"
	"strconv"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/token"
	"github.com/dop251/goja/unistring"
)

// Strings that JavaScript code builds with +, += and template literals are built by goja
// natively, in one step whatever their size: a string doubled in a loop (s += s) asks
// for hundreds of megabytes in a step that neither the timeout nor the memory watchdog
// can interrupt. CompileAST therefore routes these operators through the lockdown's
// string builders, which compute the length of the result first and throw a RangeError
// over MaxStringLength, and otherwise give exactly what the operator gives. The
// builders are globals whose names are not identifiers, so no expression can name,
// shadow or replace them.
const (
	// concatGlobal(a, b) is a + b.
	concatGlobal = "%concat"
	// concatAssignGlobal(o, k, value, strict) is o[k] += value(), value being a function
	// evaluating the right-hand side, so that it runs after o[k] is read; strict tells
	// whether a failed assignment throws.
	concatAssignGlobal = "%concatAssign"
	// templateGlobal(s0, v1, s1, …, vn, sn) is the template literal's string, the vi
	// already converted by toStringGlobal.
	templateGlobal = "%template"
	// toStringGlobal(v) converts a template literal's substitution as the literal does.
	toStringGlobal = "%toString"
)

// stringBuilders names the builders' globals for the lockdown script.
var stringBuilders = map[string]string{"concat": concatGlobal, "concatAssign": concatAssignGlobal,
	"template": templateGlobal, "toString": toStringGlobal}

// CompileAST compiles a parsed expression or statement body for the sandbox: the string
// operators are routed through the sandbox's checked builders (which changes no result:
// an operation over MaxStringLength throws instead of building), then goja compiles it.
// CompileAST rewrites prog in place.
func CompileAST(prog *ast.Program) (*goja.Program, error) {
	g := stringGuard{seen: map[any]bool{}}
	g.walk(reflect.ValueOf(prog), false)
	return goja.CompileAST(prog, false)
}

var (
	expressionType = reflect.TypeFor[ast.Expression]()
	// suspendTypes are the expressions that cannot move into an arrow function.
	suspendTypes = []reflect.Type{reflect.TypeFor[*ast.YieldExpression](), reflect.TypeFor[*ast.AwaitExpression]()}
)

// stringGuard rewrites a parsed program's string operators; seen holds the nodes it has
// visited (goja's parser shares the bindings of declarations between two lists).
type stringGuard struct {
	seen map[any]bool
}

// walk rewrites what v holds, strict telling whether the code around is strict mode.
// Every Expression-typed field, slice element or interface is replaced bottom-up.
func (g *stringGuard) walk(v reflect.Value, strict bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || g.seen[v.Interface()] {
			return
		}
		g.seen[v.Interface()] = true
		switch n := v.Interface().(type) {
		case *ast.FunctionLiteral:
			strict = strict || n.Body != nil && hasUseStrict(n.Body.List)
		case *ast.ArrowFunctionLiteral:
			if b, ok := n.Body.(*ast.BlockStatement); ok {
				strict = strict || hasUseStrict(b.List)
			}
		case *ast.ClassLiteral:
			strict = true
		}
		g.walk(v.Elem(), strict)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		g.walk(v.Elem(), strict)
		if v.Type() == expressionType && v.CanSet() {
			if r := rewrite(v.Interface().(ast.Expression), strict); r != nil {
				v.Set(reflect.ValueOf(&r).Elem())
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				g.walk(v.Field(i), strict)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			g.walk(v.Index(i), strict)
		}
	}
}

// rewrite returns what replaces e, a node whose children are already rewritten, or nil
// when e stays.
func rewrite(e ast.Expression, strict bool) ast.Expression {
	switch e := e.(type) {
	case *ast.BinaryExpression:
		if e.Operator == token.PLUS {
			return call(concatGlobal, e.Idx0(), e.Left, e.Right)
		}
	case *ast.AssignExpression:
		if e.Operator != token.PLUS {
			return nil
		}
		switch left := e.Left.(type) {
		case *ast.Identifier:
			read := *left
			return &ast.AssignExpression{Operator: token.ASSIGN, Left: left,
				Right: call(concatGlobal, e.Idx0(), &read, e.Right)}
		case *ast.DotExpression:
			key := &ast.StringLiteral{Idx: left.Identifier.Idx, Value: left.Identifier.Name,
				Literal: `"` + string(left.Identifier.Name) + `"`}
			return concatAssign(e, left.Left, key, strict)
		case *ast.BracketExpression:
			return concatAssign(e, left.Left, left.Member, strict)
		}
	case *ast.TemplateLiteral:
		if e.Tag != nil || len(e.Expressions) == 0 {
			return nil
		}
		args := make([]ast.Expression, 0, 2*len(e.Expressions)+1)
		for i, el := range e.Elements {
			args = append(args, &ast.StringLiteral{Idx: el.Idx, Value: el.Parsed, Literal: `""`})
			if i < len(e.Expressions) {
				args = append(args, call(toStringGlobal, e.Expressions[i].Idx0(), e.Expressions[i]))
			}
		}
		return call(templateGlobal, e.OpenQuote, args...)
	}
	return nil
}

// concatAssign rewrites e, obj[key] += value, into a call of concatAssignGlobal, unless
// obj is super or value holds a yield or await, which cannot move into a function: these
// stay as they are.
func concatAssign(e *ast.AssignExpression, obj, key ast.Expression, strict bool) ast.Expression {
	if _, ok := obj.(*ast.SuperExpression); ok || suspends(reflect.ValueOf(e.Right)) {
		return nil
	}
	at := e.Right.Idx0()
	value := &ast.ArrowFunctionLiteral{Start: at,
		ParameterList: &ast.ParameterList{Opening: at, Closing: at},
		Body:          &ast.ExpressionBody{Expression: e.Right}}
	return call(concatAssignGlobal, e.Idx0(), obj, key, value,
		&ast.BooleanLiteral{Idx: at, Value: strict, Literal: strconv.FormatBool(strict)})
}

// call is the call of a string builder at position at.
func call(global string, at file.Idx, args ...ast.Expression) *ast.CallExpression {
	return &ast.CallExpression{Callee: &ast.Identifier{Name: unistring.String(global), Idx: at},
		LeftParenthesis: at, ArgumentList: args, RightParenthesis: at}
}

// suspends reports whether v holds a yield or await outside a nested function.
func suspends(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return false
		}
		for _, t := range suspendTypes {
			if v.Type() == t {
				return true
			}
		}
		switch v.Interface().(type) {
		case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral, *ast.ClassLiteral:
			return false
		}
		return suspends(v.Elem())
	case reflect.Interface:
		return !v.IsNil() && suspends(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && suspends(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if suspends(v.Index(i)) {
				return true
			}
		}
	}
	return false
}

// hasUseStrict reports whether a function body's directive prologue holds "use strict".
func hasUseStrict(body []ast.Statement) bool {
	for _, st := range body {
		es, ok := st.(*ast.ExpressionStatement)
		if !ok {
			return false
		}
		lit, ok := es.Expression.(*ast.StringLiteral)
		if !ok {
			return false
		}
		if lit.Literal == `"use strict"` || lit.Literal == `'use strict'` {
			return true
		}
	}
	return false
}
