package compat

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/require"
)

// jsRuntime evaluates JavaScript in goja, the reference every helper must
// match, with the variables a, b, c, … bound by rt.Set.
type jsRuntime struct {
	t     testing.TB
	rt    *goja.Runtime
	progs map[string]*goja.Program
}

func newJS(t testing.TB) *jsRuntime {
	return &jsRuntime{t: t, rt: goja.New(), progs: map[string]*goja.Program{}}
}

// eval runs src with a, b, c, … set to vals and returns the exported result,
// or the error goja threw.
func (js *jsRuntime) eval(src string, vals ...any) (any, error) {
	prog, ok := js.progs[src]
	if !ok {
		var err error
		prog, err = goja.Compile("", src, false)
		require.NoError(js.t, err, src)
		js.progs[src] = prog
	}
	for i, v := range vals {
		require.NoError(js.t, js.rt.Set(string(rune('a'+i)), v))
	}
	v, err := js.rt.RunProgram(prog)
	if err != nil {
		return nil, err
	}
	return v.Export(), nil
}

// mustEval is eval for expressions that cannot throw.
func (js *jsRuntime) mustEval(src string, vals ...any) any {
	v, err := js.eval(src, vals...)
	require.NoError(js.t, err, "%s with %s", src, describeAll(vals))
	return v
}

// sameValue reports whether two exported values are identical: same Go type,
// and for floats the same bits, except that any NaN equals any NaN.
func sameValue(want, got any) bool {
	wf, wok := want.(float64)
	gf, gok := got.(float64)
	if wok && gok {
		if wf != wf || gf != gf {
			return wf != wf && gf != gf
		}
		return math.Float64bits(wf) == math.Float64bits(gf)
	}
	return fmt.Sprintf("%T", want) == fmt.Sprintf("%T", got) && want == got
}

// requireSame fails unless got is identical to goja's result want.
func requireSame(t testing.TB, want, got any, format string, args ...any) {
	t.Helper()
	if !sameValue(want, got) {
		require.Failf(t, "differs from goja", "%s: goja %s, compat %s",
			fmt.Sprintf(format, args...), describe(want), describe(got))
	}
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("string(%+q)", v)
	case float64:
		return fmt.Sprintf("float64(%v, bits %#x)", v, math.Float64bits(v))
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

func describeAll(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = describe(v)
	}
	return strings.Join(parts, ", ")
}

// pointOnePlusPointTwo is 0.1 + 0.2 evaluated in float64 arithmetic (as a
// constant expression Go would compute it exactly, giving 0.3).
var pointOnePlusPointTwo = addFloats(0.1, 0.2)

//go:noinline
func addFloats(a, b float64) float64 { return a + b }

// edgeNumbers are the values where JavaScript and Go tend to disagree.
var edgeNumbers = []float64{
	0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
	1, -1, 2, -2, 3, -3, 5, -5, 6, -6, 9, 13, 17, 99, 100, -100,
	0.1, 0.2, pointOnePlusPointTwo, 0.3, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5, 0.25, -0.25, 0.125,
	0.49999999999999994, -0.49999999999999994, 0.5000000000000001, -0.5000000000000001,
	1.005, 1.45, 1803.25, -1803.25, 4.35, 8.345, 1.0000000000000002,
	1e21, -1e21, 1e21 - 65536, 999999999999999900000, 1e20, 1.5e300, -1.5e300,
	1e-6, 1e-7, -1e-7, 1.5e-7, 123e-20, 0.000001, 0.0000015,
	1 << 53, 1<<53 - 1, 1<<53 + 2, -(1 << 53), -(1<<53 - 1), -(1<<53 + 2), 1 << 52, 1<<52 + 0.5,
	3002399751580331, -3002399751580331, // times 3 is 2^53+1
	1 << 62, 1 << 63, -(1 << 63), math.MaxInt64, math.MaxFloat64, -math.MaxFloat64,
	math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 2.2250738585072014e-308,
	math.Pi, math.E, 1e100, 1e-100, 12345.6789, -0.0001, 0.0001,
}

// randNumber draws from a mix of value families: edge values, small and
// large integers, .5 ties, short decimals, dyadic fractions, wide-range
// magnitudes and arbitrary bit patterns.
func randNumber(r *rand.Rand) float64 {
	sign := float64(1 - 2*r.Intn(2))
	switch r.Intn(10) {
	case 0:
		return edgeNumbers[r.Intn(len(edgeNumbers))]
	case 1:
		return float64(r.Intn(41) - 20)
	case 2:
		return sign * float64(r.Int63n(1<<54))
	case 3:
		return sign * (float64(r.Intn(1<<53-1<<50)) + float64(r.Intn(1<<50)))
	case 4:
		return sign * (float64(r.Intn(2000)) + 0.5)
	case 5:
		return sign * float64(r.Intn(1000000)) / math.Pow10(r.Intn(8))
	case 6:
		return sign * float64(r.Intn(1<<20)) / float64(int64(1)<<r.Intn(40))
	case 7:
		return sign * r.Float64() * math.Pow10(r.Intn(80)-40)
	case 8:
		return sign * r.Float64() * math.Pow10(r.Intn(600)-300)
	default:
		return math.Float64frombits(r.Uint64())
	}
}
