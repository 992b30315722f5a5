package vm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/value"
)

// TestNumericBuilder assembles `v0 > 20 && v1 ? "high" : "normal"` and runs it.
func TestNumericBuilder(t *testing.T) {
	var b NumericBuilder
	b.Load(0)
	b.Number(20)
	require.True(t, b.Binary(">"))
	and := b.JumpIfFalse()
	b.Pop()
	b.Load(1)
	b.Patch(and)
	otherwise := b.JumpIfFalse()
	b.Pop()
	b.String("high")
	end := b.Jump()
	b.Patch(otherwise)
	b.Pop()
	b.String("normal")
	b.Patch(end)
	n, ok := b.Build()
	require.True(t, ok)
	for _, c := range []struct {
		in   []value.Value
		want string
	}{
		{[]value.Value{value.Num(25), {Any: true}}, "high"},
		{[]value.Value{value.Num(25), {Any: false}}, "normal"},
		{[]value.Value{value.Num(5), {Any: true}}, "normal"},
	} {
		f, ok := n.Run(c.in)
		require.True(t, ok)
		assert.Equal(t, c.want, n.Constant(f), "%v", c.in)
	}
	_, ok = n.Run([]value.Value{value.Num(25), {Any: "x"}})
	assert.False(t, ok, "a string input is not the machine's")
}

// TestNumericBuilderHelpersAndTemporaries runs `let t = v0 * 2; square(t) + t` with a
// helper that hands a negative argument over.
func TestNumericBuilderHelpersAndTemporaries(t *testing.T) {
	square := NumericFunc{Unary: func(x float64) (float64, bool) {
		if x < 0 {
			return 0, false
		}
		return x * x, true
	}}
	var b NumericBuilder
	b.Load(0)
	b.Number(2)
	require.True(t, b.Binary("*"))
	b.Store(0)
	b.LoadVar(0)
	b.Call(square)
	b.LoadVar(0)
	require.True(t, b.Binary("+"))
	n, ok := b.Build()
	require.True(t, ok)
	f, ok := n.Run([]value.Value{value.Num(3)})
	require.True(t, ok)
	assert.Equal(t, 42.0, f) // 6*6 + 6
	_, ok = n.Run([]value.Value{value.Num(-3)})
	assert.False(t, ok)
}

// TestNumericBuilderRefuses covers the programs Build rejects.
func TestNumericBuilderRefuses(t *testing.T) {
	var unknown NumericBuilder
	unknown.Number(1)
	unknown.Number(2)
	assert.False(t, unknown.Binary("%"))

	var empty NumericBuilder
	_, ok := empty.Build()
	assert.False(t, ok, "no result")

	var vars NumericBuilder
	vars.Number(1)
	vars.Store(maxNumericVars)
	vars.Number(1)
	_, ok = vars.Build()
	assert.False(t, ok, "too many temporaries")

	var deep NumericBuilder
	for range maxNumericStack + 1 {
		deep.Number(1)
	}
	_, ok = deep.Build()
	assert.False(t, ok, "too deep")

	var noFunc NumericBuilder
	noFunc.Number(1)
	noFunc.Call(NumericFunc{})
	_, ok = noFunc.Build()
	assert.False(t, ok, "a helper without a numeric form")
}
