package compiler

import (
	"github.com/unsproc/unsproc/value"
)

// Machine evaluates vals (the values of Deps, as EvalSlots takes them) and names the
// machine that gave the result: numeric, concat, expr or goja.
func (p *Program) Machine(vals []any) string {
	if _, fallback, _ := p.EvalSlots(vals); fallback {
		return machineGoja.String()
	}
	in := make([]value.Value, len(vals))
	for i, v := range vals {
		in[i] = value.FromAny(v)
	}
	return p.machineFor(in).String()
}

// machineFor names the machine that evaluates in (the values of Deps, numbers unboxed)
// unless a helper hands the evaluation to goja at run time.
func (p *Program) machineFor(in []value.Value) machine {
	if !p.fast {
		return machineGoja
	}
	ext, ok := in, true
	if len(p.members) > 0 {
		ext, ok = p.withMembers(in, nil)
	}
	if !ok {
		return machineGoja
	}
	sig := p.signatureFor(ext)
	switch {
	case sig == nil || sig.prog == nil:
		return machineGoja
	case sig.numeric != nil:
		return machineNumeric
	case sig.concat != nil:
		return machineConcat
	}
	return machineExpr
}
