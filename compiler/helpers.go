package compiler

import (
	"errors"

	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/vm"
)

// errDeopt is raised (as a panic, which the expr VM returns as an error) by a helper
// that meets a case it cannot reproduce exactly; the evaluation is then re-run in goja.
var errDeopt = errors.New("fast path cannot reproduce this case exactly")

// Names of the operators' and conversions' helpers, as the translated programs call them
// (the built-ins' are derived from their table). The prefix keeps them clear of
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
	hStrLess   = "js_strlt"
	hStrLessEq = "js_strle"
	hStrGt     = "js_strgt"
	hStrGtEq   = "js_strge"
)

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

// helperTable lists every helper by name: the operators' and the built-ins'.
var helperTable = func() map[string]helper {
	h := map[string]helper{
		hNumStr:    {expr: compat.FormatNumber},
		hConcat:    {expr: concatParts},
		hStrNum:    {expr: deoptOnFailString(compat.StringToNumber)},
		hNegStr:    {expr: deoptOnFailString(compat.NegateString)},
		hStrFloat:  {expr: compat.StringToFloat},
		hTruthy:    predicateHelper(compat.Truthy),
		hNeg:       {expr: deoptOnFail(compat.Neg), numeric: vm.NumericFunc{Unary: compat.Neg}},
		hMul:       numericHelper(compat.Mul),
		hMod:       numericHelper(compat.Mod),
		hPow:       numericHelper(compat.Pow),
		hStrLess:   {expr: func(a, b string) bool { return compat.CompareStrings(a, b) < 0 }},
		hStrLessEq: {expr: func(a, b string) bool { return compat.CompareStrings(a, b) <= 0 }},
		hStrGt:     {expr: func(a, b string) bool { return compat.CompareStrings(a, b) > 0 }},
		hStrGtEq:   {expr: func(a, b string) bool { return compat.CompareStrings(a, b) >= 0 }},
	}
	for name, b := range builtinHelpers() {
		h[name] = b
	}
	return h
}()

// helpers is the expr environment of helper functions.
var helpers = func() map[string]any {
	e := make(map[string]any, len(helperTable))
	for name, h := range helperTable {
		e[name] = h.expr
	}
	return e
}()
