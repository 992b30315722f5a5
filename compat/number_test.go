package compat

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsInt(t *testing.T) {
	tests := []struct {
		in   float64
		want bool
	}{
		{0, true},
		{math.Copysign(0, -1), false},
		{1, true},
		{-7, true},
		{0.5, false},
		{1 << 53, true},
		{-(1 << 53), true},
		{1<<53 + 2, false},
		{-(1<<53 + 2), false},
		{1e21, false},
		{math.NaN(), false},
		{math.Inf(1), false},
		{math.Inf(-1), false},
		{math.MaxFloat64, false},
		{math.SmallestNonzeroFloat64, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsInt(tt.in), "IsInt(%v)", tt.in)
	}
}

func TestExportMatchesGoja(t *testing.T) {
	js := newJS(t)
	check := func(f float64) {
		requireSame(t, js.mustEval("a", f), Export(f), "a = %s", describe(f))
	}
	for _, f := range edgeNumbers {
		check(f)
	}
	r := rand.New(rand.NewSource(1))
	for range 20000 {
		check(randNumber(r))
	}
}

func TestTruthy(t *testing.T) {
	js := newJS(t)
	for _, f := range edgeNumbers {
		assert.Equal(t, js.mustEval("!!a", f), Truthy(f), "!!%s", describe(f))
	}
	assert.False(t, Truthy(math.Copysign(0, -1)))
	assert.False(t, Truthy(math.NaN()))
	assert.True(t, Truthy(math.Inf(-1)))
}
