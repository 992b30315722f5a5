package compiler

import (
	"fmt"
	"math"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/token"
	"github.com/dop251/goja/unistring"
	exprast "github.com/expr-lang/expr/ast"

	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/value"
)

// kindOf returns the kind of an input value on the fast path: objects and arrays count
// as value.Other, read through property paths only.
func kindOf(v value.Value) value.Kind {
	switch k := v.Kind(); k {
	case value.Object, value.Array:
		return value.Other
	default:
		return k
	}
}

// typeofName is what JavaScript's typeof gives for a kind.
var typeofName = [...]string{value.Number: "number", value.String: "string", value.Bool: "boolean", value.Null: "object"}

// unsupported says why a construct has no exact fast-path lowering.
type unsupported string

func (u unsupported) Error() string { return string(u) }

func unsupportedf(format string, args ...any) unsupported {
	return unsupported(fmt.Sprintf(format, args...))
}

// lowered is a translated sub-expression.
type lowered struct {
	node   exprast.Node
	kind   value.Kind
	simple bool     // a literal or a variable: evaluating it cannot fail
	num    *float64 // its value, when it is a numeric constant
	// constantStrings: a string result that is always one of some string constants,
	// chosen by conditions (what the numeric machine can run).
	constantStrings bool
}

// translator lowers a goja AST into an expr AST for one signature of dependency kinds.
type translator struct {
	slots   map[string]int // alias → dependency index
	members map[string]int // property path ("obj.a.b") → its input index, after the dependencies
	kinds   []value.Kind   // kind of each input: the dependencies, then the property paths
	vars    int            // counter for expr `let` temporaries
}

func (t *translator) number(f float64) lowered {
	// A -0 constant would be merged with +0 in expr's constant pool, so it is produced
	// by a helper call instead.
	if f == 0 && math.Signbit(f) {
		return lowered{node: call(hNeg, &exprast.FloatNode{Value: 0}), kind: value.Number}
	}
	return lowered{node: &exprast.FloatNode{Value: f}, kind: value.Number, simple: true, num: &f}
}

func str(s string) lowered {
	return lowered{node: &exprast.StringNode{Value: s}, kind: value.String, simple: true, constantStrings: true}
}

func boolean(b bool) lowered {
	return lowered{node: &exprast.BoolNode{Value: b}, kind: value.Bool, simple: true}
}

func call(name string, args ...exprast.Node) exprast.Node {
	return &exprast.CallNode{Callee: &exprast.IdentifierNode{Value: name}, Arguments: args}
}

func binary(op string, l, r exprast.Node) exprast.Node {
	return &exprast.BinaryNode{Operator: op, Left: l, Right: r}
}

func (t *translator) expr(e ast.Expression) (lowered, error) {
	switch n := e.(type) {
	case *ast.NumberLiteral:
		switch v := n.Value.(type) {
		case int64:
			return t.number(float64(v)), nil
		case float64:
			return t.number(v), nil
		}
		return lowered{}, unsupported("BigInt literal")
	case *ast.StringLiteral:
		return stringLiteral(n.Value)
	case *ast.BooleanLiteral:
		return boolean(n.Value), nil
	case *ast.NullLiteral:
		return lowered{node: &exprast.NilNode{}, kind: value.Null, simple: true}, nil
	case *ast.Identifier:
		return t.identifier(n.Name.String())
	case *ast.TemplateLiteral:
		return t.template(n)
	case *ast.BinaryExpression:
		return t.binary(n)
	case *ast.UnaryExpression:
		return t.unary(n)
	case *ast.ConditionalExpression:
		return t.conditional(n)
	case *ast.CallExpression:
		return t.call(n)
	case *ast.DotExpression:
		if l, ok := t.member(n); ok {
			return l, nil
		}
		return t.dot(n)
	}
	return lowered{}, unsupportedf("%s", describe(e))
}

func stringLiteral(v unistring.String) (lowered, error) {
	if u := v.AsUtf16(); u != nil && hasLoneSurrogate(u[1:]) {
		return lowered{}, unsupported("string literal with a lone surrogate")
	}
	return str(v.String()), nil
}

func (t *translator) identifier(name string) (lowered, error) {
	if i, ok := t.slots[name]; ok {
		if l, ok := t.slotValue(i); ok {
			return l, nil
		}
		return lowered{}, unsupportedf("variable %s holds an object or array", name)
	}
	switch name {
	case "NaN":
		return t.number(math.NaN()), nil
	case "Infinity":
		return t.number(math.Inf(1)), nil
	}
	return lowered{}, unsupportedf("global %s used as a value", name)
}

// hasLoneSurrogate reports whether UTF-16 text holds a surrogate that is not part of a
// pair: such text has no exact UTF-8 form.
func hasLoneSurrogate(u []uint16) bool {
	for i := 0; i < len(u); i++ {
		switch {
		case u[i] >= 0xD800 && u[i] < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] < 0xE000:
			i++
		case u[i] >= 0xD800 && u[i] < 0xE000:
			return true
		}
	}
	return false
}

// member lowers a property path read from an object or array input to the input that
// holds its value.
func (t *translator) member(n *ast.DotExpression) (lowered, bool) {
	c, ok := dotChain(n)
	if !ok {
		return lowered{}, false
	}
	root, isAlias := t.slots[c.root]
	slot, isMember := t.members[c.key()]
	if !isAlias || !isMember || t.kinds[root] != value.Other || slot >= len(t.kinds) {
		return lowered{}, false
	}
	return t.slotValue(slot)
}

// slotValue is the input in slot as an operand, when it holds a primitive (objects and
// arrays stay with goja).
func (t *translator) slotValue(slot int) (lowered, bool) {
	switch k := t.kinds[slot]; k {
	case value.Number, value.String, value.Bool:
		return lowered{node: &exprast.IdentifierNode{Value: slotName(slot)}, kind: k, simple: true}, true
	case value.Null:
		return lowered{node: &exprast.NilNode{}, kind: value.Null, simple: true}, true
	}
	return lowered{}, false
}

// toString applies JavaScript's ToString to a lowered value.
func toString(l lowered) lowered {
	switch l.kind {
	case value.Number:
		if l.num != nil {
			return str(compat.FormatNumber(*l.num))
		}
		return lowered{node: call(hNumStr, l.node), kind: value.String}
	case value.Bool:
		return lowered{node: &exprast.ConditionalNode{Cond: l.node, Exp1: &exprast.StringNode{Value: "true"}, Exp2: &exprast.StringNode{Value: "false"}}, kind: value.String, simple: l.simple}
	case value.Null:
		return str("null")
	}
	return l
}

// toNumber applies JavaScript's ToNumber to a lowered value.
func (t *translator) toNumber(l lowered) lowered {
	switch l.kind {
	case value.String:
		return lowered{node: call(hStrNum, l.node), kind: value.Number}
	case value.Bool:
		return lowered{node: &exprast.ConditionalNode{Cond: l.node, Exp1: &exprast.FloatNode{Value: 1}, Exp2: &exprast.FloatNode{Value: 0}}, kind: value.Number, simple: l.simple}
	case value.Null:
		return t.number(0)
	}
	return l
}

// truthy applies JavaScript's ToBoolean to a lowered value.
func truthy(l lowered) exprast.Node {
	switch l.kind {
	case value.Number:
		return call(hTruthy, l.node)
	case value.String:
		return binary("!=", l.node, &exprast.StringNode{Value: ""})
	case value.Null:
		return &exprast.BoolNode{Value: false}
	}
	return l.node
}

func (t *translator) template(n *ast.TemplateLiteral) (lowered, error) {
	if n.Tag != nil {
		return lowered{}, unsupported("tagged template")
	}
	parts := make([]lowered, 0, len(n.Elements)+len(n.Expressions))
	for i, el := range n.Elements {
		part, err := stringLiteral(el.Parsed)
		if err != nil {
			return lowered{}, err
		}
		parts = append(parts, part)
		if i < len(n.Expressions) {
			v, err := t.expr(n.Expressions[i])
			if err != nil {
				return lowered{}, err
			}
			parts = append(parts, v)
		}
	}
	return concat(parts...), nil
}

// concat lowers JavaScript string concatenation of primitive parts (ToString of each,
// joined) into one call of the concatenation helper, which builds the string at once.
// Nested concatenations are flattened and adjacent constants merged.
func concat(parts ...lowered) lowered {
	var args []exprast.Node
	for _, p := range parts {
		if c, ok := p.node.(*exprast.CallNode); ok && isCall(c, hConcat) {
			for _, a := range c.Arguments {
				args = appendPart(args, a)
			}
			continue
		}
		if p.kind != value.String || p.simple {
			p = toStringConstant(p)
		}
		args = appendPart(args, p.node)
	}
	if len(args) == 1 {
		if s, ok := args[0].(*exprast.StringNode); ok {
			return str(s.Value)
		}
	}
	if len(args) == 0 {
		return str("")
	}
	return lowered{node: call(hConcat, args...), kind: value.String}
}

// toStringConstant converts a constant part to its string; other parts are kept, the
// helper converts them at run time.
func toStringConstant(p lowered) lowered {
	switch n := p.node.(type) {
	case *exprast.NilNode:
		return str("null")
	case *exprast.BoolNode:
		return str(map[bool]string{true: "true", false: "false"}[n.Value])
	}
	if p.num != nil {
		return str(compat.FormatNumber(*p.num))
	}
	return p
}

// appendPart appends a concatenation argument, merging adjacent string constants and
// dropping empty ones.
func appendPart(args []exprast.Node, n exprast.Node) []exprast.Node {
	s, ok := n.(*exprast.StringNode)
	if !ok {
		return append(args, n)
	}
	if s.Value == "" {
		return args
	}
	if len(args) > 0 {
		if prev, ok := args[len(args)-1].(*exprast.StringNode); ok {
			args[len(args)-1] = &exprast.StringNode{Value: prev.Value + s.Value}
			return args
		}
	}
	return append(args, &exprast.StringNode{Value: s.Value})
}

func isCall(c *exprast.CallNode, name string) bool {
	id, ok := c.Callee.(*exprast.IdentifierNode)
	return ok && id.Value == name
}

func (t *translator) binary(n *ast.BinaryExpression) (lowered, error) {
	l, err := t.expr(n.Left)
	if err != nil {
		return lowered{}, err
	}
	r, err := t.expr(n.Right)
	if err != nil {
		return lowered{}, err
	}
	switch n.Operator {
	case token.PLUS:
		if l.kind == value.String || r.kind == value.String {
			return concat(l, r), nil
		}
		return t.arith("+", nil, t.toNumber(l), t.toNumber(r)), nil
	case token.MINUS:
		return t.arith("-", nil, t.toNumber(l), t.toNumber(r)), nil
	case token.SLASH:
		return t.arith("/", nil, t.toNumber(l), t.toNumber(r)), nil
	case token.MULTIPLY:
		ln, rn := t.toNumber(l), t.toNumber(r)
		if positiveConstant(ln) || positiveConstant(rn) {
			// goja's integer fast path differs from IEEE only in the sign of a zero
			// product, which a positive factor cannot produce.
			return t.arith("*", nil, ln, rn), nil
		}
		return t.arith(hMul, compat.MulChecked, ln, rn), nil
	case token.REMAINDER:
		return t.arith(hMod, exact2(compat.Mod), t.toNumber(l), t.toNumber(r)), nil
	case token.EXPONENT:
		return t.arith(hPow, exact2(compat.Pow), t.toNumber(l), t.toNumber(r)), nil
	case token.LESS, token.GREATER, token.LESS_OR_EQUAL, token.GREATER_OR_EQUAL:
		return t.relational(n.Operator, l, r), nil
	case token.STRICT_EQUAL, token.STRICT_NOT_EQUAL:
		return t.equality(n.Operator == token.STRICT_NOT_EQUAL, l, r, true)
	case token.EQUAL, token.NOT_EQUAL:
		return t.equality(n.Operator == token.NOT_EQUAL, l, r, false)
	case token.LOGICAL_AND, token.LOGICAL_OR:
		return t.logical(n.Operator == token.LOGICAL_AND, l, r)
	case token.COALESCE:
		if l.kind == value.Null {
			return r, nil
		}
		return l, nil
	}
	return lowered{}, unsupportedf("operator %s", n.Operator)
}

func positiveConstant(l lowered) bool {
	return l.num != nil && *l.num > 0 && !math.IsInf(*l.num, 0)
}

// arith lowers a numeric binary operation: a native expr operator when fn is nil,
// otherwise a helper call (op is then the helper's name). Two constants are folded with
// the same function the program would run, unless it cannot decide the case.
func (t *translator) arith(op string, fn func(a, b float64) (float64, bool), l, r lowered) lowered {
	if l.num != nil && r.num != nil {
		a, b := *l.num, *r.num
		var v float64
		ok := true
		switch {
		case fn != nil:
			v, ok = fn(a, b)
		case op == "+":
			v = a + b
		case op == "-":
			v = a - b
		case op == "*":
			v = float64(a * b)
		case op == "/":
			v = a / b
		}
		if ok {
			return t.number(v)
		}
	}
	if fn != nil {
		return lowered{node: call(op, l.node, r.node), kind: value.Number}
	}
	return lowered{node: binary(op, l.node, r.node), kind: value.Number}
}

var relationalOps = map[token.Token]struct{ native, strHelper string }{
	token.LESS:             {"<", hStrLess},
	token.GREATER:          {">", hStrGt},
	token.LESS_OR_EQUAL:    {"<=", hStrLessEq},
	token.GREATER_OR_EQUAL: {">=", hStrGtEq},
}

func (t *translator) relational(op token.Token, l, r lowered) lowered {
	ops := relationalOps[op]
	if l.kind == value.String && r.kind == value.String {
		return lowered{node: call(ops.strHelper, l.node, r.node), kind: value.Bool}
	}
	ln, rn := t.toNumber(l), t.toNumber(r)
	return lowered{node: binary(ops.native, ln.node, rn.node), kind: value.Bool}
}

func (t *translator) equality(negate bool, l, r lowered, strict bool) (lowered, error) {
	op := "=="
	if negate {
		op = "!="
	}
	switch {
	case l.kind == value.Null && r.kind == value.Null:
		return boolean(!negate), nil
	case l.kind == r.kind:
		return lowered{node: binary(op, l.node, r.node), kind: value.Bool}, nil
	case strict && l.simple && r.simple:
		return boolean(negate), nil
	case strict:
		// Different kinds are never strictly equal, but both sides still run (they may throw).
		return lowered{node: &exprast.SequenceNode{Nodes: []exprast.Node{l.node, r.node, &exprast.BoolNode{Value: negate}}}, kind: value.Bool}, nil
	}
	return lowered{}, unsupported("== between values of different types")
}

func (t *translator) logical(and bool, l, r lowered) (lowered, error) {
	if l.kind == value.Bool && r.kind == value.Bool {
		op := "||"
		if and {
			op = "&&"
		}
		return lowered{node: binary(op, l.node, r.node), kind: value.Bool}, nil
	}
	if l.kind == value.Null {
		if and {
			return l, nil
		}
		return r, nil
	}
	if l.kind != r.kind {
		return lowered{}, unsupported("&& or || between values of different types")
	}
	// let t = l; truthy(t) ? r : t   (for ||: truthy(t) ? t : r)
	name := fmt.Sprintf("t%d", t.vars)
	t.vars++
	ref := lowered{node: &exprast.IdentifierNode{Value: name}, kind: l.kind}
	cond := &exprast.ConditionalNode{Cond: truthy(ref), Exp1: r.node, Exp2: ref.node}
	if !and {
		cond.Exp1, cond.Exp2 = ref.node, r.node
	}
	return lowered{node: &exprast.VariableDeclaratorNode{Name: name, Value: l.node, Expr: cond}, kind: l.kind}, nil
}

// test lowers e where only its truthiness matters (a condition, the operand of !, the
// argument of Boolean): there && and || reduce to boolean logic on their operands'
// truthiness, whatever the operands' kinds, with the same short-circuiting.
func (t *translator) test(e ast.Expression) (exprast.Node, error) {
	switch n := e.(type) {
	case *ast.BinaryExpression:
		if n.Operator == token.LOGICAL_AND || n.Operator == token.LOGICAL_OR {
			l, err := t.test(n.Left)
			if err != nil {
				return nil, err
			}
			r, err := t.test(n.Right)
			if err != nil {
				return nil, err
			}
			op := "||"
			if n.Operator == token.LOGICAL_AND {
				op = "&&"
			}
			return binary(op, l, r), nil
		}
	case *ast.UnaryExpression:
		if n.Operator == token.NOT {
			v, err := t.test(n.Operand)
			if err != nil {
				return nil, err
			}
			return &exprast.UnaryNode{Operator: "!", Node: v}, nil
		}
	}
	v, err := t.expr(e)
	if err != nil {
		return nil, err
	}
	return truthy(v), nil
}

func (t *translator) unary(n *ast.UnaryExpression) (lowered, error) {
	if n.Operator == token.NOT {
		v, err := t.test(n)
		if err != nil {
			return lowered{}, err
		}
		return lowered{node: v, kind: value.Bool}, nil
	}
	if n.Operator == token.TYPEOF {
		if id, ok := n.Operand.(*ast.Identifier); ok {
			if _, alias := t.slots[id.Name.String()]; !alias && !availableGlobals[id.Name.String()] {
				return str("undefined"), nil
			}
		}
	}
	v, err := t.expr(n.Operand)
	if err != nil {
		return lowered{}, err
	}
	switch n.Operator {
	case token.MINUS:
		if v.kind == value.String {
			// goja does not negate a string's ToNumber in every case.
			return lowered{node: call(hNegStr, v.node), kind: value.Number}, nil
		}
		num := t.toNumber(v)
		if num.num != nil && *num.num != 0 && !math.IsNaN(*num.num) {
			return t.number(-*num.num), nil
		}
		return lowered{node: call(hNeg, num.node), kind: value.Number}, nil
	case token.PLUS:
		return t.toNumber(v), nil
	case token.TYPEOF:
		if !v.simple {
			return lowered{}, unsupported("typeof of a computed value")
		}
		return str(typeofName[v.kind]), nil
	}
	return lowered{}, unsupportedf("unary operator %s", n.Operator)
}

func (t *translator) conditional(n *ast.ConditionalExpression) (lowered, error) {
	test, err := t.test(n.Test)
	if err != nil {
		return lowered{}, err
	}
	a, err := t.expr(n.Consequent)
	if err != nil {
		return lowered{}, err
	}
	b, err := t.expr(n.Alternate)
	if err != nil {
		return lowered{}, err
	}
	if a.kind != b.kind {
		return lowered{}, unsupported("conditional branches of different types")
	}
	return lowered{node: &exprast.ConditionalNode{Ternary: true, Cond: test, Exp1: a.node, Exp2: b.node}, kind: a.kind,
		constantStrings: a.constantStrings && b.constantStrings}, nil
}

func (t *translator) call(n *ast.CallExpression) (lowered, error) {
	switch callee := n.Callee.(type) {
	case *ast.DotExpression:
		name := callee.Identifier.Name.String()
		if obj, ok := callee.Left.(*ast.Identifier); ok && obj.Name == "Math" {
			if b := lookupBuiltin(siteMath, name); b != nil {
				return t.builtinCall(b, lowered{}, n.ArgumentList)
			}
			return lowered{}, unsupportedf("call of Math.%s", name)
		}
		recv, err := t.expr(callee.Left)
		if err != nil {
			return lowered{}, err
		}
		switch b := lookupBuiltin(siteMethod, name); {
		case b == nil:
			return lowered{}, unsupportedf("method %s", name)
		case !b.receiver.has(recv.kind):
			return lowered{}, unsupported(receiverReason(name, recv.kind))
		default:
			return t.builtinCall(b, recv, n.ArgumentList)
		}
	case *ast.Identifier:
		name := callee.Name.String()
		if b := lookupBuiltin(siteGlobal, name); b != nil {
			return t.builtinCall(b, lowered{}, n.ArgumentList)
		}
		return lowered{}, unsupportedf("call of %s", name)
	}
	return lowered{}, unsupported("call of a computed function")
}

// builtinCall lowers a call of a built-in of the table, on the receiver recv for a
// method, when its arguments are of the kinds the row lowers.
func (t *translator) builtinCall(b *builtin, recv lowered, list []ast.Expression) (lowered, error) {
	if len(list) < b.minArgs || b.maxArgs >= 0 && len(list) > b.maxArgs {
		return lowered{}, unsupported(arityReason(b.what(), len(list)))
	}
	args := make([]lowered, len(list))
	for i, a := range list {
		v, err := t.argument(b.conv, a)
		if err != nil {
			return lowered{}, err
		}
		if !b.operands.has(v.kind) {
			return lowered{}, unsupported(b.argsReason(v.kind))
		}
		args[i] = v
	}
	return b.lower(t, b, recv, args), nil
}

// argument lowers one argument of a built-in as its conversion says.
func (t *translator) argument(c conversion, e ast.Expression) (lowered, error) {
	if c == convTest {
		n, err := t.test(e)
		return lowered{node: n, kind: value.Bool}, err
	}
	v, err := t.expr(e)
	if err != nil || c != convToFloat {
		return v, err
	}
	if v.kind == value.String {
		v = lowered{node: call(hStrFloat, v.node), kind: value.Number}
	}
	return t.toNumber(v), nil
}

// dot lowers a property read that is not a path into an input: a Math constant, or a
// property of a primitive.
func (t *translator) dot(n *ast.DotExpression) (lowered, error) {
	name := n.Identifier.Name.String()
	if obj, ok := n.Left.(*ast.Identifier); ok && obj.Name == "Math" {
		if b := lookupBuiltin(siteMathConstant, name); b != nil {
			return b.lower(t, b, lowered{}, nil), nil
		}
		return lowered{}, unsupportedf("Math.%s", name)
	}
	recv, err := t.expr(n.Left)
	if err != nil {
		return lowered{}, err
	}
	switch b := lookupBuiltin(siteProperty, name); {
	case b == nil:
		return lowered{}, unsupportedf("property .%s", name)
	case !b.receiver.has(recv.kind):
		return lowered{}, unsupported(receiverReason(name, recv.kind))
	default:
		return b.lower(t, b, recv, nil), nil
	}
}

// describe names a JavaScript construct for fallback reasons.
func describe(e ast.Expression) string {
	switch e.(type) {
	case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral:
		return "function"
	case *ast.ClassLiteral:
		return "class"
	case *ast.NewExpression:
		return "new"
	case *ast.ObjectLiteral:
		return "object literal"
	case *ast.ArrayLiteral:
		return "array literal"
	case *ast.AssignExpression:
		return "assignment"
	case *ast.RegExpLiteral:
		return "regular expression"
	case *ast.BracketExpression:
		return "computed member access"
	case *ast.SequenceExpression:
		return "comma sequence"
	case *ast.OptionalChain:
		return "optional chaining"
	case *ast.ThisExpression:
		return "this"
	}
	return fmt.Sprintf("%T", e)
}
