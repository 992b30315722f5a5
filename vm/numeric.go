package vm

import (
	exprvm "github.com/expr-lang/expr/vm"
)

// maxNumericStack bounds the stack depth of a numeric program.
const maxNumericStack = 32

// maxNumericVars bounds the `let` temporaries of a numeric program.
const maxNumericVars = 8

// NumericFunc is a helper as the numeric machine calls it; exactly one field is set.
type NumericFunc struct {
	Unary     func(float64) (float64, bool) // ok=false hands the evaluation to goja
	Binary    func(a, b float64) (float64, bool)
	Predicate func(float64) bool
}

// Numeric runs the bytecode of an expr program whose values are all numbers or booleans
// on an unboxed float64 stack (booleans as 1 and 0), so an evaluation allocates nothing.
// It executes the same instructions as the expr VM, one for one, and is built only for
// programs made of the instructions it knows. String constants may appear as the
// results of such a program (`press > 20 ? "high" : "normal"`): they travel on the
// stack as their index in a table of pre-boxed constants, which Constant resolves.
type Numeric struct {
	code   []numOp
	consts []any
	// single marks a program that is one fused `load slot; push c; op` (press +
	// 4.00001): Run computes it without setting up a stack.
	single bool
}

// Constant returns the string constant a result of Run stands for, when the program
// computes a string.
func (n *Numeric) Constant(result float64) any {
	i := int(result)
	if i < 0 || i >= len(n.consts) || float64(i) != result {
		return nil
	}
	return n.consts[i]
}

type numCode uint8

const (
	nPush numCode = iota
	nLoad
	nNop
	nStore
	nLoadVar
	nAdd
	nSub
	nMul
	nDiv
	nLess
	nMore
	nLessEq
	nMoreEq
	nEqual
	nNot
	nJump
	nJumpIfTrue
	nJumpIfFalse
	nPop
	nUnary
	nBinary
	nPredicate
	// Fused instructions (see fuse): an arithmetic operation with a constant operand,
	// and the same after loading a slot.
	nPushArith
	nLoadPushArith
)

type numOp struct {
	code numCode
	arg  int
	f    float64
	fn   *NumericFunc
	sub  numCode // the arithmetic of a fused instruction
}

// NewNumeric converts p for the numeric machine. helpers names the functions p may
// call. It reports false when p uses an instruction or value the machine does not know.
//
// The caller must only build it for programs whose strings are constants that reach
// the result unchanged: the machine cannot tell a string token from a number.
func NewNumeric(p *exprvm.Program, helpers map[string]NumericFunc) (*Numeric, bool) {
	code := make([]numOp, len(p.Bytecode))
	var consts []any
	constIndex := map[string]int{}
	depth, maxDepth := 0, 0
	for i, op := range p.Bytecode {
		arg := p.Arguments[i]
		o := numOp{code: nNop, arg: arg}
		delta := 0
		switch op {
		case exprvm.OpPush:
			switch c := p.Constants[arg].(type) {
			case float64:
				o.code, o.f = nPush, c
			case bool:
				o.code, o.f = nPush, boolFloat(c)
			case string:
				i, ok := constIndex[c]
				if !ok {
					i = len(consts)
					constIndex[c] = i
					consts = append(consts, c)
				}
				o.code, o.f = nPush, float64(i)
			default:
				return nil, false
			}
			delta = 1
		case exprvm.OpTrue, exprvm.OpFalse:
			o.code, o.f, delta = nPush, boolFloat(op == exprvm.OpTrue), 1
		case exprvm.OpLoadFast:
			name, _ := p.Constants[arg].(string)
			if slot, ok := SlotIndex(name); ok {
				o.code, o.arg, delta = nLoad, slot, 1
				break
			}
			h, ok := helpers[name]
			if !ok || i+1 >= len(p.Bytecode) || p.Bytecode[i+1] != exprvm.OpCallTyped {
				return nil, false
			}
			fn := h
			code[i+1] = numOp{fn: &fn}
			switch {
			case h.Unary != nil:
				code[i+1].code = nUnary
			case h.Binary != nil:
				code[i+1].code = nBinary
				delta = -1
			case h.Predicate != nil:
				code[i+1].code = nPredicate
			default:
				return nil, false
			}
		case exprvm.OpCallTyped:
			if i == 0 || code[i].fn == nil {
				return nil, false
			}
			continue // filled in by the preceding helper load
		case exprvm.OpDeref:
		case exprvm.OpStore:
			if arg >= maxNumericVars {
				return nil, false
			}
			o.code, delta = nStore, -1
		case exprvm.OpLoadVar:
			if arg >= maxNumericVars {
				return nil, false
			}
			o.code, delta = nLoadVar, 1
		case exprvm.OpAdd, exprvm.OpSubtract, exprvm.OpMultiply, exprvm.OpDivide,
			exprvm.OpLess, exprvm.OpMore, exprvm.OpLessOrEqual, exprvm.OpMoreOrEqual, exprvm.OpEqual:
			o.code, delta = binaryCodes[op], -1
		case exprvm.OpNot:
			o.code = nNot
		case exprvm.OpJump:
			o.code = nJump
		case exprvm.OpJumpIfTrue:
			o.code = nJumpIfTrue
		case exprvm.OpJumpIfFalse:
			o.code = nJumpIfFalse
		case exprvm.OpPop:
			o.code, delta = nPop, -1
		default:
			return nil, false
		}
		code[i] = o
		// Expression code runs both branches of a conditional with the same net
		// effect, so a straight scan bounds the depth.
		depth += delta
		if depth > maxDepth {
			maxDepth = depth
		}
	}
	if maxDepth > maxNumericStack || depth < 1 {
		return nil, false
	}
	fuse(code)
	single := len(code) == 3 && code[0].code == nLoadPushArith
	return &Numeric{code: code, consts: consts, single: single}, true
}

// fuse rewrites the commonest sequences into single instructions: `push c; op` becomes
// one instruction, and so does `load slot; push c; op` (press + 4.00001, tF * 69). The
// fused instruction skips the ones it covers, which stay in place: a jump that lands
// among them still runs them one by one.
func fuse(code []numOp) {
	arith := func(c numCode) bool { return c == nAdd || c == nSub || c == nMul || c == nDiv }
	for i := 0; i+1 < len(code); i++ {
		switch {
		case i+2 < len(code) && code[i].code == nLoad && code[i+1].code == nPush && arith(code[i+2].code):
			code[i] = numOp{code: nLoadPushArith, arg: code[i].arg, f: code[i+1].f, sub: code[i+2].code}
		case code[i].code == nPush && arith(code[i+1].code):
			code[i] = numOp{code: nPushArith, f: code[i].f, sub: code[i+1].code}
		}
	}
}

// arithmetic applies a fused instruction's operation.
func arithmetic(sub numCode, a, b float64) float64 {
	switch sub {
	case nAdd:
		return a + b
	case nSub:
		return a - b
	case nMul:
		return a * b
	}
	return a / b
}

var binaryCodes = map[exprvm.Opcode]numCode{
	exprvm.OpAdd: nAdd, exprvm.OpSubtract: nSub, exprvm.OpMultiply: nMul, exprvm.OpDivide: nDiv,
	exprvm.OpLess: nLess, exprvm.OpMore: nMore, exprvm.OpLessOrEqual: nLessEq,
	exprvm.OpMoreOrEqual: nMoreEq, exprvm.OpEqual: nEqual,
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// load reads slot i as a number (booleans as 1 and 0).
func load(in []Value, i int) (float64, bool) {
	if i >= len(in) {
		return 0, false
	}
	v := &in[i]
	if v.IsNum {
		return v.Num, true
	}
	switch x := v.Any.(type) {
	case bool:
		return boolFloat(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// Run evaluates the program with in[i] bound to slot i (a number or a bool). The result
// is a number, or 1 and 0 for a boolean program. ok is false when a value has another
// type or a helper cannot reproduce a case: the caller then uses goja.
func (n *Numeric) Run(in []Value) (result float64, ok bool) {
	if n.single {
		op := &n.code[0]
		x, good := load(in, op.arg)
		return arithmetic(op.sub, x, op.f), good
	}
	return n.run(in)
}

func (n *Numeric) run(in []Value) (result float64, ok bool) {
	var stack [maxNumericStack]float64
	var vars [maxNumericVars]float64
	sp := 0
	code := n.code
	for ip := 0; ip < len(code); ip++ {
		op := &code[ip]
		switch op.code {
		case nPush:
			stack[sp] = op.f
			sp++
		case nLoad:
			x, good := load(in, op.arg)
			if !good {
				return 0, false
			}
			stack[sp] = x
			sp++
		case nNop:
		case nStore:
			sp--
			vars[op.arg] = stack[sp]
		case nLoadVar:
			stack[sp] = vars[op.arg]
			sp++
		case nAdd:
			sp--
			stack[sp-1] += stack[sp]
		case nSub:
			sp--
			stack[sp-1] -= stack[sp]
		case nMul:
			sp--
			stack[sp-1] *= stack[sp]
		case nDiv:
			sp--
			stack[sp-1] /= stack[sp]
		case nLess:
			sp--
			stack[sp-1] = boolFloat(stack[sp-1] < stack[sp])
		case nMore:
			sp--
			stack[sp-1] = boolFloat(stack[sp-1] > stack[sp])
		case nLessEq:
			sp--
			stack[sp-1] = boolFloat(stack[sp-1] <= stack[sp])
		case nMoreEq:
			sp--
			stack[sp-1] = boolFloat(stack[sp-1] >= stack[sp])
		case nEqual:
			sp--
			stack[sp-1] = boolFloat(stack[sp-1] == stack[sp])
		case nNot:
			stack[sp-1] = 1 - stack[sp-1]
		case nJump:
			ip += op.arg
		case nJumpIfTrue:
			if stack[sp-1] != 0 {
				ip += op.arg
			}
		case nJumpIfFalse:
			if stack[sp-1] == 0 {
				ip += op.arg
			}
		case nPop:
			sp--
		case nUnary:
			f, good := op.fn.Unary(stack[sp-1])
			if !good {
				return 0, false
			}
			stack[sp-1] = f
		case nBinary:
			sp--
			f, good := op.fn.Binary(stack[sp-1], stack[sp])
			if !good {
				return 0, false
			}
			stack[sp-1] = f
		case nPredicate:
			stack[sp-1] = boolFloat(op.fn.Predicate(stack[sp-1]))
		case nPushArith:
			stack[sp-1] = arithmetic(op.sub, stack[sp-1], op.f)
			ip++
		case nLoadPushArith:
			x, good := load(in, op.arg)
			if !good {
				return 0, false
			}
			stack[sp] = arithmetic(op.sub, x, op.f)
			sp++
			ip += 2
		}
	}
	return stack[sp-1], true
}
