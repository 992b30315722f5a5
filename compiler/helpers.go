package compiler

import (
	"errors"
	"math"

	"github.com/unsproc/unsproc/compat"
)

// errDeopt is raised (as a panic, which the expr VM returns as an error) by a helper
// that meets a case it cannot reproduce exactly; the evaluation is then re-run in goja.
var errDeopt = errors.New("fast path cannot reproduce this case exactly")

// Helper names, as the translated programs call them. The prefix keeps them clear of
// expr builtins and of the slot names.
const (
	hNumStr    = "js_numstr"
	hStrNum    = "js_strnum"
	hTruthy    = "js_truthy"
	hNeg       = "js_neg"
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
func binaryFloat(f func(a, b float64) float64) func(a, b any) any {
	return func(a, b any) any { return f(a.(float64), b.(float64)) }
}

// helpers is the environment of functions every translated program may call.
var helpers = func() map[string]any {
	h := map[string]any{
		hNumStr: compat.FormatNumber,
		hStrNum: func(s string) float64 {
			f, ok := compat.StringToNumber(s)
			if !ok {
				panic(errDeopt)
			}
			return f
		},
		hTruthy: compat.Truthy,
		hNeg: func(x float64) float64 {
			f, ok := compat.Neg(x)
			if !ok {
				panic(errDeopt)
			}
			return f
		},
		hMul:   binaryFloat(compat.Mul),
		hMod:   binaryFloat(compat.Mod),
		hPow:   binaryFloat(compat.Pow),
		hMax:   binaryFloat(compat.Max),
		hMin:   binaryFloat(compat.Min),
		hAtan2: binaryFloat(compat.Atan2),
		hHypot: binaryFloat(compat.Hypot2),
		hToFixed: func(x, digits any) any {
			s, ok := compat.ToFixed(x.(float64), digits.(float64))
			if !ok {
				panic(errDeopt)
			}
			return s
		},
		hStrLen:    func(s string) float64 { return float64(compat.StringLength(s)) },
		hUpper:     compat.ToUpper,
		hLower:     compat.ToLower,
		hParseF:    compat.ParseFloat,
		hIsNaN:     func(f float64) bool { return f != f },
		hIsFinite:  func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) },
		hStrLess:   func(a, b string) bool { return compat.CompareStrings(a, b) < 0 },
		hStrLessEq: func(a, b string) bool { return compat.CompareStrings(a, b) <= 0 },
		hStrGt:     func(a, b string) bool { return compat.CompareStrings(a, b) > 0 },
		hStrGtEq:   func(a, b string) bool { return compat.CompareStrings(a, b) >= 0 },
	}
	for name, f := range mathFuncs {
		h[mathHelperName(name)] = f
	}
	return h
}()
