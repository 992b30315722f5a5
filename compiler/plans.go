package compiler

import (
	exprast "github.com/expr-lang/expr/ast"

	"github.com/unsproc/unsproc/vm"
)

// The fast machines get their programs from the translated tree, not from expr's
// bytecode: what runs where depends only on the translation, whatever instructions an
// expr release emits for the same tree.

// numericPlan is the numeric machine's form of a translated program over number and
// boolean inputs, or nil when the tree holds a node the machine does not run (null,
// a string operation, a helper without a numeric form).
func numericPlan(n exprast.Node) *vm.Numeric {
	p := &numericPlanner{vars: map[string]int{}}
	if !p.node(n) {
		return nil
	}
	m, _ := p.b.Build()
	return m
}

type numericPlanner struct {
	b    vm.NumericBuilder
	vars map[string]int // `let` temporaries by name
}

func (p *numericPlanner) node(n exprast.Node) bool {
	switch n := n.(type) {
	case *exprast.FloatNode:
		p.b.Number(n.Value)
	case *exprast.BoolNode:
		p.b.Number(map[bool]float64{true: 1}[n.Value])
	case *exprast.StringNode:
		p.b.String(n.Value)
	case *exprast.IdentifierNode:
		if slot, ok := slotIndex(n.Value); ok {
			p.b.Load(slot)
			return true
		}
		v, ok := p.vars[n.Value]
		if !ok {
			return false
		}
		p.b.LoadVar(v)
	case *exprast.UnaryNode:
		if n.Operator != "!" || !p.node(n.Node) {
			return false
		}
		p.b.Not()
	case *exprast.BinaryNode:
		return p.binary(n)
	case *exprast.ConditionalNode:
		if !p.node(n.Cond) {
			return false
		}
		otherwise := p.b.JumpIfFalse()
		p.b.Pop()
		if !p.node(n.Exp1) {
			return false
		}
		end := p.b.Jump()
		p.b.Patch(otherwise)
		p.b.Pop()
		if !p.node(n.Exp2) {
			return false
		}
		p.b.Patch(end)
	case *exprast.CallNode:
		return p.call(n)
	case *exprast.VariableDeclaratorNode:
		if !p.node(n.Value) {
			return false
		}
		v := len(p.vars)
		p.vars[n.Name] = v
		p.b.Store(v)
		return p.node(n.Expr)
	case *exprast.SequenceNode:
		for i, x := range n.Nodes {
			if !p.node(x) {
				return false
			}
			if i < len(n.Nodes)-1 {
				p.b.Pop()
			}
		}
	default:
		return false
	}
	return true
}

func (p *numericPlanner) binary(n *exprast.BinaryNode) bool {
	if !p.node(n.Left) {
		return false
	}
	if n.Operator == "&&" || n.Operator == "||" {
		// The left operand is the result when it decides; otherwise it is dropped.
		decided := p.b.JumpIfFalse
		if n.Operator == "||" {
			decided = p.b.JumpIfTrue
		}
		end := decided()
		p.b.Pop()
		if !p.node(n.Right) {
			return false
		}
		p.b.Patch(end)
		return true
	}
	if !p.node(n.Right) {
		return false
	}
	if n.Operator == "!=" {
		p.b.Binary("==")
		p.b.Not()
		return true
	}
	return p.b.Binary(n.Operator)
}

func (p *numericPlanner) call(n *exprast.CallNode) bool {
	id, ok := n.Callee.(*exprast.IdentifierNode)
	if !ok {
		return false
	}
	h := helperTable[id.Value].numeric
	if h.Unary == nil && h.Binary == nil && h.Predicate == nil {
		return false
	}
	for _, a := range n.Arguments {
		if !p.node(a) {
			return false
		}
	}
	p.b.Call(h)
	return true
}

// concatPlan is the concatenation machine's form of a translated program that is one
// call of the concatenation helper over string constants and slots, or nil.
func concatPlan(n exprast.Node) *vm.Concat {
	c, ok := n.(*exprast.CallNode)
	if !ok || !isCall(c, hConcat) {
		return nil
	}
	parts := make([]vm.ConcatPart, 0, len(c.Arguments))
	for _, a := range c.Arguments {
		switch a := a.(type) {
		case *exprast.StringNode:
			parts = append(parts, vm.ConcatPart{Text: a.Value, Slot: -1})
		case *exprast.IdentifierNode:
			slot, ok := slotIndex(a.Value)
			if !ok {
				return nil
			}
			parts = append(parts, vm.ConcatPart{Slot: slot})
		default:
			return nil
		}
	}
	return vm.NewConcat(parts)
}
