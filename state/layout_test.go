package state

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewLayout(t *testing.T) {
	l, err := NewLayout(
		[]string{"press", "tF", "run"},
		[][]string{{"press"}, {"tF", "press"}, {}, {"tF"}, {"press", "press"}},
	)
	require.NoError(t, err)

	assert.Equal(t, 3, l.Len())
	for i, a := range []string{"press", "tF", "run"} {
		s, ok := l.Slot(a)
		require.True(t, ok, a)
		assert.Equal(t, i, s)
		assert.Equal(t, a, l.Alias(s))
	}
	_, ok := l.Slot("missing")
	assert.False(t, ok)

	assert.Equal(t, []int{0, 1, 4}, l.Dependents(0), "each mapping once, ascending")
	assert.Equal(t, []int{1, 3}, l.Dependents(1))
	assert.Empty(t, l.Dependents(2))

	assert.Equal(t, []int{1, 0}, l.DepSlots(1), "dependency order is kept")
	assert.Empty(t, l.DepSlots(2))
	assert.Equal(t, []int{0, 0}, l.DepSlots(4))
}

func TestNewLayoutErrors(t *testing.T) {
	tests := []struct {
		name    string
		aliases []string
		deps    [][]string
		want    string
	}{
		{"empty alias", []string{"a", ""}, nil, "alias 1 is empty"},
		{"duplicate alias", []string{"a", "b", "a"}, nil, `alias "a" is listed twice`},
		{"unknown dependency", []string{"a"}, [][]string{{"a"}, {"b"}}, `mapping 1 depends on "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewLayout(tt.aliases, tt.deps)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestNewLayoutCopiesAliases(t *testing.T) {
	aliases := []string{"a", "b"}
	l, err := NewLayout(aliases, nil)
	require.NoError(t, err)
	aliases[0] = "changed"
	assert.Equal(t, "a", l.Alias(0))
}
