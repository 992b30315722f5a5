package compiler

import (
	"strings"
	"time"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/token"

	"github.com/unsproc/unsproc/value"
)

// ResultKinds is a set of the JSON types a program's results can have. It is an
// over-approximation: a kind in the set may never occur, a kind outside it never does.
type ResultKinds uint8

// The kinds of ResultKinds.
const (
	ResultNumber  ResultKinds = 1 << iota
	ResultString              // strings, and Dates (JSON writes them as strings)
	ResultBoolean             // true and false
	ResultObject              // objects, arrays, and anything else
	ResultNull                // undefined or null: such a result is never emitted
	// ResultAny is every kind: nothing is known about the results.
	ResultAny = ResultNumber | ResultString | ResultBoolean | ResultObject | ResultNull
)

// Has reports whether k contains every kind of x.
func (k ResultKinds) Has(x ResultKinds) bool { return k&x == x }

// String lists the kinds, e.g. "number|string", or "any".
func (k ResultKinds) String() string {
	if k == ResultAny {
		return "any"
	}
	var names []string
	for _, n := range []struct {
		k    ResultKinds
		name string
	}{{ResultNumber, "number"}, {ResultString, "string"}, {ResultBoolean, "boolean"}, {ResultObject, "object"}, {ResultNull, "null"}} {
		if k.Has(n.k) {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, "|")
}

// kindsUnknown marks, inside the analysis, an operand that may be anything, a BigInt
// or an object with its own valueOf included; it never leaves this file.
const kindsUnknown ResultKinds = 1 << 7

// kindsAlias is what an alias may hold: a JSON value that is not null (a plain
// object or array converts to a string, never to a BigInt).
const kindsAlias = ResultNumber | ResultString | ResultBoolean | ResultObject

// ResultKinds returns the kinds of result the program can give, whatever the
// engine: the value's own kind for a pure static, otherwise what the expression's
// outermost operators guarantee (a template literal gives a string, a comparison or
// `!` a boolean, unary `+` a number, arithmetic on anything but a possible BigInt a
// number, `a ? b : c` the kinds of b and c, …). A call, a member read and anything
// else the analysis does not know give ResultAny.
func (p *Program) ResultKinds() ResultKinds {
	if p.kind == Static && p.static != nil && p.static.err == nil {
		return valueKinds(p.static.value)
	}
	if p.expr == nil {
		return ResultAny
	}
	k := exprKinds(p.expr, p.deps)
	if k&kindsUnknown != 0 {
		return ResultAny
	}
	return k
}

// valueKinds is the kind of one result value.
func valueKinds(v value.Value) ResultKinds {
	if v.IsNum {
		return ResultNumber
	}
	switch v.Any.(type) {
	case float64, int64:
		return ResultNumber
	case string, time.Time:
		return ResultString
	case bool:
		return ResultBoolean
	case nil:
		return ResultNull
	case map[string]any, []any:
		return ResultObject
	}
	return ResultAny
}

// exprKinds is the analysis of ResultKinds for one expression; aliases are the
// program's dependencies.
func exprKinds(e ast.Expression, aliases []string) ResultKinds {
	switch x := e.(type) {
	case *ast.NumberLiteral:
		switch x.Value.(type) {
		case int64, float64:
			return ResultNumber
		}
		return kindsUnknown // a BigInt literal
	case *ast.StringLiteral:
		return ResultString
	case *ast.BooleanLiteral:
		return ResultBoolean
	case *ast.NullLiteral:
		return ResultNull
	case *ast.TemplateLiteral:
		if x.Tag == nil {
			return ResultString
		}
	case *ast.Identifier:
		for _, a := range aliases {
			if string(x.Name) == a {
				return kindsAlias
			}
		}
	case *ast.ConditionalExpression:
		return exprKinds(x.Consequent, aliases) | exprKinds(x.Alternate, aliases)
	case *ast.SequenceExpression:
		if len(x.Sequence) > 0 {
			return exprKinds(x.Sequence[len(x.Sequence)-1], aliases)
		}
	case *ast.UnaryExpression:
		return unaryKinds(x, aliases)
	case *ast.BinaryExpression:
		return binaryKinds(x, aliases)
	}
	return kindsUnknown | ResultAny
}

func unaryKinds(x *ast.UnaryExpression, aliases []string) ResultKinds {
	switch x.Operator {
	case token.NOT, token.DELETE:
		return ResultBoolean
	case token.TYPEOF:
		return ResultString
	case token.VOID:
		return ResultNull
	case token.PLUS: // ToNumber: a number, or a TypeError for a BigInt
		return ResultNumber
	case token.MINUS, token.BITWISE_NOT:
		return numeric(exprKinds(x.Operand, aliases))
	}
	return kindsUnknown | ResultAny
}

func binaryKinds(x *ast.BinaryExpression, aliases []string) ResultKinds {
	switch x.Operator {
	case token.EQUAL, token.NOT_EQUAL, token.STRICT_EQUAL, token.STRICT_NOT_EQUAL,
		token.LESS, token.GREATER, token.LESS_OR_EQUAL, token.GREATER_OR_EQUAL,
		token.IN, token.INSTANCEOF:
		return ResultBoolean
	case token.LOGICAL_AND, token.LOGICAL_OR, token.COALESCE:
		return exprKinds(x.Left, aliases) | exprKinds(x.Right, aliases)
	}
	l, r := exprKinds(x.Left, aliases), exprKinds(x.Right, aliases)
	switch x.Operator {
	case token.MINUS, token.MULTIPLY, token.SLASH, token.REMAINDER, token.EXPONENT,
		token.AND, token.OR, token.EXCLUSIVE_OR, token.SHIFT_LEFT, token.SHIFT_RIGHT, token.UNSIGNED_SHIFT_RIGHT:
		return numeric(l | r)
	case token.PLUS:
		const primitiveNumber = ResultNumber | ResultBoolean | ResultNull
		switch {
		case (l|r)&kindsUnknown != 0:
			return kindsUnknown | ResultAny
		case l == ResultString || r == ResultString:
			return ResultString
		case (l|r)&^primitiveNumber == 0:
			return ResultNumber
		}
		return ResultNumber | ResultString
	}
	return kindsUnknown | ResultAny
}

// numeric is the kind of a numeric operator's result on operands of kinds k: a
// number, unless an operand may be a BigInt.
func numeric(k ResultKinds) ResultKinds {
	if k&kindsUnknown != 0 {
		return kindsUnknown | ResultAny
	}
	return ResultNumber
}
