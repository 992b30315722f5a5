package processor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/state"
)

func TestStateEntryRoundTrip(t *testing.T) {
	for _, v := range []any{2.5, "on \"A\"", true, map[string]any{"b": 1.0, "a": []any{"x", nil}}} {
		entry, err := AppendStateEntry([]byte("kept:"), "umh.v1.e._raw.press", state.Entry{V: v, TimestampMs: 17})
		require.NoError(t, err)
		require.Equal(t, "kept:", string(entry[:5]), "the entry is appended")
		topic, got, ts, err := ParseStateEntry(entry[5:])
		require.NoError(t, err, "%s", entry)
		assert.Equal(t, "umh.v1.e._raw.press", topic)
		assert.Equal(t, v, got.Interface())
		assert.Equal(t, int64(17), ts)
	}
	entry, err := AppendStateEntry(nil, "t", state.Entry{V: 1.0, TimestampMs: 2})
	require.NoError(t, err)
	assert.Equal(t, `{"topic":"t","value":1,"timestamp_ms":2}`, string(entry))
}

func TestParseStateEntryRejects(t *testing.T) {
	for raw, want := range map[string]string{
		`{"topic":"t","value":1}`:                    "not a state entry",
		`{"value":1,"timestamp_ms":2}`:               `"topic" is missing or not a string`,
		`{"topic":3,"value":1,"timestamp_ms":2}`:     `"topic" is missing or not a string`,
		`{"topic":"t","value":1,"timestamp_ms":"x"}`: "not a state entry",
		`not json`: "not a state entry",
	} {
		_, _, _, err := ParseStateEntry([]byte(raw))
		assert.ErrorContains(t, err, want, raw)
	}
}
