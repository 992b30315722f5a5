package compiler

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/value"
)

// resultKindCases pair expressions over the aliases a and b with the kinds
// ResultKinds must give.
var resultKindCases = []struct {
	src  string
	want ResultKinds
}{
	{"`T=${a}`", ResultString},
	{"`${a}${b}`", ResultString},
	{"a > 100", ResultBoolean},
	{"a === b", ResultBoolean},
	{"'x' in {x: a}", ResultBoolean},
	{"!a", ResultBoolean},
	{"typeof a", ResultString},
	{"void a", ResultNull},
	{"+a", ResultNumber},
	{"-a", ResultNumber},
	{"~a", ResultNumber},
	{"a * 2", ResultNumber},
	{"a - b", ResultNumber},
	{"a / b % 3 ** 2", ResultNumber},
	{"(a | 0) >>> 1", ResultNumber},
	{"a + 1", ResultNumber | ResultString},
	{"a + b", ResultNumber | ResultString},
	{"a + 'x'", ResultString},
	{"'x' + a", ResultString},
	{"1 + true", ResultNumber},
	{"1 + null", ResultNumber},
	{"-a + 1", ResultNumber},
	{"a > 1 ? 'HIGH' : 'LOW'", ResultString},
	{"a > 1 ? 'HIGH' : 0", ResultString | ResultNumber},
	{"a > 1 && 'x'", ResultBoolean | ResultString},
	{"a ?? 0", kindsAlias},
	{"(a, 'x')", ResultString},
	{"a", kindsAlias},
	{"a.x", ResultAny},
	{"Math.max(a, b)", ResultAny},
	{"-{valueOf() { return a }}", ResultAny},
	{"String.raw`x${a}`", ResultAny},
	{"undefined", ResultNull}, // a pure static
	{"a + {}", ResultAny},
	// pure statics: the value's own kind
	{"'pump'", ResultString},
	{"42", ResultNumber},
	{"1 + 1 > 1", ResultBoolean},
	{"({x: 1})", ResultObject},
	{"[1, 2]", ResultObject},
	{"null", ResultNull},
}

func TestResultKinds(t *testing.T) {
	for _, tc := range resultKindCases {
		for _, engine := range []Engine{EngineAuto, EngineGoja} {
			p, err := Compile(tc.src, []string{"a", "b"}, WithEngine(engine))
			require.NoError(t, err, tc.src)
			assert.Equal(t, tc.want.String(), p.ResultKinds().String(), "%s (engine %v)", tc.src, engine)
		}
	}
}

// TestResultKindsHold evaluates every case on inputs of every JSON type: each result's
// kind is in the set ResultKinds gives.
func TestResultKindsHold(t *testing.T) {
	inputs := []any{0.0, math.Copysign(0, -1), 1.5, -3.0, "", "12", "x", true, false,
		map[string]any{"x": 1.0}, map[string]any{}, []any{}, []any{2.0}}
	for _, tc := range resultKindCases {
		p, err := Compile(tc.src, []string{"a", "b"})
		require.NoError(t, err, tc.src)
		kinds := p.ResultKinds()
		for _, a := range inputs {
			for _, b := range inputs {
				v, err := p.Eval(map[string]any{"a": a, "b": b})
				if err != nil {
					continue // an exception gives no result
				}
				got := valueKinds(vmValue(v))
				assert.True(t, kinds.Has(got), "%s with a=%#v b=%#v gave %#v (%v), outside %v", tc.src, a, b, v, got, kinds)
			}
		}
	}
}

// vmValue wraps an exported result for valueKinds.
func vmValue(v any) value.Value { return value.Value{Any: v} }

func TestResultKindsString(t *testing.T) {
	assert.Equal(t, "any", ResultAny.String())
	assert.Equal(t, "number|boolean", (ResultNumber | ResultBoolean).String())
	assert.True(t, ResultAny.Has(ResultObject))
	assert.False(t, ResultNumber.Has(ResultString))
}
