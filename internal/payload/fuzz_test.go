package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// maxPayloadDepth is the deepest nesting a payload may have, as nestingDepth counts
// it: the limit of the sonic validator behind Decode (encoding/json's is 10,000,
// and the payload rules name none). Deeper payloads are rejected.
const maxPayloadDepth = 4096

// referenceDecode is the payload rules (docs/behaviour.md#payload-rules) written
// plainly on encoding/json, in check's order: a document that does not start with an
// object, or invalid JSON (also nesting beyond maxPayloadDepth); "value" missing,
// holding a number beyond float64 range, or null; "timestamp_ms" missing or not a
// JSON number with an integral value in (0, 2^63), in any notation. Keys match
// exactly, other keys are ignored, the last duplicate wins. It returns the rule that
// refuses b, or ruleNone with the value and timestamp.
func referenceDecode(b []byte) (value any, ts int64, refused rule) {
	var fields map[string]json.RawMessage
	if nestingDepth(b) > maxPayloadDepth || json.Unmarshal(b, &fields) != nil || fields == nil {
		trimmed := bytes.TrimLeft(b, " \t\r\n")
		if len(trimmed) > 0 && trimmed[0] != '{' {
			return nil, 0, ruleNotObject
		}
		return nil, 0, ruleInvalidJSON
	}
	rawValue, hasValue := fields["value"]
	if !hasValue {
		return nil, 0, ruleValueMissing
	}
	if json.Unmarshal(rawValue, &value) != nil {
		return nil, 0, ruleValueInvalid
	}
	if value == nil {
		return nil, 0, ruleValueNull
	}
	rawTs, hasTs := fields["timestamp_ms"]
	if !hasTs {
		return nil, 0, ruleTsMissing
	}
	ts, ok := referenceTimestamp(rawTs)
	if !ok {
		return nil, 0, ruleTsInvalid
	}
	return value, ts, ruleNone
}

var twoTo63 = new(big.Int).Lsh(big.NewInt(1), 63)

// referenceTimestamp judges a JSON number token exactly, as a rational number.
func referenceTimestamp(tok []byte) (int64, bool) {
	s := string(tok)
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, false // a string, literal, object or array
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// Beyond this bound the value is 0, below 1 or above 10^40: never a timestamp.
		// Deciding it here keeps big.Rat from building a huge power of ten.
		bound := 2*len(s) + 40
		if exp, err := strconv.Atoi(s[i+1:]); err != nil || exp > bound || exp < -bound {
			return 0, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || r.Sign() <= 0 || r.Num().Cmp(twoTo63) >= 0 {
		return 0, false
	}
	return r.Num().Int64(), true
}

// nestingDepth is the deepest nesting of brackets and braces outside strings, the
// payload object counting as 1, where an object member counts one level deeper than
// its object (as sonic's validator counts: an array may hold a scalar at depth 4096,
// an object only at 4095).
func nestingDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString:
			escaped = c == '\\'
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ':':
			deepest = max(deepest, depth+1)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// sameJSONValue compares decoded JSON values, numbers by their bits (so 0 and -0
// differ).
func sameJSONValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSONValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameJSONValue(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// FuzzDecodePayload checks that Decode never panics, accepts exactly what
// referenceDecode accepts, with the same value and timestamp, and rejects the rest
// for the same reason.
func FuzzDecodePayload(f *testing.F) {
	for _, seed := range []string{
		`{"value":25.5,"timestamp_ms":1700000000000}`,
		`{"timestamp_ms":1.7e12,"value":{"a":[1,"x",true,null]}}`,
		`{"value":"a\"b\u00e9","timestamp_ms":9223372036854775807}`,
		`{"value":1,"value":null,"timestamp_ms":1}`,
		`{"value":-0,"timestamp_ms":17000e-1}`,
		`{"value":null,"x":{"a":1}}`,
		`{"x":[],"timestamp_ms":0,"value":1e400}`,
		` [1,2`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, gotTs, _, err := Decode(payload)
		want, wantTs, refused := referenceDecode(payload)
		if refused != ruleNone {
			if err == nil {
				t.Fatalf("accepted %q (value %#v, ts %d), the reference rejects it (rule %d)", payload, got.Interface(), gotTs, refused)
			}
			var e *Error
			if !errors.As(err, &e) || e.rule != refused {
				t.Fatalf("rejected %q (%v), the reference for another reason (rule %d)", payload, err, refused)
			}
			return
		}
		if err != nil {
			t.Fatalf("rejected %q (%v), the reference accepts it: value %#v, ts %d", payload, err, want, wantTs)
		}
		if gotTs != wantTs || !sameJSONValue(got.Interface(), want) {
			t.Fatalf("%q: got value %#v ts %d, the reference %#v ts %d", payload, got.Interface(), gotTs, want, wantTs)
		}
	})
}

// TestNestingLimit pins maxPayloadDepth, the one rule the reference adds to
// encoding/json, at its boundary: for arrays, objects with and without members and
// a mix, in the value and in an ignored field.
func TestNestingLimit(t *testing.T) {
	arrays := func(n int, inner string) string { return strings.Repeat("[", n) + inner + strings.Repeat("]", n) }
	objects := func(n int, inner string) string { return strings.Repeat(`{"k":`, n) + inner + strings.Repeat("}", n) }
	tests := []struct {
		name   string
		value  string // nested in the payload object, which is level 1
		accept bool
	}{
		{"arrays, 4096 levels", arrays(4095, "1"), true},
		{"arrays, 4097 levels", arrays(4096, "1"), false},
		{"empty arrays, 4097 levels", arrays(4096, ""), false},
		{"objects, member at 4096", objects(4094, "1"), true},
		{"objects, member at 4097", objects(4095, "1"), false},
		{"objects, empty object at 4096", objects(4094, "{}"), true},
		{"arrays, then an object with a member at 4097", arrays(4094, `{"k":1}`), false},
		{"arrays, then an empty object at 4096", arrays(4094, `{}`), true},
		{"objects, then an array at 4096", objects(4094, "[1]"), true},
		{"objects, then an array with an empty object at 4097", objects(4094, "[{}]"), false},
		{"brackets inside strings do not count", objects(4094, `"[[[{{{"`), true},
	}
	for _, tc := range tests {
		for _, inOther := range []bool{false, true} {
			payload := `{"value":` + tc.value + `,"timestamp_ms":1}`
			if inOther {
				payload = `{"x":` + tc.value + `,"value":1,"timestamp_ms":1}`
			}
			_, _, _, err := Decode([]byte(payload))
			assert.Equal(t, tc.accept, err == nil, "%s (in another field: %v): Decode", tc.name, inOther)
			_, _, refused := referenceDecode([]byte(payload))
			assert.Equal(t, tc.accept, refused == ruleNone, "%s (in another field: %v): reference", tc.name, inOther)
		}
	}
}
