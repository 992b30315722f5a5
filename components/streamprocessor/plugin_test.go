package streamprocessor

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/processor"
)

const pluginYAML = `
output_topic: umh.v1.e
model: {name: pump, version: v1}
sources:
  press: umh.v1.e._raw.press
  tF: umh.v1.e._raw.tempF
mapping:
  p: press * 2
  both: press + tF
  bad: press.x.y
  inf: press / 0
  slowpath: 'JSON.stringify({p: press})'
  label: '"L"'
`

func newTestBatchProcessor(t *testing.T, yaml string) service.BatchProcessor {
	t.Helper()
	conf, err := ConfigSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	bp, err := NewBatchProcessor(conf, service.MockResources())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, bp.Close(context.Background())) })
	return bp
}

func tsMessage(topic string, payload string) *service.Message {
	msg := service.NewMessage([]byte(payload))
	msg.MetaSetMut("umh_topic", topic)
	return msg
}

type ctxKey struct{}

func TestProcessBatchDerivesOutputsFromInputs(t *testing.T) {
	bp := newTestBatchProcessor(t, pluginYAML)
	in := tsMessage("umh.v1.e._raw.press", `{"value":2,"timestamp_ms":5}`)
	in.MetaSetMut("trace", "abc")
	in = in.WithContext(context.WithValue(context.Background(), ctxKey{}, "span"))

	batches, err := bp.ProcessBatch(context.Background(), service.MessageBatch{
		service.NewMessage([]byte("no topic")),
		tsMessage("umh.v1.e._raw.other", "junk"),
		tsMessage("umh.v1.e._raw.press", "junk"),
		in,
	})
	require.NoError(t, err)
	require.Len(t, batches, 1)
	var topics []string
	for _, out := range batches[0] {
		topic, _ := out.MetaGet("umh_topic")
		topics = append(topics, topic)
		trace, _ := out.MetaGet("trace")
		assert.Equal(t, "abc", trace, "metadata is copied")
		assert.Equal(t, "span", out.Context().Value(ctxKey{}), "the context (tracing) carries over")
		raw, err := out.AsBytes()
		require.NoError(t, err)
		assert.Contains(t, string(raw), `"timestamp_ms":5}`)
	}
	assert.Equal(t, []string{"umh.v1.e._pump_v1.label", "umh.v1.e._pump_v1.p", "umh.v1.e._pump_v1.slowpath"}, topics)
	orig, _ := in.MetaGet("umh_topic")
	assert.Equal(t, "umh.v1.e._raw.press", orig, "the input is not modified")
}

// TestProcessBatchPayloadsAreOwnedPerOutput checks the batch's shared payload buffer:
// each output has exactly its own payload, also with rejected inputs (flagged in
// place among the outputs) in between, and growing one payload does not write into
// the next.
func TestProcessBatchPayloadsAreOwnedPerOutput(t *testing.T) {
	bp := newTestBatchProcessor(t, pluginYAML+"on_reject: error\n")
	batches, err := bp.ProcessBatch(context.Background(), service.MessageBatch{
		tsMessage("umh.v1.e._raw.press", `{"value":2,"timestamp_ms":5}`),
		tsMessage("umh.v1.e._raw.press", "junk"),
		tsMessage("umh.v1.e._raw.tempF", `{"value":10,"timestamp_ms":6}`),
		tsMessage("umh.v1.e._raw.press", `{"value":3.5,"timestamp_ms":7}`),
	})
	require.NoError(t, err)
	require.Len(t, batches, 1)
	var got []string
	for _, out := range batches[0] {
		raw, err := out.AsBytes()
		require.NoError(t, err)
		topic, _ := out.MetaGet("umh_topic")
		got = append(got, topic+" "+string(raw))
		if strings.Contains(topic, "._pump_v1.") {
			assert.Equal(t, len(raw), cap(raw), "%s: the payload ends its slice", topic)
		}
	}
	assert.Equal(t, []string{
		`umh.v1.e._pump_v1.label {"value":"L","timestamp_ms":5}`,
		`umh.v1.e._pump_v1.p {"value":4,"timestamp_ms":5}`,
		`umh.v1.e._pump_v1.slowpath {"value":"{\"p\":2}","timestamp_ms":5}`,
		`umh.v1.e._raw.press junk`,
		`umh.v1.e._pump_v1.label {"value":"L","timestamp_ms":6}`,
		`umh.v1.e._pump_v1.both {"value":12,"timestamp_ms":6}`,
		`umh.v1.e._pump_v1.label {"value":"L","timestamp_ms":7}`,
		`umh.v1.e._pump_v1.both {"value":13.5,"timestamp_ms":7}`,
		`umh.v1.e._pump_v1.p {"value":7,"timestamp_ms":7}`,
		`umh.v1.e._pump_v1.slowpath {"value":"{\"p\":3.5}","timestamp_ms":7}`,
	}, got)
}

// TestProcessBatchPayloadsSurviveLaterBatches checks the payload slabs shared by
// consecutive inputs: outputs kept from earlier batches are not overwritten by later
// ones, with batches whose payloads fill several slabs and inputs whose outputs
// outgrow one (a long string value).
func TestProcessBatchPayloadsSurviveLaterBatches(t *testing.T) {
	bp := newTestBatchProcessor(t, pluginYAML)
	var kept []*service.Message
	var want []string
	long := strings.Repeat("x", 1500)
	for i := range 300 {
		size := 1 + i%3
		if i%50 == 0 {
			size = 40
		}
		var batch service.MessageBatch
		for j := range size {
			ts := i*100 + j + 1
			if (i+j)%7 == 0 {
				batch = append(batch, tsMessage("umh.v1.e._raw.press", fmt.Sprintf(`{"value":"%s%d","timestamp_ms":%d}`, long, i, ts)))
				want = append(want,
					fmt.Sprintf(`{"value":"L","timestamp_ms":%d}`, ts),
					fmt.Sprintf(`{"value":"{\"p\":\"%s%d\"}","timestamp_ms":%d}`, long, i, ts))
				continue
			}
			batch = append(batch, tsMessage("umh.v1.e._raw.press", fmt.Sprintf(`{"value":%d,"timestamp_ms":%d}`, i, ts)))
			want = append(want,
				fmt.Sprintf(`{"value":"L","timestamp_ms":%d}`, ts),
				fmt.Sprintf(`{"value":%d,"timestamp_ms":%d}`, 2*i, ts),
				fmt.Sprintf(`{"value":"{\"p\":%d}","timestamp_ms":%d}`, i, ts))
		}
		batches, err := bp.ProcessBatch(context.Background(), batch)
		require.NoError(t, err)
		require.Len(t, batches, 1)
		kept = append(kept, batches[0]...)
	}
	require.Equal(t, len(want), len(kept))
	for i, out := range kept {
		raw, err := out.AsBytes()
		require.NoError(t, err)
		require.Equal(t, want[i], string(raw), "output %d", i)
		require.Equal(t, len(raw), cap(raw), "output %d ends its slice", i)
	}
}

func TestProcessBatchWithoutOutputs(t *testing.T) {
	bp := newTestBatchProcessor(t, pluginYAML)
	batches, err := bp.ProcessBatch(context.Background(), service.MessageBatch{
		tsMessage("umh.v1.e._raw.other", `{"value":1,"timestamp_ms":1}`),
		tsMessage("umh.v1.e._raw.press", `{"value":null,"timestamp_ms":1}`),
	})
	require.NoError(t, err, "bad input never fails the batch")
	assert.Nil(t, batches)
}

// TestImportRegisters: importing the package registers stream_processor in Benthos'
// global environment, with the spec of ConfigSpec.
func TestImportRegisters(t *testing.T) {
	view, ok := service.GlobalEnvironment().GetProcessorConfig(PluginName)
	require.True(t, ok, "stream_processor is registered")
	assert.Contains(t, view.Description(), "umh_topic")
}

// TestProcessBatchSizeKeepsOutputs runs the same inputs, a mix of accepted and
// rejected ones, through fresh processors in batches of 1, 7 and all at once: the
// outputs, in order, are the same, whichever batches they come in.
func TestProcessBatchSizeKeepsOutputs(t *testing.T) {
	topics := []string{"umh.v1.e._raw.press", "umh.v1.e._raw.tempF", "umh.v1.e._raw.other"}
	inputs := func() service.MessageBatch {
		var batch service.MessageBatch
		for i := range 60 {
			payload := fmt.Sprintf(`{"value":%d,"timestamp_ms":%d}`, i, 1000+i)
			if i%11 == 5 {
				payload = "junk"
			}
			batch = append(batch, tsMessage(topics[i%len(topics)], payload))
		}
		return batch
	}
	run := func(size int) []string {
		bp := newTestBatchProcessor(t, pluginYAML+"on_reject: error\n")
		all := inputs()
		var outs []string
		for len(all) > 0 {
			n := min(size, len(all))
			batches, err := bp.ProcessBatch(context.Background(), all[:n])
			require.NoError(t, err)
			all = all[n:]
			for _, b := range batches {
				for _, m := range b {
					topic, _ := m.MetaGet("umh_topic")
					raw, err := m.AsBytes()
					require.NoError(t, err)
					outs = append(outs, fmt.Sprintf("%s %s %v", topic, raw, m.GetError() != nil))
				}
			}
		}
		return outs
	}
	one := run(1)
	require.Greater(t, len(one), 60, "most inputs give outputs")
	assert.Equal(t, one, run(7))
	assert.Equal(t, one, run(1000))
}

func TestRegisterUnderAnotherName(t *testing.T) {
	env := service.NewEnvironment()
	require.NoError(t, Register(env, "my_stream_processor"))
	outs := runYAMLStream(t, env, "my_stream_processor", pluginYAML, nil,
		tsMessage("umh.v1.e._raw.press", `{"value":3,"timestamp_ms":1}`))
	assert.Contains(t, outs, `umh.v1.e._pump_v1.p {"value":6,"timestamp_ms":1}`)
}

// TestTemplateLiteralEscapeInYAML checks docs/behaviour.md#environment-substitution: in a Benthos config, ${{alias}}
// reaches the processor as ${alias}, and a placeholder that is not a bare name is left
// alone.
func TestTemplateLiteralEscapeInYAML(t *testing.T) {
	outs := runYAMLStream(t, service.GlobalEnvironment(), PluginName, `
output_topic: umh.v1.e
model: {name: pump, version: v1}
sources: {tF: umh.v1.e._raw.tempF}
mapping:
  label: '`+"`T=${{tF}} twice=${tF * 2}`"+`'
`, nil, tsMessage("umh.v1.e._raw.tempF", `{"value":21,"timestamp_ms":1}`))
	assert.Equal(t, []string{`umh.v1.e._pump_v1.label {"value":"T=21 twice=42","timestamp_ms":1}`}, outs)
}

// capturingMetrics returns an environment whose streams, set up with the returned
// function, report their metrics to the returned capture.
func capturingMetrics(t *testing.T) (*service.Environment, *capturedMetrics, func(*service.StreamBuilder)) {
	t.Helper()
	env := service.NewEnvironment()
	metrics := newCapturedMetrics()
	require.NoError(t, env.RegisterMetricsExporter("captured", service.NewConfigSpec(),
		func(*service.ParsedConfig, *service.Logger) (service.MetricsExporter, error) { return metrics, nil }))
	return env, metrics, func(b *service.StreamBuilder) { require.NoError(t, b.SetMetricsYAML("captured: {}")) }
}

func TestMetrics(t *testing.T) {
	env, metrics, setup := capturingMetrics(t)
	runYAMLStream(t, env, PluginName, pluginYAML, setup,
		// The first batch is in the timed sample: it produces an output, so both
		// processing timers are recorded.
		tsMessage("umh.v1.e._raw.tempF", `{"value":1,"timestamp_ms":1}`),
		service.NewMessage([]byte("no topic")),
		tsMessage("umh.v1.e._raw.other", `{"value":1,"timestamp_ms":1}`),
		tsMessage("umh.v1.e._raw.press", `{"value":1,"timestamp_ms":0}`),
		tsMessage("umh.v1.e._raw.press", `{"value":2,"timestamp_ms":2}`),
	)
	want := map[string]int64{
		"messages_dropped":  2, // no topic, unknown topic
		"invalid_data_type": 1,
		// the invalid payload, then bad (exception) and inf (non-emittable) of the last message
		"messages_errored":   3,
		"messages_processed": 2,
		// tF message: label; press message: label, both, p, slowpath
		"outputs_generated":                                5,
		"javascript_errors":                                1,
		"mapping_errors{mapping=bad,reason=exception}":     1,
		"mapping_errors{mapping=inf,reason=non_emittable}": 1,
		"active_mappings":                                  6,
		"active_variables":                                 2,
	}
	for name, v := range want {
		assert.Equal(t, v, metrics.value(name), name)
	}
	for _, timer := range []string{"batch_processing_time", "message_processing_time", "javascript_execution_time"} {
		assert.Positive(t, metrics.value(timer), "%s is recorded", timer)
	}
}

// TestMetricsOfABatch checks the counters that are added once per batch.
func TestMetricsOfABatch(t *testing.T) {
	env, metrics, setup := capturingMetrics(t)
	outs := runYAMLStreamBatches(t, env, PluginName, pluginYAML, setup, service.MessageBatch{
		tsMessage("umh.v1.e._raw.tempF", `{"value":1,"timestamp_ms":1}`),
		tsMessage("umh.v1.e._raw.other", `{"value":1,"timestamp_ms":1}`),
		tsMessage("umh.v1.e._raw.press", `{"value":2,"timestamp_ms":2}`),
	}, service.MessageBatch{
		tsMessage("umh.v1.e._raw.press", `{"value":3,"timestamp_ms":3}`),
	})
	assert.Len(t, outs, 9)
	assert.Equal(t, int64(3), metrics.value("messages_processed"))
	assert.Equal(t, int64(9), metrics.value("outputs_generated"), "tempF: label; each press: label, both, p, slowpath")
	assert.Equal(t, int64(1), metrics.value("messages_dropped"))
}

// runYAMLStream runs the messages, one batch each, through a stream whose only
// processor is `name` configured by yaml, and returns the outputs as "topic payload".
func runYAMLStream(t *testing.T, env *service.Environment, name, yaml string, setup func(*service.StreamBuilder), msgs ...*service.Message) []string {
	t.Helper()
	batches := make([]service.MessageBatch, len(msgs))
	for i, m := range msgs {
		batches[i] = service.MessageBatch{m}
	}
	return runYAMLStreamBatches(t, env, name, yaml, setup, batches...)
}

// runYAMLStreamBatches is runYAMLStream with the batches as given.
func runYAMLStreamBatches(t *testing.T, env *service.Environment, name, yaml string, setup func(*service.StreamBuilder), batches ...service.MessageBatch) []string {
	t.Helper()
	b := env.NewStreamBuilder()
	require.NoError(t, b.SetLoggerYAML("level: none"))
	indented := strings.ReplaceAll(strings.TrimSpace(yaml), "\n", "\n  ")
	require.NoError(t, b.AddProcessorYAML(name+":\n  "+indented))
	if setup != nil {
		setup(b)
	}
	send, err := b.AddBatchProducerFunc()
	require.NoError(t, err)
	var (
		mu   sync.Mutex
		outs []string
	)
	require.NoError(t, b.AddBatchConsumerFunc(func(_ context.Context, batch service.MessageBatch) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range batch {
			topic, _ := m.MetaGet("umh_topic")
			raw, err := m.AsBytes()
			require.NoError(t, err)
			outs = append(outs, topic+" "+string(raw))
		}
		return nil
	}))
	stream, err := b.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- stream.Run(ctx) }()
	for _, batch := range batches {
		require.NoError(t, send(ctx, batch))
	}
	require.NoError(t, stream.Stop(ctx))
	require.NoError(t, <-done)
	mu.Lock()
	defer mu.Unlock()
	return outs
}

// capturedMetrics is a MetricsExporter that keeps every value by name{labels}.
type capturedMetrics struct {
	mu     sync.Mutex
	values map[string]int64
}

func newCapturedMetrics() *capturedMetrics { return &capturedMetrics{values: map[string]int64{}} }

func (c *capturedMetrics) value(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[key]
}

// key renders name{k=v,…} without the label and path labels Benthos adds to every
// processor metric.
func (c *capturedMetrics) key(name string, keys, values []string) string {
	var pairs []string
	for i, k := range keys {
		if k != "label" && k != "path" {
			pairs = append(pairs, k+"="+values[i])
		}
	}
	if len(pairs) == 0 {
		return name
	}
	sort.Strings(pairs)
	return fmt.Sprintf("%s{%s}", name, strings.Join(pairs, ","))
}

// capturedMetric adds to (counters, timers) or sets (gauges) one entry.
type capturedMetric struct {
	c   *capturedMetrics
	key string
	set bool
}

func (m capturedMetric) record(v int64) {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	if m.set {
		m.c.values[m.key] = v
	} else {
		m.c.values[m.key] += v
	}
}

func (m capturedMetric) Incr(n int64)                  { m.record(n) }
func (m capturedMetric) IncrFloat64(f float64)         { m.record(int64(f)) }
func (m capturedMetric) Timing(d int64)                { m.record(d) }
func (m capturedMetric) Set(v int64)                   { m.record(v) }
func (m capturedMetric) SetFloat64(f float64)          { m.record(int64(f)) }
func (m capturedMetric) IncrGauge(int64)               {}
func (c *capturedMetrics) Close(context.Context) error { return nil }

func (c *capturedMetrics) NewCounterCtor(name string, keys ...string) service.MetricsExporterCounterCtor {
	return func(values ...string) service.MetricsExporterCounter {
		return capturedMetric{c: c, key: c.key(name, keys, values)}
	}
}

func (c *capturedMetrics) NewTimerCtor(name string, keys ...string) service.MetricsExporterTimerCtor {
	return func(values ...string) service.MetricsExporterTimer {
		return capturedMetric{c: c, key: c.key(name, keys, values)}
	}
}

func (c *capturedMetrics) NewGaugeCtor(name string, keys ...string) service.MetricsExporterGaugeCtor {
	return func(values ...string) service.MetricsExporterGauge {
		return capturedMetric{c: c, key: c.key(name, keys, values), set: true}
	}
}

func TestSpecExampleRuns(t *testing.T) {
	outs := runYAMLStream(t, service.GlobalEnvironment(), PluginName, examplePumpConfig, nil,
		tsMessage("umh.v1.corpA.plant-A.aawd._raw.press", `{"value":100,"timestamp_ms":1}`),
		tsMessage("umh.v1.corpA.plant-A.aawd._raw.tempF", `{"value":212,"timestamp_ms":2}`),
	)
	const out = "umh.v1.corpA.plant-A.aawd._pump_v1."
	assert.Equal(t, []string{
		out + `serialNumber {"value":"SN-P42-008","timestamp_ms":1}`,
		out + `motor.rpm {"value":25,"timestamp_ms":1}`,
		out + `pressure {"value":104.00001,"timestamp_ms":1}`,
		out + `serialNumber {"value":"SN-P42-008","timestamp_ms":2}`,
		out + `combined {"value":312,"timestamp_ms":2}`,
		out + `motor.label {"value":"rpm=25 at 212°F","timestamp_ms":2}`,
		out + `temperature {"value":100,"timestamp_ms":2}`,
	}, outs)
}

func TestConfigFromParsed(t *testing.T) {
	conf, err := ConfigSpec().ParseYAML(`
mode: timeseries
output_topic: o
model: {name: n, version: v}
sources: {a: t.a}
mapping: {x: a, y: {z: 1, 2: a}, 3: '"t"'}
timeout: 250ms
engine: goja
`, nil)
	require.NoError(t, err)
	cfg, err := ConfigFromParsed(conf)
	require.NoError(t, err)
	assert.Equal(t, processor.Config{
		Mode: "timeseries", OutputTopic: "o", Model: processor.Model{Name: "n", Version: "v"},
		Sources: map[string]string{"a": "t.a"},
		Mapping: map[string]any{"x": "a", "y": map[string]any{"z": 1, "2": "a"}, "3": `"t"`},
		Timeout: 250 * time.Millisecond, Engine: compiler.EngineGoja,
	}, cfg)

	conf, err = ConfigSpec().ParseYAML("output_topic: ''\nmodel: {name: '', version: ''}\nsources: {a: t}", nil)
	require.NoError(t, err)
	cfg, err = ConfigFromParsed(conf)
	require.NoError(t, err, "empty fields are left to New, which reports them together")
	assert.Equal(t, processor.ModeTimeseries, cfg.Mode, "mode defaults to timeseries")
	assert.Equal(t, 100*time.Millisecond, cfg.Timeout)
	assert.Equal(t, compiler.EngineAuto, cfg.Engine)
	_, err = processor.New(cfg)
	assert.ErrorContains(t, err, "(3 problems)")

	for yaml, want := range map[string]string{
		"sources: {a: t}\nmapping: [1, 2]": "expected an object of expressions",
		"sources: {a: t}\nengine: fast":    "unknown engine",
	} {
		conf, err := ConfigSpec().ParseYAML("output_topic: o\nmodel: {name: n, version: v}\nsources: {a: t}\n"+yaml, nil)
		require.NoError(t, err)
		_, err = ConfigFromParsed(conf)
		assert.ErrorContains(t, err, want)
	}
}
