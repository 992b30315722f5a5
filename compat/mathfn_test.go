package compat

import (
	"math"
	"math/rand"
	"testing"
)

func TestRound(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{2.5, 3},
		{-2.5, -2}, // math.Round gives -3
		{0.5, 1},
		{-0.5, negativeZero},
		{-0.4, negativeZero},
		{-0.6, -1},
		{1.5, 2},
		{-1.5, -1},
		{0.49999999999999994, 0},
		{-0.49999999999999994, negativeZero},
		{1<<51 + 0.5, 1<<51 + 1},
		{-(1<<51 + 0.5), -(1 << 51)},
		{1 << 53, 1 << 53},
		{negativeZero, negativeZero},
		{math.Inf(1), math.Inf(1)},
		{math.Inf(-1), math.Inf(-1)},
		{math.NaN(), math.NaN()},
	}
	for _, tt := range tests {
		requireBits(t, tt.want, Round(tt.in), "Math.round(%v)", tt.in)
	}
}

func TestMathMatchesGoja(t *testing.T) {
	unary := []struct {
		src string
		f   func(float64) float64
	}{
		{"Math.round(a)", Round},
		{"Math.floor(a)", Floor},
		{"Math.ceil(a)", Ceil},
		{"Math.trunc(a)", Trunc},
		{"Math.abs(a)", Abs},
		{"Math.sqrt(a)", Sqrt},
		{"Math.sign(a)", Sign},
		{"Math.cbrt(a)", Cbrt},
		{"Math.exp(a)", Exp},
		{"Math.log(a)", Log},
		{"Math.log10(a)", Log10},
		{"Math.log2(a)", Log2},
		{"Math.sin(a)", Sin},
		{"Math.cos(a)", Cos},
		{"Math.tan(a)", Tan},
		{"Math.atan(a)", Atan},
		{"Math.max(a)", func(x float64) float64 { return Max(math.Inf(-1), x) }},
		{"Math.min(a)", func(x float64) float64 { return Min(math.Inf(1), x) }},
	}
	js := newJS(t)
	r := rand.New(rand.NewSource(20))
	for _, u := range unary {
		t.Run(u.src, func(t *testing.T) {
			js.t = t
			check := func(x float64) {
				requireSame(t, js.mustEval(u.src, x), Export(u.f(x)), "%s with a=%s", u.src, describe(x))
			}
			for _, x := range edgeNumbers {
				check(x)
			}
			for range 8000 {
				check(randNumber(r))
			}
		})
	}
}

func TestBinaryMathMatchesGoja(t *testing.T) {
	diffBinary(t, 21, 15000, "Math.atan2(a, b)", Atan2)
	diffBinary(t, 22, 15000, "Math.hypot(a, b)", Hypot2)
	diffBinary(t, 23, 10000, "Math.max(a, b)", Max)
	diffBinary(t, 24, 10000, "Math.min(a, b)", Min)
}

// TestMaxMinNest checks that nesting one loop step reproduces Math.max and
// Math.min of three arguments, NaN and signed zeros included.
func TestMaxMinNest(t *testing.T) {
	js := newJS(t)
	vals := []float64{0, negativeZero, math.NaN(), math.Inf(1), math.Inf(-1), 1, -1, 2.5}
	for _, a := range vals {
		for _, b := range vals {
			for _, c := range vals {
				requireSame(t, js.mustEval("Math.max(a, b, c)", a, b, c), Export(Max(Max(a, b), c)), "max(%v, %v, %v)", a, b, c)
				requireSame(t, js.mustEval("Math.min(a, b, c)", a, b, c), Export(Min(Min(a, b), c)), "min(%v, %v, %v)", a, b, c)
			}
		}
	}
	requireSame(t, js.mustEval("Math.max()"), Export(math.Inf(-1)), "Math.max()")
	requireSame(t, js.mustEval("Math.min()"), Export(math.Inf(1)), "Math.min()")
}
