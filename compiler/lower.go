package compiler

import (
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/token"
)

// A straight-line statement body — declarations each assigned once, `if`/`else`
// branches, and a `return` on every path — has the value of one expression: each
// declared name replaced by its initializer, each `if` a conditional. lowerBody builds
// that expression, so the body can run on the fast path; goja still runs the body itself
// whenever the fast path hands an evaluation over.
//
// The rewrite is exact only under conditions it checks, and otherwise it gives up (the
// body then runs on goja):
//
//   - a declaration's initializer cannot throw and reads no clock or random source
//     (neverThrows): JavaScript evaluates it once, up front, whereas the expression
//     evaluates it where, and as often as, the name is read — possibly never;
//   - a name is read only after its declaration, on the same path, and is never
//     assigned: hoisting and the temporal dead zone then never show;
//   - branches declare nothing, every path ends in `return` with a value, and the body
//     holds only the node kinds the fast path translates.
//
// Tests and returned expressions are evaluated once each, in the body's order, as in
// JavaScript, so they may throw (the fast path then hands over to goja).

// maxLoweredNodes bounds the expression a body becomes (each branch repeats what
// follows it, each read of a name repeats its initializer).
const maxLoweredNodes = 2000

// lowerBody returns the expression a straight-line body amounts to, or false.
func lowerBody(b *ast.BlockStatement) (ast.Expression, bool) {
	l := &bodyLowerer{declared: map[string]bool{}}
	if !l.declarations(b.List, true) {
		return nil, false
	}
	e, ok := l.statements(b.List, map[string]ast.Expression{})
	return e, ok && l.nodes <= maxLoweredNodes
}

type bodyLowerer struct {
	declared map[string]bool // every name the body declares
	nodes    int
}

// declarations collects the declared names, refusing any that is declared twice or
// not as a plain identifier with an initializer, and declarations inside branches.
func (l *bodyLowerer) declarations(list []ast.Statement, top bool) bool {
	for _, s := range list {
		switch n := s.(type) {
		case *ast.VariableStatement:
			if !top || !l.declare(n.List) {
				return false
			}
		case *ast.LexicalDeclaration:
			if !top || !l.declare(n.List) {
				return false
			}
		case *ast.IfStatement:
			if !l.declarations([]ast.Statement{n.Consequent}, false) ||
				(n.Alternate != nil && !l.declarations([]ast.Statement{n.Alternate}, false)) {
				return false
			}
		case *ast.BlockStatement:
			if top || !l.declarations(n.List, false) {
				return false // a bare block at the top would scope its own declarations
			}
		case *ast.ReturnStatement, *ast.EmptyStatement:
		default:
			return false
		}
	}
	return true
}

func (l *bodyLowerer) declare(bindings []*ast.Binding) bool {
	for _, b := range bindings {
		id, ok := b.Target.(*ast.Identifier)
		if !ok || b.Initializer == nil || l.declared[id.Name.String()] {
			return false
		}
		l.declared[id.Name.String()] = true
	}
	return true
}

// statements lowers a statement list whose names so far stand for env's expressions.
func (l *bodyLowerer) statements(list []ast.Statement, env map[string]ast.Expression) (ast.Expression, bool) {
	for i, s := range list {
		switch n := s.(type) {
		case *ast.EmptyStatement:
		case *ast.VariableStatement:
			if env = l.bind(n.List, env); env == nil {
				return nil, false
			}
		case *ast.LexicalDeclaration:
			if env = l.bind(n.List, env); env == nil {
				return nil, false
			}
		case *ast.ReturnStatement:
			if n.Argument == nil {
				return nil, false
			}
			return l.expr(n.Argument, env)
		case *ast.IfStatement:
			test, ok := l.expr(n.Test, env)
			if !ok {
				return nil, false
			}
			rest := list[i+1:]
			cons, ok := l.statements(append(branch(n.Consequent), rest...), env)
			if !ok {
				return nil, false
			}
			var alt ast.Expression
			if n.Alternate != nil {
				alt, ok = l.statements(append(branch(n.Alternate), rest...), env)
			} else {
				alt, ok = l.statements(rest, env)
			}
			if !ok {
				return nil, false
			}
			l.nodes++
			return &ast.ConditionalExpression{Test: test, Consequent: cons, Alternate: alt}, true
		default:
			return nil, false
		}
	}
	return nil, false // a path without return gives undefined: left to goja
}

// branch returns the statements of an if branch as a fresh list.
func branch(s ast.Statement) []ast.Statement {
	if b, ok := s.(*ast.BlockStatement); ok {
		return append([]ast.Statement(nil), b.List...)
	}
	return []ast.Statement{s}
}

// bind adds declarations to a copy of env, or returns nil when an initializer may
// throw or is not translatable.
func (l *bodyLowerer) bind(bindings []*ast.Binding, env map[string]ast.Expression) map[string]ast.Expression {
	next := make(map[string]ast.Expression, len(env)+len(bindings))
	for k, v := range env {
		next[k] = v
	}
	for _, b := range bindings {
		if !neverThrows(b.Initializer, l.declared) {
			return nil
		}
		e, ok := l.expr(b.Initializer, next)
		if !ok {
			return nil
		}
		next[b.Target.(*ast.Identifier).Name.String()] = e
	}
	return next
}

// expr copies e with every declared name replaced by its expression in env; it fails
// on a declared name not (yet) in env and on node kinds the fast path does not translate.
func (l *bodyLowerer) expr(e ast.Expression, env map[string]ast.Expression) (ast.Expression, bool) {
	if l.nodes++; l.nodes > maxLoweredNodes {
		return nil, false
	}
	switch n := e.(type) {
	case *ast.Identifier:
		name := n.Name.String()
		if !l.declared[name] {
			return n, true
		}
		v, ok := env[name]
		return v, ok
	case *ast.NumberLiteral, *ast.StringLiteral, *ast.BooleanLiteral, *ast.NullLiteral:
		return n, true
	case *ast.TemplateLiteral:
		if n.Tag != nil {
			return nil, false
		}
		c := *n
		c.Expressions = make([]ast.Expression, len(n.Expressions))
		for i, x := range n.Expressions {
			var ok bool
			if c.Expressions[i], ok = l.expr(x, env); !ok {
				return nil, false
			}
		}
		return &c, true
	case *ast.BinaryExpression:
		left, ok1 := l.expr(n.Left, env)
		right, ok2 := l.expr(n.Right, env)
		c := *n
		c.Left, c.Right = left, right
		return &c, ok1 && ok2
	case *ast.UnaryExpression:
		if n.Operator == token.INCREMENT || n.Operator == token.DECREMENT || n.Operator == token.DELETE {
			return nil, false
		}
		operand, ok := l.expr(n.Operand, env)
		c := *n
		c.Operand = operand
		return &c, ok
	case *ast.ConditionalExpression:
		test, ok1 := l.expr(n.Test, env)
		cons, ok2 := l.expr(n.Consequent, env)
		alt, ok3 := l.expr(n.Alternate, env)
		c := *n
		c.Test, c.Consequent, c.Alternate = test, cons, alt
		return &c, ok1 && ok2 && ok3
	case *ast.CallExpression:
		callee, ok := l.expr(n.Callee, env)
		if !ok {
			return nil, false
		}
		c := *n
		c.Callee = callee
		c.ArgumentList = make([]ast.Expression, len(n.ArgumentList))
		for i, a := range n.ArgumentList {
			if c.ArgumentList[i], ok = l.expr(a, env); !ok {
				return nil, false
			}
		}
		return &c, true
	case *ast.DotExpression:
		left, ok := l.expr(n.Left, env)
		c := *n
		c.Left = left
		return &c, ok
	}
	return nil, false
}

// neverThrows reports whether evaluating e can neither throw nor read the clock or a
// random source, whatever the values of the names it reads, as long as they are
// numbers, strings, booleans or null (see setLowered): it reads no property of them and
// calls no method on them.
func neverThrows(e ast.Expression, declared map[string]bool) bool {
	switch n := e.(type) {
	case *ast.Identifier, *ast.NumberLiteral, *ast.StringLiteral, *ast.BooleanLiteral, *ast.NullLiteral:
		return true
	case *ast.TemplateLiteral:
		if n.Tag != nil {
			return false
		}
		for _, x := range n.Expressions {
			if !neverThrows(x, declared) {
				return false
			}
		}
		return true
	case *ast.UnaryExpression:
		switch n.Operator {
		case token.MINUS, token.PLUS, token.NOT, token.TYPEOF:
			return neverThrows(n.Operand, declared)
		}
	case *ast.BinaryExpression:
		switch n.Operator {
		case token.IN, token.INSTANCEOF:
			return false
		}
		return neverThrows(n.Left, declared) && neverThrows(n.Right, declared)
	case *ast.ConditionalExpression:
		return neverThrows(n.Test, declared) && neverThrows(n.Consequent, declared) && neverThrows(n.Alternate, declared)
	case *ast.CallExpression:
		if !safeFunction(n.Callee, declared) {
			return false
		}
		for _, a := range n.ArgumentList {
			if _, spread := a.(*ast.SpreadElement); spread || !neverThrows(a, declared) {
				return false
			}
		}
		return true
	case *ast.DotExpression:
		id, ok := n.Left.(*ast.Identifier)
		return ok && !declared[id.Name.String()] && (id.Name == "Math" || id.Name == "Number") && n.Identifier.Name != "random"
	}
	return false
}

// safeFunctions are the global functions that never throw on JSON values.
var safeFunctions = map[string]bool{"String": true, "Number": true, "Boolean": true, "parseFloat": true, "parseInt": true, "isNaN": true, "isFinite": true}

// safeMath are the Math functions, random apart: called with any arguments, they
// convert them to numbers, which never throws on JSON values.
var safeMath = map[string]bool{
	"abs": true, "acos": true, "acosh": true, "asin": true, "asinh": true, "atan": true, "atanh": true,
	"atan2": true, "cbrt": true, "ceil": true, "clz32": true, "cos": true, "cosh": true, "exp": true,
	"expm1": true, "floor": true, "fround": true, "hypot": true, "imul": true, "log": true, "log1p": true,
	"log10": true, "log2": true, "max": true, "min": true, "pow": true, "round": true, "sign": true,
	"sin": true, "sinh": true, "sqrt": true, "tan": true, "tanh": true, "trunc": true,
}

// safeFunction reports whether callee is one of safeMath or safeFunctions, not shadowed
// by a declaration.
func safeFunction(callee ast.Expression, declared map[string]bool) bool {
	switch c := callee.(type) {
	case *ast.Identifier:
		return safeFunctions[c.Name.String()] && !declared[c.Name.String()]
	case *ast.DotExpression:
		id, ok := c.Left.(*ast.Identifier)
		return ok && id.Name == "Math" && !declared["Math"] && safeMath[c.Identifier.Name.String()]
	}
	return false
}

// setLowered gives a straight-line body the expression it amounts to, for the fast
// path. The program reads no property paths: any object or array input then sends the
// evaluation to goja (see signatureFor), so the expression only ever sees numbers,
// strings, booleans and null, on which neverThrows holds (an object could throw when
// converted to a primitive, through a "toString" or "valueOf" key that is no function).
func (prog *Program) setLowered(p *parsed) {
	if e, ok := lowerBody(p.body); ok {
		prog.expr, prog.members = e, nil
	}
}
