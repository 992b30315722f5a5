package streamprocessor

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/redpanda-data/benthos/v4/public/components/io" // file output and cache

	_ "github.com/unsproc/unsproc/components/replay" // the example's uns_replay input
)

// TestDeadLetterExample runs examples/dead-letter/config.yaml as a stream on its
// sample: the outputs reach the normal output, the inputs without umh_topic or with an
// invalid payload reach the dead-letter file through switch/errored(), and the other
// inputs (state only, unknown topic) are consumed.
func TestDeadLetterExample(t *testing.T) {
	conf, err := os.ReadFile("../../examples/dead-letter/config.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	files := map[string]string{
		"UNSPROC_INPUT":       "../../examples/dead-letter/sample.jsonl",
		"UNSPROC_OUTPUT":      filepath.Join(dir, "out.txt"),
		"UNSPROC_DEAD_LETTER": filepath.Join(dir, "dead-letter.jsonl"),
	}
	b := service.NewStreamBuilder()
	b.SetEnvVarLookupFunc(func(name string) (string, bool) {
		v, ok := files[name]
		return v, ok
	})
	require.NoError(t, b.SetYAML(string(conf)))
	require.NoError(t, b.SetLoggerYAML("level: none"))
	stream, err := b.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, stream.Run(ctx), "the stream ends with its input file")

	const out = "umh.v1.acme.berlin.line1._oven_v1."
	assert.Equal(t, []string{
		out + `deviation {"value":2.5,"timestamp_ms":1733904001000}`,
		out + `temperature {"value":182.5,"timestamp_ms":1733904001000}`,
		out + `deviation {"value":-1,"timestamp_ms":1733904007000}`,
		out + `temperature {"value":179,"timestamp_ms":1733904007000}`,
	}, readLines(t, files["UNSPROC_OUTPUT"]))

	type deadLetter struct {
		Error   string  `json:"error"`
		Topic   *string `json:"topic"`
		Payload string  `json:"payload"`
	}
	const temp = "umh.v1.acme.berlin.line1._raw.temp"
	want := []struct {
		reason, topic, payload, cause string
	}{
		{"missing_topic", "", `{"value": 181, "timestamp_ms": 1733904002000}`, "no umh_topic"},
		{"invalid_payload", temp, "temperature=181", "not a JSON object"},
		{"invalid_payload", temp, `{"value": null, "timestamp_ms": 1733904004000}`, `"value" is null`},
		{"invalid_payload", temp, `{"value": 181, "timestamp_ms": 0}`, `"timestamp_ms" must be`},
	}
	lines := readLines(t, files["UNSPROC_DEAD_LETTER"])
	require.Len(t, lines, len(want))
	for i, line := range lines {
		var dl deadLetter
		require.NoError(t, json.Unmarshal([]byte(line), &dl), line)
		assert.Contains(t, dl.Error, "("+want[i].reason+")", line)
		assert.Contains(t, dl.Error, want[i].cause, line)
		assert.Equal(t, want[i].payload, dl.Payload, "the input is passed on unchanged, byte for byte")
		if want[i].topic == "" {
			assert.Nil(t, dl.Topic)
		} else if assert.NotNil(t, dl.Topic) {
			assert.Equal(t, want[i].topic, *dl.Topic)
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
}
