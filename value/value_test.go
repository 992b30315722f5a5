package value

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestKind: every type encoding/json decodes to has its own kind, numbers unboxed or
// not, and what else goja exports is Other.
func TestKind(t *testing.T) {
	for _, c := range []struct {
		v    Value
		want Kind
	}{
		{Num(2.5), Number},
		{Value{Any: 2.5}, Number},
		{Value{Any: "s"}, String},
		{Value{Any: false}, Bool},
		{Value{}, Null},
		{Value{Any: map[string]any{"a": 1.0}}, Object},
		{Value{Any: []any{1.0}}, Array},
		{Value{Any: time.Unix(0, 0)}, Other},
		{Value{Any: int64(3)}, Other},
	} {
		assert.Equal(t, c.want, c.v.Kind(), "%#v", c.v)
	}
}

// TestFromAny: a decoded float64 becomes an unboxed number, and Interface gives back
// what went in.
func TestFromAny(t *testing.T) {
	v := FromAny(3.0)
	assert.True(t, v.IsNum)
	assert.Equal(t, 3.0, v.Num)
	for _, x := range []any{3.0, "s", true, nil, map[string]any{}, []any{}} {
		assert.Equal(t, x, FromAny(x).Interface())
	}
}
