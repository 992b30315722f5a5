package vm

import "github.com/unsproc/unsproc/value"

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

// Numeric runs a program whose values are all numbers or booleans on an unboxed float64
// stack (booleans as 1 and 0), so an evaluation allocates nothing. NumericBuilder
// assembles it from the compiler's expression tree. String constants may appear as the
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

// NumericBuilder assembles a numeric program instruction by instruction, as a compiler
// walks its expression tree. Every instruction acts on a stack of numbers (booleans as 1
// and 0, string constants as tokens); jumps are relative and patched once their target
// is known. The zero value is ready to use.
//
// The caller must only build programs whose strings are constants that reach the
// result unchanged: the machine cannot tell a string token from a number.
type NumericBuilder struct {
	code       []numOp
	consts     []any
	constIndex map[string]int
	depth      int
	maxDepth   int
	failed     bool
}

func (b *NumericBuilder) emit(o numOp, delta int) {
	b.code = append(b.code, o)
	b.depth += delta
	b.maxDepth = max(b.maxDepth, b.depth)
}

// Number pushes a constant.
func (b *NumericBuilder) Number(f float64) { b.emit(numOp{code: nPush, f: f}, 1) }

// String pushes the token of a string constant; Numeric.Constant gives the string back.
func (b *NumericBuilder) String(s string) {
	i, ok := b.constIndex[s]
	if !ok {
		if b.constIndex == nil {
			b.constIndex = map[string]int{}
		}
		i = len(b.consts)
		b.constIndex[s] = i
		b.consts = append(b.consts, s)
	}
	b.Number(float64(i))
}

// Load pushes input slot (a number, or a boolean as 1 or 0).
func (b *NumericBuilder) Load(slot int) { b.emit(numOp{code: nLoad, arg: slot}, 1) }

// Store pops the top into temporary v.
func (b *NumericBuilder) Store(v int) {
	b.failed = b.failed || v < 0 || v >= maxNumericVars
	b.emit(numOp{code: nStore, arg: v}, -1)
}

// LoadVar pushes temporary v.
func (b *NumericBuilder) LoadVar(v int) {
	b.failed = b.failed || v < 0 || v >= maxNumericVars
	b.emit(numOp{code: nLoadVar, arg: v}, 1)
}

// Binary replaces the two top numbers by the result of op: + - * / < > <= >= ==. It
// reports false for another operator.
func (b *NumericBuilder) Binary(op string) bool {
	c, ok := binaryCodes[op]
	if ok {
		b.emit(numOp{code: c}, -1)
	}
	return ok
}

// Not negates the boolean on top.
func (b *NumericBuilder) Not() { b.emit(numOp{code: nNot}, 0) }

// Pop drops the top.
func (b *NumericBuilder) Pop() { b.emit(numOp{code: nPop}, -1) }

// Call applies a helper to the top (two tops for a Binary one).
func (b *NumericBuilder) Call(fn NumericFunc) {
	switch {
	case fn.Unary != nil:
		b.emit(numOp{code: nUnary, fn: &fn}, 0)
	case fn.Binary != nil:
		b.emit(numOp{code: nBinary, fn: &fn}, -1)
	case fn.Predicate != nil:
		b.emit(numOp{code: nPredicate, fn: &fn}, 0)
	default:
		b.failed = true
	}
}

// Jump jumps unconditionally; it returns the jump's label for Patch.
func (b *NumericBuilder) Jump() int { return b.jump(nJump) }

// JumpIfTrue jumps when the top, which stays, is true; it returns the label for Patch.
func (b *NumericBuilder) JumpIfTrue() int { return b.jump(nJumpIfTrue) }

// JumpIfFalse jumps when the top, which stays, is false; it returns the label for Patch.
func (b *NumericBuilder) JumpIfFalse() int { return b.jump(nJumpIfFalse) }

func (b *NumericBuilder) jump(c numCode) int {
	b.emit(numOp{code: c}, 0)
	return len(b.code) - 1
}

// Patch makes the jump labelled j land after the last instruction emitted so far.
func (b *NumericBuilder) Patch(j int) { b.code[j].arg = len(b.code) - j - 1 }

// Build returns the program, or false when it does not fit the machine (too deep a
// stack, too many temporaries, an unusable helper, or no result).
func (b *NumericBuilder) Build() (*Numeric, bool) {
	// Expression code runs both branches of a conditional with the same net effect,
	// so the straight count of the builder bounds the depth.
	if b.failed || b.maxDepth > maxNumericStack || b.depth < 1 {
		return nil, false
	}
	code := b.code
	fuse(code)
	single := len(code) == 3 && code[0].code == nLoadPushArith
	return &Numeric{code: code, consts: b.consts, single: single}, true
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

// binaryCodes are the instructions of Binary's operators.
var binaryCodes = map[string]numCode{
	"+": nAdd, "-": nSub, "*": nMul, "/": nDiv,
	"<": nLess, ">": nMore, "<=": nLessEq, ">=": nMoreEq, "==": nEqual,
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// load reads slot i as a number (booleans as 1 and 0).
func load(in []value.Value, i int) (float64, bool) {
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
func (n *Numeric) Run(in []value.Value) (result float64, ok bool) {
	if n.single {
		op := &n.code[0]
		x, good := load(in, op.arg)
		return arithmetic(op.sub, x, op.f), good
	}
	return n.run(in)
}

func (n *Numeric) run(in []value.Value) (result float64, ok bool) {
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
