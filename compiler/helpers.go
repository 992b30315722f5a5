package compiler

import (
	"errors"
	"math"

	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/vm"
)

// errDeopt is raised (as a panic, which the expr VM returns as an error) by a helper
// that meets a case it cannot reproduce exactly; the evaluation is then re-run in goja.
var errDeopt = errors.New("fast path cannot reproduce this case exactly")

// Helper names, as the translated programs call them. The prefix keeps them clear of
// expr builtins and of the slot names.
const (
	hNumStr    = "js_numstr"
	hConcat    = "js_concat"
	hStrNum    = "js_strnum"
	hStrFloat  = "js_strfloat"
	hTruthy    = "js_truthy"
	hNeg       = "js_neg"
	hNegStr    = "js_negstr"
	hMul       = "js_mul"
	hMod       = "js_mod"
	hPow       = "js_pow"
	hMax       = "js_max"
	hMin       = "js_min"
	hAtan2     = "js_atan2"
	hHypot     = "js_hypot"
	hToFixed   = "js_tofixed"
	hStrLen    = "js_strlen"
	hUpper     = "js_upper"
	hLower     = "js_lower"
	hParseF    = "js_parsefloat"
	hIsNaN     = "js_isnan"
	hIsFinite  = "js_isfinite"
	hStrLess   = "js_strlt"
	hStrLessEq = "js_strle"
	hStrGt     = "js_strgt"
	hStrGtEq   = "js_strge"
)

// mathFuncs are the one-argument Math functions the fast path calls, by JS name.
var mathFuncs = map[string]func(float64) float64{
	"sqrt": compat.Sqrt, "abs": compat.Abs, "floor": compat.Floor, "ceil": compat.Ceil,
	"round": compat.Round, "trunc": compat.Trunc, "sign": compat.Sign, "cbrt": compat.Cbrt,
	"exp": compat.Exp, "log": compat.Log, "log10": compat.Log10, "log2": compat.Log2,
	"sin": compat.Sin, "cos": compat.Cos, "tan": compat.Tan, "atan": compat.Atan,
}

// mathFuncs2 are the two-argument Math functions, by JS name, with their helper names.
var mathFuncs2 = map[string]string{"pow": hPow, "atan2": hAtan2, "hypot": hHypot}

// mathConstants are the Math properties the fast path folds to constants.
var mathConstants = map[string]float64{
	"PI": math.Pi, "E": math.E, "LN2": math.Ln2, "LN10": math.Ln10, "LOG2E": math.Log2E,
	"LOG10E": math.Log10E, "SQRT2": math.Sqrt2, "SQRT1_2": math.Sqrt2 / 2,
}

func mathHelperName(name string) string { return "js_math_" + name }

// binaryFloat adapts a two-number function to the signature the expr VM calls without
// reflection (func(any, any) any); the result is boxed exactly as a native operator's.
func binaryFloat(f func(a, b float64) (float64, bool)) func(a, b any) any {
	return func(a, b any) any {
		v, ok := f(a.(float64), b.(float64))
		if !ok {
			panic(errDeopt)
		}
		return v
	}
}

// deoptOnFail adapts a helper that may not reproduce a case to the expr VM, which learns
// of the failure through a panic carrying errDeopt.
func deoptOnFail(f func(float64) (float64, bool)) func(float64) float64 {
	return func(x float64) float64 {
		v, ok := f(x)
		if !ok {
			panic(errDeopt)
		}
		return v
	}
}

// deoptOnFailString is deoptOnFail for a conversion of a string to a number.
func deoptOnFailString(f func(string) (float64, bool)) func(string) float64 {
	return func(s string) float64 {
		v, ok := f(s)
		if !ok {
			panic(errDeopt)
		}
		return v
	}
}

// concatParts is JavaScript's + over a chain of primitive parts: each is converted with
// ToString (numbers as Number::toString, booleans, null) and the results are joined.
func concatParts(parts ...any) any {
	var buf [256]byte
	b := buf[:0]
	for _, p := range parts {
		b, _ = compat.AppendPrimitive(b, p) // the translator passes primitives only
	}
	return string(b)
}

func isNaN(f float64) bool    { return f != f }
func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// helper is one function translated programs may call: its form for the expr VM, and
// its form for the numeric machine when it takes and returns numbers only.
type helper struct {
	expr    any
	numeric vm.NumericFunc
}

func numericHelper(f func(a, b float64) float64) helper {
	return checkedHelper(exact2(f))
}

func exact2(f func(a, b float64) float64) func(a, b float64) (float64, bool) {
	return func(a, b float64) (float64, bool) { return f(a, b), true }
}

func checkedHelper(f func(a, b float64) (float64, bool)) helper {
	return helper{expr: binaryFloat(f), numeric: vm.NumericFunc{Binary: f}}
}

func predicateHelper(f func(float64) bool) helper {
	return helper{expr: f, numeric: vm.NumericFunc{Predicate: f}}
}

func exact(f func(float64) float64) func(float64) (float64, bool) {
	return func(x float64) (float64, bool) { return f(x), true }
}

// helperTable lists every helper by name.
var helperTable = func() map[string]helper {
	h := map[string]helper{
		hNumStr:   {expr: compat.FormatNumber},
		hConcat:   {expr: concatParts},
		hStrNum:   {expr: deoptOnFailString(compat.StringToNumber)},
		hNegStr:   {expr: deoptOnFailString(compat.NegateString)},
		hStrFloat: {expr: compat.StringToFloat},
		hTruthy:   predicateHelper(compat.Truthy),
		hNeg:      {expr: deoptOnFail(compat.Neg), numeric: vm.NumericFunc{Unary: compat.Neg}},
		hMul:      numericHelper(compat.Mul),
		hMod:      numericHelper(compat.Mod),
		hPow:      numericHelper(compat.Pow),
		hMax:      numericHelper(compat.Max),
		hMin:      numericHelper(compat.Min),
		hAtan2:    numericHelper(compat.Atan2),
		hHypot:    numericHelper(compat.Hypot2),
		hIsNaN:    predicateHelper(isNaN),
		hIsFinite: predicateHelper(isFinite),
		hToFixed: {expr: func(x, digits any) any {
			s, ok := compat.ToFixed(x.(float64), digits.(float64))
			if !ok {
				panic(errDeopt)
			}
			return s
		}},
		hStrLen:    {expr: func(s string) float64 { return float64(compat.StringLength(s)) }},
		hUpper:     {expr: compat.ToUpper},
		hLower:     {expr: compat.ToLower},
		hParseF:    {expr: compat.ParseFloat},
		hStrLess:   {expr: func(a, b string) bool { return compat.CompareStrings(a, b) < 0 }},
		hStrLessEq: {expr: func(a, b string) bool { return compat.CompareStrings(a, b) <= 0 }},
		hStrGt:     {expr: func(a, b string) bool { return compat.CompareStrings(a, b) > 0 }},
		hStrGtEq:   {expr: func(a, b string) bool { return compat.CompareStrings(a, b) >= 0 }},
	}
	for name, f := range mathFuncs {
		h[mathHelperName(name)] = helper{expr: f, numeric: vm.NumericFunc{Unary: exact(f)}}
	}
	return h
}()

// helpers is the expr environment of helper functions; numericHelpers are the helpers
// the numeric machine can call.
var helpers, numericHelpers = func() (map[string]any, map[string]vm.NumericFunc) {
	e := make(map[string]any, len(helperTable))
	n := make(map[string]vm.NumericFunc, len(helperTable))
	for name, h := range helperTable {
		e[name] = h.expr
		if h.numeric.Unary != nil || h.numeric.Binary != nil || h.numeric.Predicate != nil {
			n[name] = h.numeric
		}
	}
	return e, n
}()
