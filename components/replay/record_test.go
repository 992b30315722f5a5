package replay

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		topic    string
		hasTopic bool
		payload  string
	}{
		{
			name:  "object payload: its bytes as written, spaces and member order kept",
			line:  `{"topic": "a.b._raw.press", "payload": {"value": 100, "timestamp_ms": 1733904000000}}`,
			topic: "a.b._raw.press", hasTopic: true,
			payload: `{"value": 100, "timestamp_ms": 1733904000000}`,
		},
		{
			name:  "compact line, payload first",
			line:  `{"payload":{"timestamp_ms":1,"value":[1,{"x":"}"}]},"topic":"t"}`,
			topic: "t", hasTopic: true,
			payload: `{"timestamp_ms":1,"value":[1,{"x":"}"}]}`,
		},
		{
			name:  "string payload is unquoted once",
			line:  `{"topic": "t", "payload": "temperature=181"}`,
			topic: "t", hasTopic: true,
			payload: `temperature=181`,
		},
		{
			name:  "string payload with escapes is decoded",
			line:  `{"topic": "t", "payload": "{\"value\": 1, \"timestamp_ms\": 2}\n\u00e9"}`,
			topic: "t", hasTopic: true,
			payload: "{\"value\": 1, \"timestamp_ms\": 2}\né",
		},
		{
			name:  "escaped topic and key are decoded",
			line:  `{"t\u006fpic": "a\/b\u002ec", "payload": 5}`,
			topic: "a/b.c", hasTopic: true,
			payload: `5`,
		},
		{
			name:    "no topic: a message without umh_topic",
			line:    `{"payload": {"value": 181, "timestamp_ms": 1733904002000}}`,
			payload: `{"value": 181, "timestamp_ms": 1733904002000}`,
		},
		{
			name:  "value and timestamp_ms instead of a payload",
			line:  `{"timestamp_ms": 2, "topic": "t", "value": {"a": [1, 2]}}`,
			topic: "t", hasTopic: true,
			payload: `{"value":{"a": [1, 2]},"timestamp_ms":2}`,
		},
		{
			name:  "value alone",
			line:  `{"topic": "t", "value": "x"}`,
			topic: "t", hasTopic: true,
			payload: `{"value":"x"}`,
		},
		{
			name:    "timestamp_ms alone",
			line:    `{"timestamp_ms": 2}`,
			payload: `{"timestamp_ms":2}`,
		},
		{
			name:    "null topic counts as none",
			line:    `{"topic": null, "payload": null}`,
			payload: `null`,
		},
		{
			name:  "other members are ignored, the last repeated member wins",
			line:  ` {"id": [1, 2], "topic": "old", "payload": true, "topic": "new", "note": {"a": -1.5e+3}} `,
			topic: "new", hasTopic: true,
			payload: `true`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLine([]byte(tt.line))
			require.NoError(t, err)
			assert.Equal(t, tt.hasTopic, l.HasTopic)
			assert.Equal(t, tt.topic, string(l.Topic))
			assert.Equal(t, tt.payload, string(l.Payload))
		})
	}
}

func TestParseLineMalformed(t *testing.T) {
	tests := []struct {
		name, line, err string
	}{
		{"not JSON", `topic=a payload=b`, "not a JSON object"},
		{"an array", `[{"topic": "a", "payload": 1}]`, "not a JSON object"},
		{"no payload", `{"topic": "a", "note": 1}`, `expected "payload", or "value" and "timestamp_ms"`},
		{"empty object", `{}`, `expected "payload", or "value" and "timestamp_ms"`},
		{"both forms", `{"topic": "a", "payload": {}, "value": 1}`, `give either "payload" or "value" and "timestamp_ms", not both`},
		{"topic not a string", `{"topic": 42, "payload": {}}`, `"topic" must be a string`},
		{"text after the object", `{"topic": "a", "payload": {}} x`, "byte 31: text after the object"},
		{"two objects", `{"payload": 1}{"payload": 2}`, "text after the object"},
		{"unterminated string", `{"topic": "a, "payload": {}}`, "expected ',' or '}'"},
		{"truncated line", `{"topic": "a", "payload": {"value": 1`, "unexpected end of line"},
		{"bad number", `{"topic": "a", "payload": {"value": 01}}`, "expected ',' or '}'"},
		{"bad number fraction", `{"topic": "a", "payload": {"value": 1.}}`, "expected a digit"},
		{"bad literal", `{"topic": "a", "payload": {"value": tru}}`, "expected true"},
		{"bad escape", `{"topic": "a\x", "payload": 1}`, "expected an escape sequence"},
		{"control character", "{\"topic\": \"a\tb\", \"payload\": 1}", "control character in string"},
		{"missing colon", `{"topic" "a", "payload": 1}`, "expected ':'"},
		{"trailing comma", `{"topic": "a", "payload": 1,}`, "expected a string key"},
		{"nested too deeply", `{"payload": ` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLine([]byte(tt.line))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func TestTimestampOf(t *testing.T) {
	tests := []struct {
		payload string
		ts      int64
		ok      bool
	}{
		{`{"value": 1, "timestamp_ms": 1733904000000}`, 1733904000000, true},
		{`{"timestamp_ms": 5, "value": {"timestamp_ms": 9}}`, 5, true},
		{`{"value": 1, "timestamp_ms": 1.5}`, 0, false},
		{`{"value": 1, "timestamp_ms": "5"}`, 0, false},
		{`{"value": 1}`, 0, false},
		{`temperature=181`, 0, false},
	}
	for _, tt := range tests {
		ts, ok := timestampOf([]byte(tt.payload))
		assert.Equal(t, tt.ok, ok, tt.payload)
		assert.Equal(t, tt.ts, ts, tt.payload)
	}
}

func TestParseSpeed(t *testing.T) {
	for in, want := range map[string]float64{"max": 0, "1x": 1, "2x": 2, "0.5x": 0.5} {
		got, err := parseSpeed(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "1", "x", "0x", "-1x", "fastx", "NaNx", "1X", "Infx"} {
		_, err := parseSpeed(in)
		assert.ErrorContains(t, err, "neither max nor a positive factor", in)
	}
}
