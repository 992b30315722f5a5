package processor

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendValue(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"integral float", 51.0, `51`},
		{"int64", int64(-7), `-7`},
		{"fraction", 29.50001, `29.50001`},
		{"shortest round trip", 0.30000000000000004, `0.30000000000000004`},
		{"small exponent", 2e-7, `2e-7`},
		{"big exponent", 2e21, `2e+21`},
		{"big integral", 1e20, `100000000000000000000`},
		{"negative zero", math.Copysign(0, -1), `-0`},
		{"string", "Pump-25.5", `"Pump-25.5"`},
		{"escapes", "a\"b\\c\n\t\x01<&>\u2028\u2029é", `"a\"b\\c\n\t\u0001\u003c\u0026\u003e\u2028\u2029é"`},
		{"invalid UTF-8", "a\xffb", `"a\ufffdb"`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"date in UTC with milliseconds", time.Date(2023, 11, 14, 23, 13, 20, 123e6, berlin), `"2023-11-14T22:13:20.123Z"`},
		{"date without milliseconds", time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC), `"2023-11-14T22:13:20.000Z"`},
		{"array", []any{1.0, "a", nil, true, []any{}}, `[1,"a",null,true,[]]`},
		{"object sorted", map[string]any{"b": 1.0, "a": map[string]any{"z": int64(2), "y": "x"}, "B": false}, `{"B":false,"a":{"y":"x","z":2},"b":1}`},
		{"empty object", map[string]any{}, `{}`},
		{"nested date", map[string]any{"t": time.Unix(0, 0)}, `{"t":"1970-01-01T00:00:00.000Z"}`},
		{"other numeric type", int32(5), `5`},
		{"pair list (JS Map export)", [][2]any{{"k", 1.0}}, `[["k",1]]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e encoder
			got, err := e.appendValue([]byte("prefix:"), tt.v)
			require.NoError(t, err)
			assert.Equal(t, "prefix:"+tt.want, string(got))
			assert.Empty(t, e.keys, "key scratch is released")
		})
	}
}

func TestAppendValueNonEmittable(t *testing.T) {
	tests := []struct {
		name string
		v    any
		what string
	}{
		{"nil", nil, "undefined or null"},
		{"NaN", math.NaN(), "NaN"},
		{"Infinity", math.Inf(1), "Infinity or -Infinity"},
		{"-Infinity", math.Inf(-1), "Infinity"},
		{"function", func() {}, "a function"},
		{"NaN in array", []any{1.0, math.NaN()}, "NaN"},
		{"function in object", map[string]any{"f": func() {}}, "a function"},
		{"float32 NaN", float32(math.NaN()), "NaN"},
		{"channel", make(chan int), "not encodable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e encoder
			_, err := e.appendValue(nil, tt.v)
			var ne *NonEmittableError
			require.ErrorAs(t, err, &ne)
			assert.Contains(t, ne.What, tt.what)
		})
	}
}

// TestAppendStringMatchesEncodingJSON compares every ASCII byte and a few runes with
// encoding/json.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	inputs := []string{"", "plain", "\u2028\u2029", "\xff\xfe", "日本語", "a\x00b", "\x7f"}
	for c := range 0x80 {
		inputs = append(inputs, "x"+string(rune(c))+"y")
	}
	for _, s := range inputs {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendString(nil, s)), "%q", s)
	}
}

func TestAppendValueDoesNotAllocate(t *testing.T) {
	var e encoder
	buf := make([]byte, 0, 256)
	values := []any{25.5, "running", map[string]any{"b": 1.0, "a": []any{2.0}}}
	for _, v := range values {
		_, _ = e.appendValue(buf, v) // warm up the key scratch
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := e.appendValue(buf[:0], v); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "%v", v)
	}
}
