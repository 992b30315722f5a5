package streamprocessor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure" // buffer, metrics, tracer "none"
	_ "github.com/unsproc/unsproc/components/streamprocessor"      // registers stream_processor
)

// corpusCase is one end-to-end case of corpus/processor (docs/behaviour.md#processor-case-format).
type corpusCase struct {
	Name        string         `json:"name"`
	Config      map[string]any `json:"config"`
	Inputs      []corpusInput  `json:"inputs"`
	Expected    []corpusOutput `json:"expected"`
	Notes       string         `json:"notes"`
	Tags        []string       `json:"tags"`
	ConfigError string         `json:"config_error"`
}

type corpusInput struct {
	UmhTopic *string           `json:"umh_topic"` // nil: no umh_topic metadata
	Meta     map[string]string `json:"meta"`
	Payload  string            `json:"payload"`
}

type corpusOutput struct {
	UmhTopic    string            `json:"umh_topic"`
	Value       json.RawMessage   `json:"value"`
	TimestampMs int64             `json:"timestamp_ms"`
	Meta        map[string]string `json:"meta"`
}

const corpusDir = "../../corpus/processor"

func loadCorpus(t *testing.T) map[string][]corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	corpus := map[string][]corpusCase{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var cases []corpusCase
		require.NoError(t, dec.Decode(&cases), f)
		corpus[filepath.Base(f)] = cases
	}
	return corpus
}

func TestCorpus(t *testing.T) {
	total := 0
	for file, cases := range loadCorpus(t) {
		names := map[string]bool{}
		for _, c := range cases {
			total++
			require.False(t, names[c.Name], "%s: duplicate case name %q", file, c.Name)
			names[c.Name] = true
			t.Run(file+"/"+c.Name, func(t *testing.T) { runCorpusCase(t, c) })
			if c.ConfigError == "" {
				// The reference engine must give the same outputs.
				goja := c
				goja.Config = maps.Clone(c.Config)
				goja.Config["engine"] = "goja"
				t.Run(file+"/goja/"+c.Name, func(t *testing.T) { runCorpusCase(t, goja) })
			}
		}
	}
	assert.GreaterOrEqual(t, total, 60, "corpus size")
}

func runCorpusCase(t *testing.T, c corpusCase) {
	var got []corpusOutput
	err := runStream(t, c.Config, 1, func(send func(service.MessageBatch) error) error {
		for _, in := range c.Inputs {
			if err := send(service.MessageBatch{inputMessage(in)}); err != nil {
				return err
			}
		}
		return nil
	}, func(out corpusOutput) { got = append(got, out) })

	if c.ConfigError != "" {
		require.Error(t, err, "the config must be rejected")
		assert.Contains(t, err.Error(), c.ConfigError)
		return
	}
	require.NoError(t, err)
	require.Len(t, got, len(c.Expected), "outputs: %s", describe(got))
	for i, want := range c.Expected {
		assert.Equal(t, want.UmhTopic, got[i].UmhTopic, "output %d topic", i)
		assert.Equal(t, want.TimestampMs, got[i].TimestampMs, "output %d timestamp_ms", i)
		assert.Equal(t, metaOrEmpty(want.Meta), got[i].Meta, "output %d meta", i)
		assert.Equal(t, parseJSON(t, want.Value), parseJSON(t, got[i].Value), "output %d value: want %s, got %s", i, want.Value, got[i].Value)
	}
}

func inputMessage(in corpusInput) *service.Message {
	msg := service.NewMessage([]byte(in.Payload))
	for k, v := range in.Meta {
		msg.MetaSetMut(k, v)
	}
	if in.UmhTopic != nil {
		msg.MetaSetMut("umh_topic", *in.UmhTopic) // MetaSet would drop an empty topic
	}
	return msg
}

// outputShape is the exact payload layout of an output.
var outputShape = regexp.MustCompile(`^\{"value":(.+),"timestamp_ms":(-?[0-9]+)\}$`)

// runStream runs a Benthos stream whose pipeline is one stream_processor with cfg, fed
// by produce and drained into collect. Corpus configs are built in code, so the
// environment-variable lookup gives every ${name} placeholder back unchanged: template
// literals reach the processor as written (docs/behaviour.md#environment-substitution).
func runStream(t *testing.T, cfg map[string]any, threads int, produce func(send func(service.MessageBatch) error) error, collect func(corpusOutput)) error {
	t.Helper()
	b := service.NewStreamBuilder()
	b.SetEnvVarLookupFunc(func(name string) (string, bool) { return "${" + name + "}", true })
	b.SetThreads(threads)
	require.NoError(t, b.SetLoggerYAML("level: none"))
	procConf, err := json.Marshal(map[string]any{"stream_processor": cfg})
	require.NoError(t, err)
	if err := b.AddProcessorYAML(string(procConf)); err != nil { // JSON is YAML
		return err
	}
	send, err := b.AddBatchProducerFunc()
	require.NoError(t, err)
	var mu sync.Mutex
	require.NoError(t, b.AddBatchConsumerFunc(func(_ context.Context, batch service.MessageBatch) error {
		mu.Lock()
		defer mu.Unlock()
		for _, msg := range batch {
			collect(outputOf(t, msg))
		}
		return nil
	}))
	stream, err := b.Build()
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- stream.Run(ctx) }()

	produced := make(chan error, 1)
	go func() {
		send := func(batch service.MessageBatch) error { return send(ctx, batch) }
		// A message without umh_topic produces nothing; once it is acknowledged the
		// processor is known to be running, even for cases without inputs.
		if err := send(service.MessageBatch{service.NewMessage(nil)}); err != nil {
			produced <- err
			return
		}
		produced <- produce(send)
	}()
	select {
	case err := <-runErr: // the stream stopped before the inputs were consumed: a config error
		if err == nil {
			err = errors.New("stream stopped early")
		}
		return err
	case err := <-produced:
		require.NoError(t, err)
	}
	require.NoError(t, stream.Stop(ctx))
	return nil
}

func outputOf(t *testing.T, msg *service.Message) corpusOutput {
	raw, err := msg.AsBytes()
	require.NoError(t, err)
	parts := outputShape.FindSubmatch(raw)
	require.NotNil(t, parts, "payload layout: %s", raw)
	var out corpusOutput
	require.NoError(t, json.Unmarshal(parts[2], &out.TimestampMs))
	out.Value = parts[1]
	out.Meta = map[string]string{}
	require.NoError(t, msg.MetaWalk(func(k, v string) error {
		if k == "umh_topic" {
			out.UmhTopic = v
		} else {
			out.Meta[k] = v
		}
		return nil
	}))
	return out
}

func metaOrEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func parseJSON(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(raw, &v), "value %s", raw)
	return v
}

func describe(outs []corpusOutput) string {
	var b bytes.Buffer
	for _, o := range outs {
		fmt.Fprintf(&b, "\n  %s %s @%d %v", o.UmhTopic, o.Value, o.TimestampMs, o.Meta)
	}
	return b.String()
}

// TestThreadsGiveSameOutputs runs the same independent inputs through one and two
// pipeline threads, with batches sent concurrently, and compares the outputs as sets.
func TestThreadsGiveSameOutputs(t *testing.T) {
	const sources, batches = 4, 60
	cfg := map[string]any{
		"output_topic": "umh.v1.e", "model": map[string]any{"name": "m", "version": "v1"},
		"sources": map[string]any{}, "mapping": map[string]any{"label": `"fixed"`},
	}
	for i := range sources {
		alias := fmt.Sprintf("s%d", i)
		cfg["sources"].(map[string]any)[alias] = "umh.v1.e._raw." + alias
		cfg["mapping"].(map[string]any)["double"+alias] = fmt.Sprintf("%s * 2 + %d", alias, i)
		cfg["mapping"].(map[string]any)["text"+alias] = fmt.Sprintf("`%s=${%s}`", alias, alias)
	}
	produce := func(send func(service.MessageBatch) error) error {
		var wg sync.WaitGroup
		errs := make(chan error, batches)
		for n := range batches {
			wg.Go(func() {
				var batch service.MessageBatch
				for i := range sources {
					topic := fmt.Sprintf("umh.v1.e._raw.s%d", (n+i)%sources)
					batch = append(batch, inputMessage(corpusInput{
						UmhTopic: &topic,
						Meta:     map[string]string{"n": fmt.Sprint(n)},
						Payload:  fmt.Sprintf(`{"value":%d.5,"timestamp_ms":%d}`, n, 1000+n),
					}))
				}
				errs <- send(batch)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}
	run := func(threads int) []string {
		var outs []string
		require.NoError(t, runStream(t, cfg, threads, produce, func(o corpusOutput) {
			outs = append(outs, fmt.Sprintf("%s %s %d %v", o.UmhTopic, o.Value, o.TimestampMs, o.Meta))
		}))
		slices.Sort(outs)
		return outs
	}
	one := run(1)
	require.Len(t, one, batches*sources*3, "each input: the static and two dynamics")
	assert.Equal(t, one, run(2))
}
