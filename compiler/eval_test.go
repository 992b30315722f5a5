package compiler_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

func TestEvalExamples(t *testing.T) {
	vars := map[string]any{"press": 25.5, "tF": 86.0, "run": true, "status": "on", "temp": -3.0}
	cases := []struct {
		src  string
		want any
		fast bool
	}{
		{"press + 4.00001", 29.50001, true},
		{"tF*69/31", 191.41935483870967, true},
		{"(tF - 32) * 5 / 9", int64(30), true},
		{"press / 4", 6.375, true},
		{`run ? "active" : "inactive"`, "active", true},
		{`'"SN-P42-008"'`, `"SN-P42-008"`, true},
		{`"Pump-" + press`, "Pump-25.5", true},
		{"`T=${tF}`", "T=86", true},
		{"Math.sqrt(press * press + tF * tF) / 2.0", 44.85044592866385, true},
		{"Math.pow(press, 2) + Math.abs(tF - 32) * 1.8", 747.45, true},
		{"press > 20 ? 'high' : 'normal'", "high", true},
		{"status === 'on'", true, true},
		{"temp * 0", int64(0), true}, // goja's integer path: +0 where IEEE gives -0
		{"temp * 0.5 * 0", math.Copysign(0, -1), true},
		{"Math.round(-2.5)", int64(-2), true},
		{"({a: press})", map[string]any{"a": 25.5}, false},
		{"[press, tF]", []any{25.5, int64(86)}, false},
		{"JSON.stringify({p: press})", `{"p":25.5}`, false},
		{"[1,2,3].map(x => x * tF).join()", "86,172,258", false},
		{"press.toFixed(1)", "25.5", true},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			p, err := compiler.Compile(c.src, specAliases)
			require.NoError(t, err)
			assert.Equal(t, c.fast, p.Fast(), p.FallbackReason())
			got, err := p.Eval(vars)
			require.NoError(t, err)
			if f, ok := c.want.(float64); ok && f == 0 {
				require.IsType(t, f, got)
				assert.Equal(t, math.Signbit(f), math.Signbit(got.(float64)))
				return
			}
			assert.Equal(t, c.want, got)
			g, err := compiler.Compile(c.src, specAliases, compiler.WithEngine(compiler.EngineGoja))
			require.NoError(t, err)
			ref, err := g.Eval(vars)
			require.NoError(t, err)
			assert.Equal(t, ref, got, "goja engine")
		})
	}
}

func TestEvalErrors(t *testing.T) {
	p, err := compiler.Compile("press.x.y", specAliases)
	require.NoError(t, err)
	_, err = p.Eval(map[string]any{"press": 1.0})
	require.ErrorContains(t, err, "TypeError")

	_, err = p.Eval(map[string]any{})
	require.ErrorContains(t, err, "press has no value")
}

func TestSandbox(t *testing.T) {
	cases := []struct {
		src     string
		wantErr string
		want    any
	}{
		{"[].constructor.constructor('return 1')()", "Not a function", nil},
		{"(function(){}).constructor('return 7')()", "Not a function", nil},
		{"(async function(){}).constructor('return 7')", "", nil},
		{"Object.getPrototypeOf(function*(){}).constructor('return 1')", "", nil},
		{"(() => { Math.round = () => 42; return Math.round(1.6) })()", "", int64(2)},
		{"(() => { Object.prototype.polluted = 1; return ({}).polluted })()", "", nil},
		{"(function f(n){ return f(n + 1) })(0)", "RangeError", nil},
		{"(() => { while (true) {} })()", "timed out", nil},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			p, err := compiler.Compile(c.src, nil, compiler.WithTimeout(50*time.Millisecond))
			if err != nil {
				require.NotEmpty(t, c.wantErr, err.Error())
				return
			}
			got, err := p.Eval(nil)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			if c.want == nil {
				// Code generation must not have produced a working function.
				_, isFunc := got.(func())
				assert.False(t, isFunc)
				assert.NotEqual(t, int64(1), got)
				return
			}
			assert.Equal(t, c.want, got)
		})
	}
	// Writes of one evaluation never reach the next.
	w, err := compiler.Compile("(() => { try { Math.PI = 3 } catch (e) {} ; return Math.PI })()", nil)
	require.NoError(t, err)
	v, err := w.Eval(nil)
	require.NoError(t, err)
	assert.Equal(t, math.Pi, v)
}

func TestClock(t *testing.T) {
	at := time.UnixMilli(1700000000123)
	p, err := compiler.Compile("Date.now()", nil, compiler.WithClock(func() time.Time { return at }))
	require.NoError(t, err)
	v, err := p.Eval(nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1700000000123), v)
}

func TestStaticEvaluatedOnce(t *testing.T) {
	p, err := compiler.Compile(`"SN-" + 42`, nil)
	require.NoError(t, err)
	v, fallback, err := p.EvalSlots(nil)
	require.NoError(t, err)
	assert.False(t, fallback)
	assert.Equal(t, "SN-42", v)
}

// TestNumericFusionAroundJumps checks expressions whose bytecode has a jump landing
// between a load and the constant operation after it, which the numeric machine fuses.
func TestNumericFusionAroundJumps(t *testing.T) {
	for _, src := range []string{
		"(run ? 1 : tF) + 2", "(run ? tF : 1) * 3", "(run ? 1 : tF) / 4 - 5", "(run && tF > 1 ? tF : press) - 0.5",
		"press + 4.00001", "tF * 69 / 31", "(tF - 32) * 5 / 9 + press",
	} {
		auto, err := compiler.Compile(src, specAliases)
		require.NoError(t, err)
		ref, err := compiler.Compile(src, specAliases, compiler.WithEngine(compiler.EngineGoja))
		require.NoError(t, err)
		for _, run := range []bool{true, false} {
			vars := map[string]any{"press": 25.5, "tF": 86.0, "run": run}
			got, err := auto.Eval(vars)
			require.NoError(t, err)
			want, err := ref.Eval(vars)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s with run=%v", src, run)
			_, fallback, err := auto.EvalSlots(slotsFor(auto.Deps(), vars))
			require.NoError(t, err)
			assert.False(t, fallback, src)
		}
	}
}

// TestManyInputsStayFast checks that a program with more inputs than the stack holds
// for property paths (17 to 21 dependencies) runs on the fast path whatever its input
// kinds, as Fast promises.
func TestManyInputsStayFast(t *testing.T) {
	var aliases, terms []string
	vars := map[string]any{}
	for i := range 18 {
		a := fmt.Sprintf("a%d", i)
		aliases, terms = append(aliases, a), append(terms, a)
		vars[a] = float64(i)
	}
	vars["a0"] = true // a boolean input: not the all-numbers signature
	src := strings.Join(terms, " + ")
	auto, err := compiler.Compile(src, aliases)
	require.NoError(t, err)
	require.True(t, auto.Fast(), auto.FallbackReason())
	ref, err := compiler.Compile(src, aliases, compiler.WithEngine(compiler.EngineGoja))
	require.NoError(t, err)
	_, fallback, err := auto.EvalSlots(slotsFor(auto.Deps(), vars))
	require.NoError(t, err)
	assert.False(t, fallback, "a fast program ran on goja")
	got, err := auto.Eval(vars)
	require.NoError(t, err)
	want, err := ref.Eval(vars)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}
