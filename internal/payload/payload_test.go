package payload

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodePayload(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		value   any
		ts      int64
		err     string // substring of the rejection; "" when accepted
	}{
		{"number", `{"value": 25.5, "timestamp_ms": 1700000000000}`, 25.5, 1700000000000, ""},
		{"compact", `{"value":25.5,"timestamp_ms":1700000000000}`, 25.5, 1700000000000, ""},
		{"keys reversed", `{"timestamp_ms":7,"value":1}`, 1.0, 7, ""},
		{"zero", `{"value":0,"timestamp_ms":1}`, 0.0, 1, ""},
		{"negative zero", `{"value":-0,"timestamp_ms":1}`, math.Copysign(0, -1), 1, ""},
		{"false", `{"value":false,"timestamp_ms":1}`, false, 1, ""},
		{"true", `{"value":true,"timestamp_ms":1}`, true, 1, ""},
		{"empty string", `{"value":"","timestamp_ms":1}`, "", 1, ""},
		{"string", `{"value":"running","timestamp_ms":1}`, "running", 1, ""},
		{"unicode string", `{"value":"Grüße ✓","timestamp_ms":1}`, "Grüße ✓", 1, ""},
		{"escaped string", `{"value":"a\"b\n\u00e9","timestamp_ms":1}`, "a\"b\né", 1, ""},
		{"object", `{"value":{"x":1,"y":[true,null]},"timestamp_ms":1}`, map[string]any{"x": 1.0, "y": []any{true, nil}}, 1, ""},
		{"array", `{"value":[1,2],"timestamp_ms":1}`, []any{1.0, 2.0}, 1, ""},
		{"extra fields", `{"value":1,"quality":"good","n":3,"ok":true,"x":null,"timestamp_ms":2}`, 1.0, 2, ""},
		{"extra nested field", `{"meta":{"a":[1]},"value":1,"timestamp_ms":2}`, 1.0, 2, ""},
		{"duplicate value, last wins", `{"value":1,"value":2,"timestamp_ms":1}`, 2.0, 1, ""},
		{"duplicate timestamp, last wins", `{"value":1,"timestamp_ms":0,"timestamp_ms":3}`, 1.0, 3, ""},
		{"escaped key", `{"valu\u0065":1,"timestamp_ms":1}`, 1.0, 1, ""},
		{"white space", " \n\t{ \"value\" : 1 , \"timestamp_ms\" : 1 } \r\n", 1.0, 1, ""},
		{"exponent timestamp", `{"value":1,"timestamp_ms":1.7e12}`, 1.0, 1700000000000, ""},
		{"fraction-zero timestamp", `{"value":1,"timestamp_ms":1700000000000.0}`, 1.0, 1700000000000, ""},
		{"negative exponent timestamp", `{"value":1,"timestamp_ms":17000e-1}`, 1.0, 1700, ""},
		{"max timestamp", `{"value":1,"timestamp_ms":9223372036854775807}`, 1.0, math.MaxInt64, ""},
		{"max timestamp exponent form", `{"value":1,"timestamp_ms":9.223372036854775807e18}`, 1.0, math.MaxInt64, ""},
		{"small number", `{"value":1e-7,"timestamp_ms":1}`, 1e-7, 1, ""},
		{"long mantissa", `{"value":0.1000000000000000055511151231257827,"timestamp_ms":1}`, 0.1, 1, ""},
		{"big number", `{"value":12345678901234567890,"timestamp_ms":1}`, 12345678901234567890.0, 1, ""},
		{"underflow to zero", `{"value":1e-400,"timestamp_ms":1}`, 0.0, 1, ""},
		{"invalid UTF-8 replaced", "{\"value\":\"a\xffb\",\"timestamp_ms\":1}", "a\ufffdb", 1, ""},

		{"value missing", `{"timestamp_ms":1}`, nil, 0, `"value" is missing`},
		{"value null", `{"value":null,"timestamp_ms":1}`, nil, 0, `"value" is null`},
		{"value null last", `{"value":1,"value":null,"timestamp_ms":1}`, nil, 0, `"value" is null`},
		{"timestamp missing", `{"value":1}`, nil, 0, `"timestamp_ms" is missing`},
		{"empty object", `{}`, nil, 0, `"value" is missing`},
		{"timestamp zero", `{"value":1,"timestamp_ms":0}`, nil, 0, "timestamp_ms"},
		{"timestamp negative", `{"value":1,"timestamp_ms":-5}`, nil, 0, "timestamp_ms"},
		{"timestamp fraction", `{"value":1,"timestamp_ms":1.5}`, nil, 0, "timestamp_ms"},
		{"timestamp fraction exponent", `{"value":1,"timestamp_ms":15e-1}`, nil, 0, "timestamp_ms"},
		{"timestamp 2^63", `{"value":1,"timestamp_ms":9223372036854775808}`, nil, 0, "timestamp_ms"},
		{"timestamp huge exponent", `{"value":1,"timestamp_ms":1e400}`, nil, 0, "timestamp_ms"},
		{"timestamp string", `{"value":1,"timestamp_ms":"1700000000000"}`, nil, 0, "timestamp_ms"},
		{"timestamp null", `{"value":1,"timestamp_ms":null}`, nil, 0, "timestamp_ms"},
		{"timestamp bool", `{"value":1,"timestamp_ms":true}`, nil, 0, "timestamp_ms"},
		{"timestamp object", `{"value":1,"timestamp_ms":{}}`, nil, 0, "timestamp_ms"},
		{"keys in other case", `{"VALUE":7,"Timestamp_MS":9}`, nil, 0, `"value" is missing`},
		{"value out of range", `{"value":1e400,"timestamp_ms":1}`, nil, 0, `invalid "value"`},
		{"not JSON", `invalid json`, nil, 0, "not a JSON object"},
		{"empty payload", ``, nil, 0, "invalid JSON"},
		{"trailing bytes", `{"value":1,"timestamp_ms":1} x`, nil, 0, "invalid JSON"},
		{"two objects", `{"value":1,"timestamp_ms":1}{}`, nil, 0, "invalid JSON"},
		{"unterminated", `{"value":1,"timestamp_ms":1`, nil, 0, "invalid JSON"},
		{"top-level array", `[1,2]`, nil, 0, "not a JSON object"},
		{"top-level number", `42`, nil, 0, "not a JSON object"},
		{"top-level string", `"x"`, nil, 0, "not a JSON object"},
		{"top-level null", `null`, nil, 0, "not a JSON object"},
		{"leading zero", `{"value":01,"timestamp_ms":1}`, nil, 0, "invalid JSON"},
		{"bad literal in other field", `{"x":tru,"value":1,"timestamp_ms":1}`, nil, 0, "invalid JSON"},
		{"bad nested value", `{"value":{"a":[1,]},"timestamp_ms":1}`, nil, 0, "invalid JSON"},
		{"single quotes", `{'value':1,'timestamp_ms':1}`, nil, 0, "invalid JSON"},
		{"byte order mark", "\ufeff{\"value\":1,\"timestamp_ms\":1}", nil, 0, "not a JSON object"},
		{"invalid escape in another field", `{"x":"0\0","value":1,"timestamp_ms":1}`, nil, 0, "invalid JSON"},
		{"white space only", " \n", nil, 0, "invalid JSON"},
		{"null value before a missing timestamp", `{"value":null}`, nil, 0, `"value" is null`},
		{"null value, nested field, missing timestamp", `{"value":null,"x":{"a":1}}`, nil, 0, `"value" is null`},
		{"null value, nested field, bad timestamp", `{"x":[1],"timestamp_ms":0,"value":null}`, nil, 0, `"value" is null`},
		{"value out of range before a bad timestamp", `{"value":1e400,"timestamp_ms":0}`, nil, 0, `invalid "value"`},
		{"value out of range before a missing timestamp", `{"value":1e400}`, nil, 0, `invalid "value"`},
		{"bad timestamp token, nested field", `{"value":1,"timestamp_ms":"1","x":{}}`, nil, 0, "timestamp_ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decoded, ts, _, err := Decode([]byte(tt.payload))
			v := decoded.Interface()
			if tt.err != "" {
				require.Error(t, err)
				assert.IsType(t, &Error{}, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ts, ts)
			assert.Equal(t, tt.value, v)
			if f, ok := tt.value.(float64); ok {
				assert.Equal(t, math.Signbit(f), math.Signbit(v.(float64)), "sign of zero")
			}

			// The value is what encoding/json decodes.
			var std struct{ Value any }
			require.NoError(t, json.Unmarshal([]byte(tt.payload), &std))
			if tt.name != "duplicate value, last wins" && tt.name != "escaped key" {
				assert.Equal(t, std.Value, v)
			}
		})
	}
}

// decoders are the ways Decode reads a payload; a nil tail or false means the decoder
// leaves the payload to the next one.
var decoders = []struct {
	name   string
	decode func(b []byte, f *fields) bool
}{
	{"canonical", canonicalFields},
	{"flat", decodeFlat},
	{"general", func(b []byte, f *fields) bool { decodeGeneral(b, f); return true }},
}

// canonicalFields is decodeCanonical as a decoder of fields: what it decodes is the
// value and a timestamp that check accepts as it is.
func canonicalFields(b []byte, f *fields) bool {
	v, ts, tail := decodeCanonical(b)
	if tail == nil {
		return false
	}
	f.hasValue, f.value.Num, f.value.IsNum = true, v, true
	f.hasTs, f.tsIsNumber = true, true
	f.ts = jsonNumber{intDigits: len(strconv.FormatInt(ts, 10)), mant: uint64(ts)}
	return true
}

// TestDecodersAgree checks that every decoder that takes a payload finds fields that
// check judges the same way, down to the reason of a rejection.
func TestDecodersAgree(t *testing.T) {
	payloads := []string{
		`{"value":25.5,"timestamp_ms":1700000000000}`,
		`{"value":-3,"timestamp_ms":1.7e12}`,
		`{"value":"ok","timestamp_ms":1,"q":"good","n":null,"b":false}`,
		`{"value":true,"timestamp_ms":5,"timestamp_ms":6}`,
		`{"value":null,"timestamp_ms":1}`,
		`{"value":null}`,
		`{"value":null,"timestamp_ms":0}`,
		`{"value":null,"timestamp_ms":1.5,"x":1}`,
		`{"value":1,"timestamp_ms":0}`,
		`{"value":1,"timestamp_ms":-1}`,
		`{"value":1,"timestamp_ms":2.5}`,
		`{"value":1,"timestamp_ms":null}`,
		`{"timestamp_ms":1}`,
		`{"value":1}`,
		`{}`,
		`{"value":123456789012345678,"timestamp_ms":1}`,
		`{"value":1e22,"timestamp_ms":1}`,
		`{"value":1.5e-22,"timestamp_ms":1}`,
		`{"value":9007199254740993,"timestamp_ms":1}`,
		`{"value":1,"timestamp_ms":9999999999999999999}`,
		`{"value":1,"timestamp_ms":99999999999999999999}`,
		// canonical layout edges (decodeCanonical)
		`{"value":-0,"timestamp_ms":1}`,
		`{"value":0.1,"timestamp_ms":999999999999999999}`,
		`{"value":2,"timestamp_ms":9223372036854775807}`,
		`{"value":2,"timestamp_ms":9223372036854775808}`,
		`{"value":2,"timestamp_ms":0}`,
		`{"value":2,"timestamp_ms":01}`,
		`{"value":2,"timestamp_ms":1x}`,
		`{"value":1e400,"timestamp_ms":1}`,
		`{"value":-,"timestamp_ms":1}`,
		`{"value":2,"timestamp_ms":}`,
		`{"value":-0.0,"timestamp_ms":1}`,
		`{"value":0.30000000000000004,"timestamp_ms":1}`,
		`{"value":1.0000000000000000001,"timestamp_ms":1}`,
		`{"value":9007199254740992.5,"timestamp_ms":1}`,
		`{"value":0.0000000000000000000000001,"timestamp_ms":1}`,
		`{"value":12.,"timestamp_ms":1}`,
		`{"value":1E5,"timestamp_ms":1}`,
		`{"value":00.5,"timestamp_ms":1}`,
		// documents that are no object, or no valid one
		`[1,2]`,
		`null`,
		` `,
		`{"value":1,"timestamp_ms":1`,
		`{"value":1,"timestamp_ms":1}x`,
	}
	for _, p := range payloads {
		t.Run(p, func(t *testing.T) {
			var want fields
			decodeGeneral([]byte(p), &want)
			wantTs, wantErr := want.check()
			taken := 0
			for _, d := range decoders {
				var f fields
				if !d.decode([]byte(p), &f) {
					continue
				}
				taken++
				ts, err := f.check()
				assert.Equal(t, wantErr, err, d.name)
				if err == nil {
					assert.Equal(t, wantTs, ts, d.name)
					assert.Equal(t, want.value, f.value, d.name)
				}
			}
			assert.GreaterOrEqual(t, taken, 1)
		})
	}
	var f fields
	assert.True(t, decodeFlat([]byte(`{"value": 25.5, "timestamp_ms": 1700000000000}`), &f), "the usual shape takes the fast path")
	v, ts, tail := decodeCanonical([]byte(`{"value":25.5,"timestamp_ms":1700000000000}`))
	assert.Equal(t, `,"timestamp_ms":1700000000000}`, string(tail), "the canonical shape takes the canonical path")
	assert.Equal(t, 25.5, v)
	assert.Equal(t, int64(1700000000000), ts)
}

func TestDecodeFlatNumbersDoNotAllocate(t *testing.T) {
	b := []byte(`{"value": 25.5, "timestamp_ms": 1700000000000, "quality": "good"}`)
	allocs := testing.AllocsPerRun(100, func() {
		var f fields
		if !decodeFlat(b, &f) {
			t.Fatal("not decoded on the fast path")
		}
		if _, err := f.check(); err != nil {
			t.Fatal(err)
		}
	})
	// Boxing a float64 into an interface is the only allocation.
	assert.LessOrEqual(t, allocs, 1.0)
}

func BenchmarkDecodePayload(b *testing.B) {
	for _, p := range []string{
		`{"value":25.5,"timestamp_ms":1700000000000}`,
		`{"value":{"x":1,"y":[1,2]},"timestamp_ms":1700000000000}`,
	} {
		b.Run(p, func(b *testing.B) {
			raw := []byte(p)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := Decode(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestUnclosedObject(t *testing.T) {
	for payload, want := range map[string]bool{
		`{"value":25.5,"timestamp_ms":`: true,
		`{`:                             true,
		" \n{ ":                         true,
		`{"value":1,"timestamp_ms":1}x`: true,
		`{"value":1,"timestamp_ms":1}`:  false,
		" {} \r\n":                      false,
		`[1,2`:                          false, // not an object: reported as such
		`"{"`:                           false,
		``:                              false,
		"  ":                            false,
	} {
		assert.Equal(t, want, unclosedObject([]byte(payload)), "%q", payload)
		if want {
			_, _, _, err := Decode([]byte(payload))
			assert.Equal(t, errInvalidJSON, err, "%q", payload)
		}
	}
}
