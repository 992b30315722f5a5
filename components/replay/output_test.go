package replay

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/components/internal/batchout"
)

// newRecordOutput builds a uns_record output from its YAML config and connects it.
func newRecordOutput(t *testing.T, yaml string) *output {
	t.Helper()
	conf, err := OutputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	out, _, maxInFlight, err := newOutputFromParsed(conf, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, maxInFlight, "one batch in flight keeps the order")
	require.NoError(t, out.Connect(context.Background()))
	t.Cleanup(func() { _ = out.Close(context.Background()) })
	return out.(*output)
}

// message is a message with the given body and, unless topic is "", umh_topic.
func message(topic, body string) *service.Message {
	m := service.NewMessage([]byte(body))
	if topic != "" {
		m.MetaSet(topicKey, topic)
	}
	return m
}

func TestRecordOutputRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	out := newRecordOutput(t, "path: "+path)
	bodies := []string{
		`{"value":25.5,"timestamp_ms":1700000000000}`,
		`{ "value" : "a \"quoted\" é" , "timestamp_ms" : 1 }`, // kept byte for byte
		"{\n  \"value\": 1\n}",                                // JSON on two lines: a string
		`not json`,
		`"a JSON string"`,
		"",
	}
	topics := []string{"umh.v1.a._raw.x", `umh.v1.b."quoted"`, "umh.v1.température", "umh.v1.d", "umh.v1.e", "umh.v1.f"}
	var batch service.MessageBatch
	for i, b := range bodies {
		batch = append(batch, message(topics[i], b))
	}
	require.NoError(t, out.WriteBatch(context.Background(), batch))
	require.NoError(t, out.Close(context.Background()))

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	var n int
	for ; sc.Scan(); n++ {
		line, err := ParseLine(sc.Bytes())
		require.NoError(t, err, sc.Text())
		assert.Equal(t, topics[n], string(line.Topic))
		assert.Equal(t, bodies[n], string(line.Payload), "uns_replay gives back the body")
	}
	assert.Equal(t, len(bodies), n)
}

func TestRecordOutputText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	out := newRecordOutput(t, "path: "+path+"\nformat: text")
	batch := service.MessageBatch{
		message("umh.v1.a", `{"value":1,"timestamp_ms":2}`),
		message("", `{"value":2}`), // no topic: fails alone
		message("umh.v1.c", `{"value":3,"timestamp_ms":4}`),
		service.NewMessage([]byte("4")),
	}
	batch[3].MetaSet(topicKey, "") // an empty topic fails as well
	failed := batchout.Failed(out.WriteBatch(context.Background(), batch))
	require.Len(t, failed, 2)
	assert.ErrorIs(t, failed[1], errNoUMHTopic)
	assert.ErrorIs(t, failed[3], errNoUMHTopic)
	require.NoError(t, out.WriteBatch(context.Background(), service.MessageBatch{message("umh.v1.d", "x")}))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "umh.v1.a {\"value\":1,\"timestamp_ms\":2}\numh.v1.c {\"value\":3,\"timestamp_ms\":4}\numh.v1.d x\n", string(got))
}

func TestRecordOutputUnwritablePath(t *testing.T) {
	conf, err := OutputSpec().ParseYAML("path: "+filepath.Join(t.TempDir(), "missing", "out.jsonl"), nil)
	require.NoError(t, err)
	out, _, _, err := newOutputFromParsed(conf, nil)
	require.NoError(t, err)
	assert.ErrorContains(t, out.Connect(context.Background()), "uns_record: open")
	assert.ErrorIs(t, out.WriteBatch(context.Background(), service.MessageBatch{message("umh.v1.a", "1")}), service.ErrNotConnected)
}

// TestReplayThenRecord replays a recording through a stream into uns_record: the
// written recording is the replayed one, line for line.
func TestReplayThenRecord(t *testing.T) {
	lines := []string{
		`{"topic":"umh.v1.a._raw.x","payload":{"value":1,"timestamp_ms":1}}`,
		`{"topic":"umh.v1.a._raw.y","payload":{"value":"on","timestamp_ms":2}}`,
		`{"topic":"umh.v1.a._raw.x","payload":{"value":-0,"timestamp_ms":3}}`,
	}
	in := writeRecording(t, "in.jsonl", lines...)
	outPath := filepath.Join(t.TempDir(), "out.jsonl")
	b := service.NewStreamBuilder()
	require.NoError(t, b.SetYAML(`
input:
  uns_replay:
    paths: [ "`+in+`" ]
    batch_size: 2
output:
  uns_record:
    path: "`+outPath+`"
logger:
  level: none
`))
	stream, err := b.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, stream.Run(ctx))
	got, err := os.ReadFile(outPath)
	require.NoError(t, err)
	assert.Equal(t, strings.Join(lines, "\n")+"\n", string(got))
}
