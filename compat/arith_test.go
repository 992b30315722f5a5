package compat

import (
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var negativeZero = math.Copysign(0, -1)

// requireBits fails unless got has exactly the bits of want (any NaN matches
// any NaN).
func requireBits(t testing.TB, want, got float64, format string, args ...any) {
	t.Helper()
	requireSame(t, want, got, format, args...)
}

func TestMul(t *testing.T) {
	tests := []struct{ a, b, want float64 }{
		{0, -5, 0}, // goja's int path: +0 where IEEE gives -0
		{-5, 0, 0},
		{0, -1, negativeZero},
		{-1, 0, negativeZero},
		{0, 0, 0},
		{negativeZero, 5, negativeZero},
		{negativeZero, -5, 0},
		{0, -0.5, negativeZero},
		{0, math.Inf(-1), math.NaN()},
		{3, 7, 21},
		{1 << 53, 3, 3 * (1 << 53)},
		{0.1, 3, 0.30000000000000004},
	}
	for _, tt := range tests {
		requireBits(t, tt.want, Mul(tt.a, tt.b), "%v * %v", tt.a, tt.b)
	}
}

// diffBinary checks a helper of two numbers against a goja expression over
// the edge values crossed with themselves and n random pairs.
func diffBinary(t *testing.T, seed int64, n int, src string, f func(a, b float64) float64) {
	diffChecked(t, seed, n, src, func(a, b float64) (float64, bool) { return f(a, b), true })
}

// diffChecked is diffBinary for a helper that reports ok=false where goja's
// result is an unnormalised float: goja must then export that float as is.
func diffChecked(t *testing.T, seed int64, n int, src string, f func(a, b float64) (float64, bool)) {
	js := newJS(t)
	check := func(a, b float64) {
		got, ok := f(a, b)
		want := js.mustEval(src, a, b)
		if !ok {
			// goja decides this case; the helper only has to know it cannot.
			return
		}
		requireSame(t, want, Export(got), "%s with a=%s b=%s", src, describe(a), describe(b))
	}
	for _, a := range edgeNumbers {
		for _, b := range edgeNumbers {
			check(a, b)
		}
	}
	r := rand.New(rand.NewSource(seed))
	for range n {
		check(randNumber(r), randNumber(r))
	}
}

func TestMulMatchesGoja(t *testing.T) { diffChecked(t, 10, 40000, "a * b", MulChecked) }

// checkedResult is how a caller uses AmbiguousInt: an operation whose result
// has magnitude 2^53 goes to goja.
func checkedResult(op func(a, b float64) float64) func(a, b float64) (float64, bool) {
	return func(a, b float64) (float64, bool) {
		r := op(a, b)
		return r, !AmbiguousInt(r)
	}
}

func TestAddSubMatchGoja(t *testing.T) {
	diffChecked(t, 16, 20000, "a + b", checkedResult(func(a, b float64) float64 { return a + b }))
	diffChecked(t, 17, 20000, "a - b", checkedResult(func(a, b float64) float64 { return a - b }))
}

func TestMulCheckedAmbiguous(t *testing.T) {
	const safe = 1 << 53
	tests := []struct {
		name string
		a, b float64
		ok   bool
	}{
		{"3 * 3002399751580331", 3, 3002399751580331, false},
		{"-3 * 3002399751580331", -3, 3002399751580331, false},
		{"2 * 2^52", 2, 1 << 52, false},
		{"2^53 * 0", safe, 0, false},
		{"-2^53 * 0", -safe, 0, false},
		{"2^53 * 2", safe, 2, true},
		{"0 * -5", 0, -5, true},
		{"3 * 5", 3, 5, true},
	}
	for _, tt := range tests {
		_, ok := MulChecked(tt.a, tt.b)
		assert.Equal(t, tt.ok, ok, tt.name)
	}
	r, _ := MulChecked(0, -5)
	requireBits(t, 0, r, "MulChecked keeps Mul's zero sign")
	assert.True(t, AmbiguousInt(-safe))
	assert.False(t, AmbiguousInt(safe-1))
}

func TestMod(t *testing.T) {
	requireBits(t, negativeZero, Mod(-6, 3), "-6 %% 3")
	requireBits(t, 2, Mod(5, 3), "5 %% 3")
	requireBits(t, -2, Mod(-5, 3), "-5 %% 3")
	requireBits(t, math.NaN(), Mod(5, 0), "5 %% 0")
	requireBits(t, 1.5, Mod(5.5, 2), "5.5 %% 2")
}

func TestModMatchesGoja(t *testing.T) { diffBinary(t, 11, 30000, "a % b", Mod) }

func TestPow(t *testing.T) {
	exact := func(base, exp int64) float64 {
		f, _ := new(big.Float).SetInt(new(big.Int).Exp(big.NewInt(base), big.NewInt(exp), nil)).Float64()
		return f
	}
	tests := []struct{ x, y, want float64 }{
		{13, 17, exact(13, 17)}, // math.Pow is an ulp off on these two
		{99, 9, exact(99, 9)},
		{-13, 17, -exact(13, 17)},
		{2, 10, 1024},
		{0, 0, 1},
		{math.NaN(), 0, 1},
		{1, math.Inf(1), math.NaN()},
		{-1, math.Inf(-1), math.NaN()},
		{1, math.NaN(), math.NaN()},
		{2, -1, 0.5},
		{2, 0.5, math.Sqrt2},
		{-8, 1.0 / 3, math.NaN()},
		{0, -1, math.Inf(1)},
		{negativeZero, -1, math.Inf(-1)},
	}
	for _, tt := range tests {
		requireBits(t, tt.want, Pow(tt.x, tt.y), "%v ** %v", tt.x, tt.y)
	}
	assert.NotEqual(t, math.Pow(13, 17), Pow(13, 17), "the case this helper exists for")
}

func TestPowMatchesGoja(t *testing.T) {
	diffBinary(t, 12, 30000, "a ** b", Pow)
	diffBinary(t, 13, 10000, "Math.pow(a, b)", Pow)
}

// TestPowIntegerOverflowBoundary checks every exponent at the bases where
// the exact power stops fitting in an int64, where goja switches from its
// exact integer power to math.Pow.
func TestPowIntegerOverflowBoundary(t *testing.T) {
	js := newJS(t)
	maxInt := big.NewInt(math.MaxInt64)
	r := rand.New(rand.NewSource(14))
	for exp := int64(0); exp <= 70; exp++ {
		// largest base whose power fits, by bisection
		lo, hi := int64(1), int64(1<<53)
		for lo < hi {
			mid := lo + (hi-lo+1)/2
			if new(big.Int).Exp(big.NewInt(mid), big.NewInt(exp), nil).Cmp(maxInt) <= 0 {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		bases := []int64{lo - 2, lo - 1, lo, lo + 1, lo + 2, 2, 3, r.Int63n(lo + 1)}
		for _, b := range bases {
			for _, base := range []float64{float64(b), -float64(b)} {
				y := float64(exp)
				requireSame(t, js.mustEval("a ** b", base, y), Export(Pow(base, y)), "%v ** %v", base, y)
			}
		}
	}
}

func TestNeg(t *testing.T) {
	js := newJS(t)
	check := func(x float64) {
		got, ok := Neg(x)
		want := js.mustEval("-a", x)
		if !ok {
			require.True(t, x == 0 && math.Signbit(x), "only -0 deopts, not %s", describe(x))
			requireSame(t, float64(0), want, "goja's -(-0) quirk")
			return
		}
		requireSame(t, want, Export(got), "-%s", describe(x))
	}
	for _, x := range edgeNumbers {
		check(x)
	}
	r := rand.New(rand.NewSource(15))
	for range 20000 {
		check(randNumber(r))
	}
	got, ok := Neg(0)
	require.True(t, ok)
	requireBits(t, negativeZero, got, "-0")
	_, ok = Neg(negativeZero)
	require.False(t, ok)
}
