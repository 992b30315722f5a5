package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure" // the stream's default tracer, buffer and so on
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeRecording writes lines to a new file and returns its path.
func writeRecording(t *testing.T, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600))
	return path
}

// testInput returns a connected input for s and the buffer that receives its logs.
func testInput(t *testing.T, s settings) (*input, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := service.NewLoggerFromSlog(slog.New(slog.NewTextHandler(logs, nil)))
	in := newInput(s, service.MockResources(service.MockResourcesOptUseLogger(log)))
	require.NoError(t, in.Connect(context.Background()))
	t.Cleanup(func() { _ = in.Close(context.Background()) })
	return in, logs
}

func defaults(paths ...string) settings {
	return settings{paths: paths, batchSize: 500, maxLineBytes: 1 << 20}
}

// readAll reads batches until the end of the input and returns them.
func readAll(t *testing.T, in *input) []service.MessageBatch {
	t.Helper()
	var batches []service.MessageBatch
	for {
		batch, ack, err := in.ReadBatch(context.Background())
		if errors.Is(err, service.ErrEndOfInput) {
			return batches
		}
		require.NoError(t, err)
		require.NotEmpty(t, batch)
		require.NoError(t, ack(context.Background(), nil))
		batches = append(batches, batch)
	}
}

// pumpLine is line i of a generated recording.
func pumpLine(i int) (topic, payload, line string) {
	topic = fmt.Sprintf("umh.v1.corpA.plant-A.aawd._raw.t%d", i%3)
	payload = fmt.Sprintf(`{"value": %d.5, "timestamp_ms": %d}`, i, 1733904000000+i)
	return topic, payload, fmt.Sprintf(`{"topic": %q, "payload": %s}`, topic, payload)
}

func TestReadBatchSizes(t *testing.T) {
	const n = 1003
	lines := make([]string, n)
	for i := range lines {
		_, _, lines[i] = pumpLine(i)
	}
	path := writeRecording(t, "rec.jsonl", lines...)
	for _, tt := range []struct {
		batchSize int
		sizes     []int
	}{
		{1, nil},
		{7, nil},
		{500, []int{500, 500, 3}},
		{1003, []int{1003}},
		{5000, []int{1003}},
	} {
		t.Run(fmt.Sprintf("batch_size=%d", tt.batchSize), func(t *testing.T) {
			s := defaults(path)
			s.batchSize = tt.batchSize
			in, _ := testInput(t, s)
			batches := readAll(t, in)
			i := 0
			for b, batch := range batches {
				if b < len(batches)-1 {
					assert.Len(t, batch, tt.batchSize, "every batch but the last is full")
				}
				if tt.sizes != nil {
					assert.Len(t, batch, tt.sizes[b])
				}
				for _, msg := range batch {
					topic, payload, _ := pumpLine(i)
					got, ok := msg.MetaGet("umh_topic")
					assert.True(t, ok)
					assert.Equal(t, topic, got, "message %d", i)
					body, err := msg.AsBytes()
					require.NoError(t, err)
					assert.Equal(t, payload, string(body), "message %d", i)
					i++
				}
			}
			assert.Equal(t, n, i, "every line once, in order")
			// The end stays the end.
			_, _, err := in.ReadBatch(context.Background())
			assert.ErrorIs(t, err, service.ErrEndOfInput)
		})
	}
}

func TestReadBatchBodies(t *testing.T) {
	path := writeRecording(t, "rec.jsonl",
		`{"topic": "a", "payload": {"value": 1,   "timestamp_ms": 2}}`,
		``,
		`   `,
		`{"payload": {"value": 181, "timestamp_ms": 3}}`,
		`{"topic": "a", "payload": "temperature=181"}`+"\r",
		`{"topic": "a", "payload": "{\"value\": 1}"}`,
		`{"topic": "b", "payload": {"value": 2, "timestamp_ms": 4}}`, // no final newline
	)
	in, logs := testInput(t, defaults(path))
	batches := readAll(t, in)
	require.Len(t, batches, 1)
	type msg struct {
		topic    string
		hasTopic bool
		body     string
	}
	var got []msg
	for _, m := range batches[0] {
		topic, ok := m.MetaGet("umh_topic")
		body, err := m.AsBytes()
		require.NoError(t, err)
		got = append(got, msg{topic, ok, string(body)})
	}
	assert.Equal(t, []msg{
		{"a", true, `{"value": 1,   "timestamp_ms": 2}`},
		{"", false, `{"value": 181, "timestamp_ms": 3}`},
		{"a", true, `temperature=181`},
		{"a", true, `{"value": 1}`},
		{"b", true, `{"value": 2, "timestamp_ms": 4}`},
	}, got)
	assert.NotContains(t, logs.String(), "malformed", "blank lines are not malformed")

	// A body cannot grow into its neighbour's bytes.
	first, err := batches[0][0].AsBytes()
	require.NoError(t, err)
	_ = append(first, "XXXX"...)
	second, err := batches[0][1].AsBytes()
	require.NoError(t, err)
	assert.Equal(t, `{"value": 181, "timestamp_ms": 3}`, string(second))
}

func TestMalformedLines(t *testing.T) {
	lines := []string{
		`{"topic": "a", "payload": {"value": 1, "timestamp_ms": 1}}`,
		`not json`,
		`{"topic": "a"}`,
		`{"topic": "a", "payload": {"value": 2, "timestamp_ms": 2}}`,
		`{"topic": 7, "payload": 1}`,
	}
	// Beyond the ones logged one by one, the rest are only counted.
	for range loggedPerFile {
		lines = append(lines, `{"topic": "a", "payload": {`)
	}
	lines = append(lines, `{"topic": "a", "payload": {"value": 3, "timestamp_ms": 3}}`)
	path := writeRecording(t, "bad.jsonl", lines...)
	in, logs := testInput(t, defaults(path))
	batches := readAll(t, in)
	require.Len(t, batches, 1)
	require.Len(t, batches[0], 3, "the good lines only, the stream goes on")
	body, _ := batches[0][2].AsBytes()
	assert.Equal(t, `{"value": 3, "timestamp_ms": 3}`, string(body))

	out := logs.String()
	assert.Contains(t, out, "uns_replay skips line 2 of "+path+": not a JSON object")
	assert.Contains(t, out, "uns_replay skips line 3 of "+path+`: expected \"payload\", or \"value\" and \"timestamp_ms\"`)
	assert.Contains(t, out, "uns_replay skips line 5 of "+path+`: \"topic\" must be a string`)
	assert.Contains(t, out, fmt.Sprintf("line %d of", 5+loggedPerFile-3))
	assert.NotContains(t, out, fmt.Sprintf("line %d of", 5+loggedPerFile-2), "logged one by one up to the limit")
	assert.Contains(t, out, fmt.Sprintf("uns_replay skipped %d malformed lines of %d in %s", 3+loggedPerFile, len(lines), path))
}

func TestLongLines(t *testing.T) {
	big := strings.Repeat("x", readBuffer+1000) // longer than the reader's buffer
	path := writeRecording(t, "long.jsonl",
		`{"topic": "a", "payload": "`+big+`"}`,
		`{"topic": "a", "payload": 2}`,
	)
	t.Run("accepted up to max_line_bytes", func(t *testing.T) {
		in, _ := testInput(t, defaults(path))
		batches := readAll(t, in)
		require.Len(t, batches, 1)
		require.Len(t, batches[0], 2)
		body, _ := batches[0][0].AsBytes()
		assert.Equal(t, big, string(body))
	})
	for _, max := range []int{readBuffer / 2, readBuffer + 500} {
		t.Run(fmt.Sprintf("skipped beyond max_line_bytes=%d", max), func(t *testing.T) {
			s := defaults(path)
			s.maxLineBytes = max
			in, logs := testInput(t, s)
			batches := readAll(t, in)
			require.Len(t, batches, 1)
			require.Len(t, batches[0], 1)
			body, _ := batches[0][0].AsBytes()
			assert.Equal(t, "2", string(body), "the next line is read whole")
			assert.Contains(t, logs.String(), "skips line 1 of "+path+": line longer than max_line_bytes")
		})
	}
}

func TestSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"b.jsonl", "a.jsonl", "c.txt"} {
		line := fmt.Sprintf(`{"topic": %q, "payload": %d}`, name, i)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(line+"\n"+line+"\n"), 0o600))
	}
	s := defaults(filepath.Join(dir, "c.txt"), filepath.Join(dir, "*.jsonl"))
	s.batchSize = 3
	in, _ := testInput(t, s)
	var topics []string
	for _, batch := range readAll(t, in) {
		for _, msg := range batch {
			topic, _ := msg.MetaGet("umh_topic")
			topics = append(topics, topic)
		}
	}
	assert.Equal(t, []string{"c.txt", "c.txt", "a.jsonl", "a.jsonl", "b.jsonl", "b.jsonl"}, topics,
		"paths in order, a pattern's matches sorted, batches spanning files")
}

func TestMissingFile(t *testing.T) {
	dir := t.TempDir()
	present := writeRecording(t, "rec.jsonl", `{"topic": "a", "payload": 1}`)
	for _, tt := range []struct {
		name, path, err string
	}{
		{"missing file", filepath.Join(dir, "nope.jsonl"), "nope.jsonl: no such file or directory"},
		{"pattern without match", filepath.Join(dir, "*.nope"), "matches no file"},
		{"directory", dir, "is not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			log := service.NewLoggerFromSlog(slog.New(slog.NewTextHandler(logs, nil)))
			in := newInput(defaults(present, tt.path), service.MockResources(service.MockResourcesOptUseLogger(log)))
			err := in.Connect(context.Background())
			require.Error(t, err)
			assert.ErrorIs(t, err, service.ErrEndOfInput, "ends the stream instead of retrying")
			assert.ErrorContains(t, err, tt.err)
			assert.Contains(t, logs.String(), "uns_replay cannot start")
		})
	}
}

// TestMissingFileRefusedAtStart: the constructor refuses a recording that is not
// there, naming it and the directory relative paths are taken from, so that `run`
// fails instead of ending quietly.
func TestMissingFileRefusedAtStart(t *testing.T) {
	t.Chdir(t.TempDir())
	conf, err := ConfigSpec().ParseYAML(`paths: [ examples/pump/sample.jsonl ]`, nil)
	require.NoError(t, err)
	_, err = newFromParsed(conf, service.MockResources())
	require.Error(t, err)
	assert.ErrorContains(t, err, "examples/pump/sample.jsonl: no such file or directory")
	wd, err2 := os.Getwd()
	require.NoError(t, err2)
	assert.ErrorContains(t, err, "relative paths are taken from the working directory, "+wd)
}

func TestPacing(t *testing.T) {
	// Timestamps 0, 150 and 300 ms after the first; one line without a timestamp.
	path := writeRecording(t, "paced.jsonl",
		`{"topic": "a", "payload": {"value": 1, "timestamp_ms": 1000}}`,
		`{"topic": "a", "payload": {"value": 2, "timestamp_ms": 1150}}`,
		`{"topic": "a", "payload": "no timestamp"}`,
		`{"topic": "a", "payload": {"value": 3, "timestamp_ms": 1300}}`,
	)
	for _, tt := range []struct {
		speed string
		span  time.Duration // the recorded 300 ms at that speed
	}{
		{"1x", 300 * time.Millisecond},
		{"2x", 150 * time.Millisecond},
	} {
		t.Run(tt.speed, func(t *testing.T) {
			s := defaults(path)
			var err error
			s.speed, err = parseSpeed(tt.speed)
			require.NoError(t, err)
			in, _ := testInput(t, s)
			start := time.Now()
			batches := readAll(t, in)
			took := time.Since(start)
			total := 0
			for _, b := range batches {
				total += len(b)
			}
			assert.Equal(t, 4, total)
			// The first message is due at once; its batch does not wait for the second,
			// due 150 ms later (the later batches depend on how late the reads come).
			assert.Len(t, batches[0], 1)
			assert.GreaterOrEqual(t, took, tt.span-5*time.Millisecond)
			assert.Less(t, took, tt.span+2*time.Second, "a generous bound")
		})
	}
	t.Run("max does not wait", func(t *testing.T) {
		in, _ := testInput(t, defaults(path))
		start := time.Now()
		batches := readAll(t, in)
		assert.Len(t, batches, 1)
		assert.Less(t, time.Since(start), 250*time.Millisecond)
	})
}

func TestPacingStopsWithContext(t *testing.T) {
	path := writeRecording(t, "slow.jsonl",
		`{"topic": "a", "payload": {"value": 1, "timestamp_ms": 1000}}`,
		`{"topic": "a", "payload": {"value": 2, "timestamp_ms": 3601000}}`,
	)
	s := defaults(path)
	s.speed = 1
	in, _ := testInput(t, s)
	batch, _, err := in.ReadBatch(context.Background())
	require.NoError(t, err)
	require.Len(t, batch, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err = in.ReadBatch(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "an hour's wait ends with the context")
}

func TestConfig(t *testing.T) {
	for _, tt := range []struct {
		yaml, err string
	}{
		{`paths: [a]`, ""},
		{`paths: []`, "at least one path"},
		{`paths: [a]` + "\nbatch_size: 0", "batch_size: 0 is not a positive number"},
		{`paths: [a]` + "\nspeed: fast", `speed: "fast" is neither max nor a positive factor`},
		{`paths: [a]` + "\nmax_line_bytes: -1", "max_line_bytes: -1 is not a positive number"},
	} {
		conf, err := ConfigSpec().ParseYAML(tt.yaml, nil)
		require.NoError(t, err, tt.yaml)
		s, err := settingsFromParsed(conf)
		if tt.err == "" {
			require.NoError(t, err)
			assert.Equal(t, settings{paths: []string{"a"}, batchSize: 500, maxLineBytes: 1 << 20}, s, "the defaults")
			continue
		}
		assert.ErrorContains(t, err, tt.err, tt.yaml)
	}
}

// TestStream runs the registered input in a Benthos stream: the batches reach the
// output as read, and the end of the file ends the stream.
func TestStream(t *testing.T) {
	lines := make([]string, 25)
	for i := range lines {
		_, _, lines[i] = pumpLine(i)
	}
	path := writeRecording(t, "rec.jsonl", lines...)
	b := service.NewStreamBuilder()
	require.NoError(t, b.SetLoggerYAML("level: none"))
	require.NoError(t, b.AddInputYAML(fmt.Sprintf("uns_replay:\n  paths: [%q]\n  batch_size: 10", path)))
	var mu sync.Mutex
	var sizes []int
	var bodies []string
	require.NoError(t, b.AddBatchConsumerFunc(func(_ context.Context, batch service.MessageBatch) error {
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, len(batch))
		for _, m := range batch {
			body, err := m.AsBytes()
			if err != nil {
				return err
			}
			bodies = append(bodies, string(body))
		}
		return nil
	}))
	stream, err := b.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, stream.Run(ctx), "the stream ends by itself")
	assert.Equal(t, []int{10, 10, 5}, sizes)
	require.Len(t, bodies, 25)
	for i, body := range bodies {
		_, payload, _ := pumpLine(i)
		assert.Equal(t, payload, body)
	}
}
