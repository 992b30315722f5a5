package sandbox

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
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

// reserveMin is the length, in characters, from which a string about to be built is
// reserved from the memory budget first (see watchdog.reserve); below it, the watchdog's
// periodic look suffices.
const reserveMin = 1 << 20

// stringBuilderGlobals are the builders' global names.
var stringBuilderGlobals = []string{concatGlobal, concatAssignGlobal, templateGlobal, toStringGlobal}

// stringBuilder holds a runtime's native builders: concatGlobal, templateGlobal and
// toStringGlobal are Go functions, which goja calls much faster than JavaScript ones;
// the lockdown script defines concatAssignGlobal on them.
type stringBuilder struct {
	rt    *goja.Runtime
	watch *watchdog
	// toPrimitive is the lockdown's ToPrimitive without a hint, set once it has run.
	toPrimitive goja.Callable
	// concatStrings is the original String.prototype.concat, which allocates its
	// result once.
	concatStrings goja.Callable
	rangeError    goja.Value // the RangeError constructor
}

// newStringBuilder takes what it needs from rt, which is not yet locked down.
func newStringBuilder(rt *goja.Runtime, watch *watchdog) (*stringBuilder, error) {
	concat, ok := goja.AssertFunction(rt.Get("String").ToObject(rt).Get("prototype").ToObject(rt).Get("concat"))
	if !ok {
		return nil, errors.New("String.prototype.concat is not a function")
	}
	return &stringBuilder{rt: rt, watch: watch, concatStrings: concat, rangeError: rt.Get("RangeError")}, nil
}

// globals returns an object holding the native builders under their global names, for
// the lockdown script.
func (b *stringBuilder) globals() *goja.Object {
	o := b.rt.NewObject()
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		concatGlobal: b.concat, templateGlobal: b.template, toStringGlobal: b.toString,
	} {
		// Named after its global, the function's stack frame tells locateInExpression
		// that an error it throws belongs to the expression's call.
		f := b.rt.ToValue(fn).(*goja.Object)
		_ = f.DefineDataProperty("name", b.rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		_ = o.Set(name, f)
	}
	return o
}

// isStringBuilderFrame reports whether f is a native builder's frame.
func isStringBuilderFrame(f goja.StackFrame) bool {
	return f.SrcName() == "<native>" && slices.Contains(stringBuilderGlobals, f.FuncName())
}

// concat is a + b: goja's own addition, after a check of the string it would build.
func (b *stringBuilder) concat(call goja.FunctionCall) goja.Value {
	l, r := b.primitive(call.Argument(0)), b.primitive(call.Argument(1))
	ls, lString := l.(goja.String)
	rs, rString := r.(goja.String)
	if !lString && !rString {
		if li, ok := l.Export().(int64); ok {
			if ri, ok := r.Export().(int64); ok {
				return b.rt.ToValue(li + ri)
			}
		}
		return b.rt.ToValue(l.ToFloat() + r.ToFloat())
	}
	if !lString {
		ls = b.str(l)
	}
	if !rString {
		rs = b.str(r)
	}
	if !b.check("string concatenation", ls.Length()+rs.Length()) {
		return goja.Undefined()
	}
	return ls.Concat(rs)
}

// template joins a template literal's pieces, all strings (literals and toString's).
func (b *stringBuilder) template(call goja.FunctionCall) goja.Value {
	n := 0
	for _, a := range call.Arguments {
		n += a.(goja.String).Length()
	}
	if !b.check("template literal", n) {
		return goja.Undefined()
	}
	v, err := b.concatStrings(call.Argument(0), call.Arguments[1:]...)
	if err != nil {
		panic(err)
	}
	return v
}

// toString converts a template literal's substitution as the literal does: ToString,
// which a Symbol fails.
func (b *stringBuilder) toString(call goja.FunctionCall) goja.Value {
	return b.str(call.Argument(0))
}

// str is ToString of v.
func (b *stringBuilder) str(v goja.Value) goja.String {
	switch x := v.(type) {
	case goja.String:
		return x
	case *goja.Symbol:
		panic(b.rt.NewTypeError("Cannot convert a Symbol value to a string"))
	case *goja.Object:
		return b.str(x.ToString()) // the primitive its conversion with the string hint gives
	}
	return b.rt.ToValue(v.String()).(goja.String) // numbers, booleans, null, undefined
}

// primitive is ToPrimitive of v without a hint.
func (b *stringBuilder) primitive(v goja.Value) goja.Value {
	if _, ok := v.(*goja.Object); !ok {
		return v
	}
	p, err := b.toPrimitive(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	return p
}

// check throws a RangeError naming what when n characters are over MaxStringLength, and
// reserves a string of at least reserveMin characters from the memory budget (two bytes
// a character, as UTF-16 takes them). It reports false when the reservation tripped the
// watchdog: the builder then returns at once, without building, and the interrupt stops
// the evaluation before its next instruction.
func (b *stringBuilder) check(what string, n int) bool {
	if n <= MaxStringLength {
		if n >= reserveMin {
			b.watch.reserve(2 * uint64(n))
			return !b.watch.tripped()
		}
		return true
	}
	e, err := b.rt.New(b.rangeError, b.rt.ToValue(fmt.Sprintf("%s: %d characters exceed the sandbox limit of %d", what, n, MaxStringLength)))
	if err != nil {
		panic(err)
	}
	panic(e)
}

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
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		if g.seen[v.Interface()] {
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
	}
	eachChild(v, func(c reflect.Value) bool {
		g.walk(c, strict)
		return true
	})
	if v.Kind() == reflect.Interface && !v.IsNil() && v.Type() == expressionType && v.CanSet() {
		if r := rewrite(v.Interface().(ast.Expression), strict); r != nil {
			v.Set(reflect.ValueOf(&r).Elem())
		}
	}
}

// eachChild calls fn with each value v holds directly (the element of a non-nil pointer
// or interface, the exported fields of a struct, the elements of a slice) until fn
// returns false, and reports whether it never did.
func eachChild(v reflect.Value, fn func(reflect.Value) bool) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || fn(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !fn(v.Field(i)) {
				return false
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if !fn(v.Index(i)) {
				return false
			}
		}
	}
	return true
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
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		if slices.Contains(suspendTypes, v.Type()) {
			return true
		}
		switch v.Interface().(type) {
		case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral, *ast.ClassLiteral:
			return false
		}
	}
	return !eachChild(v, func(c reflect.Value) bool { return !suspends(c) })
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
