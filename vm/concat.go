package vm

import (
	exprvm "github.com/expr-lang/expr/vm"

	"github.com/unsproc/unsproc/compat"
)

// Concat runs an expr program that is one call of the concatenation helper over string
// constants and slots (templates such as `T=${tF}` and chains such as "Pump-" + id)
// without the expr VM: the parts are appended to one buffer, numbers formatted straight
// from their unboxed value, so an evaluation allocates only the resulting string.
type Concat struct {
	parts []concatPart
}

// concatPart is a string constant, or a slot when slot >= 0.
type concatPart struct {
	text string
	slot int
}

// NewConcat converts p when it is exactly `helper(part, part, …)` with every part a
// string constant or a slot, where helper names the concatenation function (JavaScript
// + over primitives). It reports false otherwise.
func NewConcat(p *exprvm.Program, helper string) (*Concat, bool) {
	code := p.Bytecode
	if len(code) < 2 || code[len(code)-2] != exprvm.OpLoadFast || code[len(code)-1] != exprvm.OpCallFast {
		return nil, false
	}
	if name, _ := p.Constants[p.Arguments[len(code)-2]].(string); name != helper {
		return nil, false
	}
	parts := make([]concatPart, 0, len(code)-2)
	for i, op := range code[:len(code)-2] {
		arg := p.Arguments[i]
		switch op {
		case exprvm.OpPush:
			s, ok := p.Constants[arg].(string)
			if !ok {
				return nil, false
			}
			parts = append(parts, concatPart{text: s, slot: -1})
		case exprvm.OpLoadFast:
			name, _ := p.Constants[arg].(string)
			slot, ok := slotIndex(name)
			if !ok {
				return nil, false
			}
			parts = append(parts, concatPart{slot: slot})
		default:
			return nil, false
		}
	}
	if p.Arguments[len(code)-1] != len(parts) {
		return nil, false
	}
	return &Concat{parts: parts}, true
}

// Run concatenates the parts with in[i] bound to slot i, each converted by JavaScript's
// ToString (numbers as Number::toString, booleans, null). ok is false for an input of
// another kind.
func (c *Concat) Run(in []Value) (s string, ok bool) {
	var buf [256]byte
	b := buf[:0]
	for _, p := range c.parts {
		if p.slot < 0 {
			b = append(b, p.text...)
			continue
		}
		if p.slot >= len(in) {
			return "", false
		}
		if v := &in[p.slot]; v.IsNum {
			b = compat.AppendNumber(b, v.Num)
		} else if b, ok = compat.AppendPrimitive(b, v.Any); !ok {
			return "", false
		}
	}
	return string(b), true
}
