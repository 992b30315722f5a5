package vm

import (
	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/value"
)

// Concat runs a JavaScript concatenation of string constants and slots (templates such
// as `T=${tF}` and chains such as "Pump-" + id) without the expr VM: the parts are
// appended to one buffer, numbers formatted straight from their unboxed value, so an
// evaluation allocates only the resulting string.
type Concat struct {
	parts []ConcatPart
}

// ConcatPart is one part of a concatenation: the slot Slot when Slot >= 0, otherwise
// the constant Text.
type ConcatPart struct {
	Text string
	Slot int
}

// NewConcat returns the machine that joins parts, each converted by JavaScript's
// ToString.
func NewConcat(parts []ConcatPart) *Concat {
	return &Concat{parts: parts}
}

// Run concatenates the parts with in[i] bound to slot i, each converted by JavaScript's
// ToString (numbers as Number::toString, booleans, null). ok is false for an input of
// another kind.
func (c *Concat) Run(in []value.Value) (s string, ok bool) {
	var buf [256]byte
	b := buf[:0]
	for _, p := range c.parts {
		if p.Slot < 0 {
			b = append(b, p.Text...)
			continue
		}
		if p.Slot >= len(in) {
			return "", false
		}
		if v := &in[p.Slot]; v.IsNum {
			b = compat.AppendNumber(b, v.Num)
		} else if b, ok = compat.AppendPrimitive(b, v.Any); !ok {
			return "", false
		}
	}
	return string(b), true
}
