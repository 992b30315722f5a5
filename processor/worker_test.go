package processor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWorkerKeepsPayloads: a Worker's outputs are those of Process, and their payloads
// stay valid after later calls, back to back in the worker's buffer, until the caller
// replaces it.
func TestWorkerKeepsPayloads(t *testing.T) {
	p, err := New(pumpConfig(map[string]any{"pressure": "press + 1", "unit": `"bar"`}))
	require.NoError(t, err)
	w := p.NewWorker()
	var kept []Output
	keep := func(o Output) { kept = append(kept, o) }
	res := w.Process(testPrefix+"._raw.press", []byte(`{"value":1,"timestamp_ms":5}`), keep)
	assert.Equal(t, Result{Matched: true, Outputs: 2, Slots: res.Slots}, res)
	res = w.Process(testPrefix+"._raw.press", []byte(`{"value":2,"timestamp_ms":6}`), keep)
	assert.Equal(t, 2, res.Outputs)
	assert.False(t, w.Process("umh.v1.other", []byte(`{"value":2,"timestamp_ms":6}`), keep).Matched)

	var got []string
	total := 0
	for _, o := range kept {
		got = append(got, o.Topic+" "+string(o.Payload))
		total += len(o.Payload)
	}
	assert.Equal(t, []string{
		testPrefix + "._pump_v1.unit {\"value\":\"bar\",\"timestamp_ms\":5}",
		testPrefix + "._pump_v1.pressure {\"value\":2,\"timestamp_ms\":5}",
		testPrefix + "._pump_v1.unit {\"value\":\"bar\",\"timestamp_ms\":6}",
		testPrefix + "._pump_v1.pressure {\"value\":3,\"timestamp_ms\":6}",
	}, got)
	assert.Len(t, w.Buffer(), total, "the payloads lie back to back in the buffer")

	w.SetBuffer(nil)
	w.Process(testPrefix+"._raw.press", []byte(`{"value":9,"timestamp_ms":7}`), func(Output) {})
	assert.Equal(t, `{"value":2,"timestamp_ms":5}`, string(kept[1].Payload), "a replaced buffer is not written again")
}
