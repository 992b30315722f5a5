package compiler

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"

	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/value"
	"github.com/unsproc/unsproc/vm"
)

// builtins is the one table of the JavaScript built-ins the fast path runs. Translation
// looks calls and properties up here; the helper environment, the fallback reasons for
// misuse and Builtins (which the docs are generated from) are derived from it. Adding a
// one-argument Math function is one mathFunc row plus its compat helper.
var builtins = []builtin{
	mathFunc("abs", compat.Abs),
	mathFunc("ceil", compat.Ceil),
	mathFunc("floor", compat.Floor),
	mathFunc("round", compat.Round),
	mathFunc("trunc", compat.Trunc),
	// goja's Math.sign returns a non-number argument itself when it converts to ±0 or
	// NaN (Math.sign("x") is "x"): only numbers are lowered.
	numbersOnly(mathFunc("sign", compat.Sign)),
	mathFunc("sqrt", compat.Sqrt),
	mathFunc("cbrt", compat.Cbrt),
	mathFunc("exp", compat.Exp),
	mathFunc("log", compat.Log),
	mathFunc("log2", compat.Log2),
	mathFunc("log10", compat.Log10),
	mathFunc("sin", compat.Sin),
	mathFunc("cos", compat.Cos),
	mathFunc("tan", compat.Tan),
	mathFunc("atan", compat.Atan),
	mathFunc2("pow", compat.Pow),
	mathFunc2("atan2", compat.Atan2),
	mathFunc2("hypot", compat.Hypot2),
	mathFold("max", compat.Max, math.Inf(-1)),
	mathFold("min", compat.Min, math.Inf(1)),

	mathConstant("PI", math.Pi),
	mathConstant("E", math.E),
	mathConstant("LN2", math.Ln2),
	mathConstant("LN10", math.Ln10),
	mathConstant("LOG2E", math.Log2E),
	mathConstant("LOG10E", math.Log10E),
	mathConstant("SQRT2", math.Sqrt2),
	mathConstant("SQRT1_2", math.Sqrt2/2),

	{site: siteGlobal, name: "String", minArgs: 1, maxArgs: 1, operands: primitives, fastest: machineExpr,
		lower: func(_ *translator, _ *builtin, _ lowered, a []lowered) lowered { return toString(a[0]) }},
	{site: siteGlobal, name: "Number", minArgs: 1, maxArgs: 1, operands: primitives, fastest: machineNumeric,
		lower: func(t *translator, _ *builtin, _ lowered, a []lowered) lowered { return t.toNumber(a[0]) }},
	// Boolean(x) is x's truthiness, where && and || reduce to boolean logic.
	{site: siteGlobal, name: "Boolean", minArgs: 1, maxArgs: 1, operands: primitives, conv: convTest, fastest: machineNumeric,
		lower: func(_ *translator, _ *builtin, _ lowered, a []lowered) lowered { return a[0] }},
	helperCall(siteGlobal, "isNaN", kindsOf(value.Number), math.IsNaN, value.Bool),
	helperCall(siteGlobal, "isFinite", kindsOf(value.Number), compat.IsFinite, value.Bool),
	helperCall(siteGlobal, "parseFloat", kindsOf(value.String), compat.ParseFloat, value.Number),

	{site: siteMethod, name: "toFixed", receiver: kindsOf(value.Number), minArgs: 0, maxArgs: 1, operands: kindsOf(value.Number),
		impl: compat.ToFixed, fastest: machineExpr,
		lower: func(t *translator, b *builtin, recv lowered, a []lowered) lowered {
			digits := t.number(0)
			if len(a) == 1 {
				digits = a[0]
			}
			return lowered{node: call(b.helper(), recv.node, digits.node), kind: value.String}
		}},
	{site: siteMethod, name: "toString", receiver: kindsOf(value.Number, value.String), fastest: machineExpr,
		lower: func(_ *translator, _ *builtin, recv lowered, _ []lowered) lowered { return toString(recv) }},
	helperMethod("toUpperCase", compat.ToUpper, value.String),
	helperMethod("toLowerCase", compat.ToLower, value.String),
	{site: siteProperty, name: "length", receiver: kindsOf(value.String), impl: compat.StringLength, fastest: machineExpr,
		lower: func(_ *translator, b *builtin, recv lowered, _ []lowered) lowered {
			return lowered{node: call(b.helper(), recv.node), kind: value.Number}
		}},
}

// site is where a built-in is found in JavaScript.
type site uint8

const (
	siteMath         site = iota // a function of the Math namespace: Math.sqrt(x)
	siteMathConstant             // a constant of the Math namespace: Math.PI
	siteGlobal                   // a global function: isNaN(x)
	siteMethod                   // a method of a primitive receiver: x.toFixed(2)
	siteProperty                 // a property of a primitive receiver: s.length
)

// conversion says how the arguments of a built-in are lowered.
type conversion uint8

const (
	convNone    conversion = iota // as they are: each must be of one of the operand kinds
	convToFloat                   // as Math converts them (ToFloat: its string conversion differs from ToNumber's)
	convTest                      // only their truthiness, where && and || reduce to boolean logic
)

// kindSet is a set of kinds.
type kindSet uint8

func kindsOf(ks ...value.Kind) kindSet {
	var s kindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

func (s kindSet) has(k value.Kind) bool { return s&(1<<k) != 0 }

// primitives are the kinds of values the fast path computes with.
var primitives = kindsOf(value.Number, value.String, value.Bool, value.Null)

// kindNames name the kinds in fallback reasons and docs.
var kindNames = [...]string{value.Other: "object", value.Number: "number", value.String: "string", value.Bool: "boolean", value.Null: "null"}

// names lists the kinds of s.
func (s kindSet) names() []string {
	var out []string
	for _, k := range []value.Kind{value.Number, value.String, value.Bool, value.Null} {
		if s.has(k) {
			out = append(out, kindNames[k])
		}
	}
	return out
}

// firstMissing is the first primitive kind s lacks; ok is false when s has them all.
func (s kindSet) firstMissing() (value.Kind, bool) {
	for _, k := range []value.Kind{value.Number, value.String, value.Bool, value.Null} {
		if !s.has(k) {
			return k, true
		}
	}
	return value.Other, false
}

// builtin is one row of the table.
type builtin struct {
	site     site
	name     string
	receiver kindSet // methods and properties: the receiver kinds lowered (one row per name)
	minArgs  int
	maxArgs  int        // -1: any number
	operands kindSet    // the argument kinds lowered (after conv)
	conv     conversion // how the arguments are lowered
	impl     any        // the function with the JavaScript semantics; nil when lowered inline
	value    float64    // a constant's value
	// fastest is the fastest machine a call runs on when its operands are of the
	// first operand kind (the expr VM runs every fast-path program).
	fastest machine
	lower   func(t *translator, b *builtin, recv lowered, args []lowered) lowered
}

// mathFunc is a one-argument Math function computed by f.
func mathFunc(name string, f func(float64) float64) builtin {
	return builtin{site: siteMath, name: name, minArgs: 1, maxArgs: 1, operands: primitives, conv: convToFloat,
		impl: f, fastest: machineNumeric, lower: lowerMathFunc}
}

// lowerMathFunc folds a constant argument with the function the program would call.
func lowerMathFunc(t *translator, b *builtin, _ lowered, a []lowered) lowered {
	if a[0].num != nil {
		return t.number(b.impl.(func(float64) float64)(*a[0].num))
	}
	return lowered{node: call(b.helper(), a[0].node), kind: value.Number}
}

// numbersOnly restricts a Math function to number arguments, lowered unconverted.
func numbersOnly(b builtin) builtin {
	b.operands, b.conv = kindsOf(value.Number), convNone
	return b
}

// mathFunc2 is a two-argument Math function computed by f.
func mathFunc2(name string, f func(a, b float64) float64) builtin {
	return builtin{site: siteMath, name: name, minArgs: 2, maxArgs: 2, operands: primitives, conv: convToFloat,
		impl: f, fastest: machineNumeric,
		lower: func(_ *translator, b *builtin, _ lowered, a []lowered) lowered {
			return lowered{node: call(b.helper(), a[0].node, a[1].node), kind: value.Number}
		}}
}

// mathFold is a Math function of any number of arguments computed as goja does: step
// applied from start over the arguments, left to right.
func mathFold(name string, step func(a, b float64) float64, start float64) builtin {
	return builtin{site: siteMath, name: name, minArgs: 0, maxArgs: -1, operands: primitives, conv: convToFloat,
		impl: step, fastest: machineNumeric,
		lower: func(t *translator, b *builtin, _ lowered, a []lowered) lowered {
			acc := t.number(start)
			for _, x := range a {
				acc = lowered{node: call(b.helper(), acc.node, x.node), kind: value.Number}
			}
			return acc
		}}
}

// mathConstant is a constant of the Math namespace, folded into the program.
func mathConstant(name string, v float64) builtin {
	return builtin{site: siteMathConstant, name: name, value: v, fastest: machineNumeric,
		lower: func(t *translator, b *builtin, _ lowered, _ []lowered) lowered { return t.number(b.value) }}
}

// helperCall is a one-argument function of operands of the given kinds, computed by f.
func helperCall(s site, name string, operands kindSet, f any, result value.Kind) builtin {
	fastest := machineExpr
	if operands == kindsOf(value.Number) && (result == value.Number || result == value.Bool) {
		fastest = machineNumeric
	}
	return builtin{site: s, name: name, minArgs: 1, maxArgs: 1, operands: operands, impl: f, fastest: fastest,
		lower: func(_ *translator, b *builtin, _ lowered, a []lowered) lowered {
			return lowered{node: call(b.helper(), a[0].node), kind: result}
		}}
}

// helperMethod is a method without arguments of receivers of kind recv, computed by f.
func helperMethod(name string, f any, recv value.Kind) builtin {
	return builtin{site: siteMethod, name: name, receiver: kindsOf(recv), impl: f, fastest: machineExpr,
		lower: func(_ *translator, b *builtin, r lowered, _ []lowered) lowered {
			return lowered{node: call(b.helper(), r.node), kind: value.String}
		}}
}

// what names the built-in as JavaScript writes it (Math.sqrt, isNaN, toFixed).
func (b *builtin) what() string {
	if b.site == siteMath || b.site == siteMathConstant {
		return "Math." + b.name
	}
	return b.name
}

// helper is the name translated programs call impl by. The prefix keeps it clear of
// expr builtins, slot names and the operators' helpers.
func (b *builtin) helper() string {
	prefix := [...]string{siteMath: "js_math_", siteGlobal: "js_g_", siteMethod: "js_m_", siteProperty: "js_p_"}[b.site]
	return prefix + b.name
}

// argsReason is the fallback reason for an argument of kind k.
func (b *builtin) argsReason(k value.Kind) string {
	return fmt.Sprintf("%s with a%s %s argument", b.what(), article(kindNames[k]), kindNames[k])
}

// receiverReason is the fallback reason for a receiver of kind k.
func receiverReason(name string, k value.Kind) string {
	return fmt.Sprintf("%s of a%s %s", name, article(kindNames[k]), kindNames[k])
}

// arityReason is the fallback reason for a call with n arguments.
func arityReason(what string, n int) string {
	if n == 1 {
		return what + " with 1 argument"
	}
	return fmt.Sprintf("%s with %d arguments", what, n)
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "n"
	}
	return ""
}

// builtinKey finds a row by where the built-in lives and its name.
type builtinKey struct {
	site site
	name string
}

// builtinIndex holds the rows of builtins by key.
var builtinIndex = func() map[builtinKey]*builtin {
	m := make(map[builtinKey]*builtin, len(builtins))
	for i := range builtins {
		b := &builtins[i]
		m[builtinKey{b.site, b.name}] = b
	}
	return m
}()

// lookupBuiltin returns the row of a name at a site, or nil.
func lookupBuiltin(s site, name string) *builtin { return builtinIndex[builtinKey{s, name}] }

// builtinHelpers are the helpers of the table's rows, by the name programs call them.
func builtinHelpers() map[string]helper {
	h := make(map[string]helper, len(builtins))
	for i := range builtins {
		if b := &builtins[i]; b.impl != nil {
			h[b.helper()] = helperFor(b.impl)
		}
	}
	return h
}

// helperFor adapts a built-in's function to the forms the machines call: the expr VM
// calls the typed forms without reflection, the numeric machine those over numbers.
func helperFor(impl any) helper {
	switch f := impl.(type) {
	case func(float64) float64:
		return helper{expr: f, numeric: vm.NumericFunc{Unary: exact(f)}}
	case func(a, b float64) float64:
		return numericHelper(f)
	case func(float64) bool:
		return predicateHelper(f)
	case func(x, digits float64) (string, bool):
		return helper{expr: func(x, digits any) any {
			s, ok := f(x.(float64), digits.(float64))
			if !ok {
				panic(errDeopt)
			}
			return s
		}}
	case func(string) int:
		return helper{expr: func(s string) float64 { return float64(f(s)) }}
	case func(string) string, func(string) float64:
		return helper{expr: f}
	}
	panic(fmt.Sprintf("compiler: built-in helper of unsupported type %T", impl)) // a table error, met at start-up
}

// Builtin describes one JavaScript built-in the fast path runs, as the docs list it.
type Builtin struct {
	Name     string   // as JavaScript writes it: "Math.sqrt", "Math.PI", "isNaN"; methods and properties ".toFixed", ".length"
	Arity    string   // the argument counts lowered: "1", "0–1", "any"; "" for a constant or property
	Operands []string // the kinds of the arguments (for methods and properties: of the receiver) lowered
	Helper   string   // the function giving its JavaScript semantics ("compat.Sqrt"); "" when lowered inline
	Machines []string // the machines a call can run on, fastest first: "numeric", "concat", "expr"
	Fallback string   // the fallback reason for an operand of another kind; "" when every primitive is lowered
}

// Builtins returns the built-ins the fast path runs, in the order of the table: the
// rest of JavaScript's built-ins runs on goja.
func Builtins() []Builtin {
	out := make([]Builtin, 0, len(builtins))
	for i := range builtins {
		out = append(out, builtins[i].describe())
	}
	return out
}

func (b *builtin) describe() Builtin {
	d := Builtin{Name: b.what(), Machines: []string{b.fastest.String()}}
	if b.fastest != machineExpr {
		d.Machines = append(d.Machines, machineExpr.String())
	}
	if b.impl != nil {
		d.Helper = funcName(b.impl)
	}
	switch b.site {
	case siteMethod, siteProperty:
		d.Name = "." + b.name
		d.Operands = b.receiver.names()
		if k, ok := b.receiver.firstMissing(); ok {
			d.Fallback = receiverReason(b.name, k)
		}
	case siteMath, siteGlobal:
		d.Operands = b.operands.names()
		if k, ok := b.operands.firstMissing(); ok {
			d.Fallback = b.argsReason(k)
		}
	}
	if b.site != siteMathConstant && b.site != siteProperty {
		switch {
		case b.maxArgs < 0:
			d.Arity = "any"
		case b.minArgs == b.maxArgs:
			d.Arity = fmt.Sprint(b.minArgs)
		default:
			d.Arity = fmt.Sprintf("%d–%d", b.minArgs, b.maxArgs)
		}
	}
	return d
}

// funcName names a function by its package and name, as "compat.Sqrt".
func funcName(f any) string {
	full := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	return full[strings.LastIndex(full, "/")+1:]
}

// machine is one of the engines that run an evaluation.
type machine uint8

const (
	machineGoja    machine = iota // the goja sandbox
	machineExpr                   // the expr VM
	machineConcat                 // the concatenation machine
	machineNumeric                // the numeric machine
)

// String names the machine.
func (m machine) String() string {
	return [...]string{machineGoja: "goja", machineExpr: "expr", machineConcat: "concat", machineNumeric: "numeric"}[m]
}
