package mqtt

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	_ "github.com/unsproc/unsproc/components/streamprocessor"
)

// Topics of the pump example.
const (
	rawPrefix   = "umh.v1.corpA.plant-A.aawd._raw."
	modelPrefix = "umh.v1.corpA.plant-A.aawd._pump_v1."
	rawFilter   = "umh/v1/corpA/plant-A/aawd/_raw/#"
	modelFilter = "umh/v1/corpA/plant-A/aawd/_pump_v1/#"
	tsBase      = int64(1733904000000)
)

// point is one timeseries message: a value and its timestamp.
type point struct {
	Value any   `json:"value"`
	TS    int64 `json:"timestamp_ms"`
}

// rawMsg is a message published to the broker: a UNS topic (dots) and a
// payload; good tells whether the payload is a valid timeseries point p.
type rawMsg struct {
	topic   string
	payload string
	good    bool
	p       point
}

// goodMsg is a valid point on the raw topic of source.
func goodMsg(source string, value any, ts int64) rawMsg {
	p := point{Value: value, TS: ts}
	payload, _ := json.Marshal(p)
	return rawMsg{topic: rawPrefix + source, payload: string(payload), good: true, p: p}
}

// pumpOutputs is what the pump example's processor makes of msgs, by model
// topic, worked out here from the mapping's formulas: statics with every message
// of a source, each dynamic mapping when one of its inputs arrives and all of
// them are known. Invalid payloads and unknown topics make nothing.
func pumpOutputs(msgs []rawMsg) map[string][]point {
	out := map[string][]point{}
	emit := func(path string, v any, ts int64) {
		out[modelPrefix+path] = append(out[modelPrefix+path], point{v, ts})
	}
	var press, tempF *float64
	for _, m := range msgs {
		source := strings.TrimPrefix(m.topic, rawPrefix)
		if !m.good || (source != "press" && source != "tempF" && source != "run") {
			continue
		}
		ts := m.p.TS
		emit("deviceType", "pump", ts)
		emit("serialNumber", "SN-P42-008", ts)
		switch source {
		case "press":
			v := m.p.Value.(float64)
			press = &v
			emit("pressure", v+4.00001, ts)
			emit("motor.rpm", v/4, ts)
		case "tempF":
			v := m.p.Value.(float64)
			tempF = &v
			emit("temperature", v*69/31, ts)
		case "run":
			status := "inactive"
			if m.p.Value.(bool) {
				status = "active"
			}
			emit("status", status, ts)
		}
		if source != "run" && press != nil && tempF != nil {
			emit("combined", *press+*tempF, ts)
		}
	}
	return out
}

// byTopic groups received model messages by UNS topic, decoding the payloads.
func byTopic(t *testing.T, msgs []received) map[string][]point {
	t.Helper()
	out := map[string][]point{}
	for _, m := range msgs {
		var p point
		require.NoError(t, json.Unmarshal([]byte(m.Payload), &p), "payload on %s", m.Topic)
		topic := umhTopic(m.Topic)
		out[topic] = append(out[topic], p)
	}
	return out
}

// covers reports whether got has at least as many points as want on every topic.
func covers(got, want map[string][]point) bool {
	for topic, points := range want {
		if len(got[topic]) < len(points) {
			return false
		}
	}
	return true
}

// pumpProcessor is the stream_processor of examples/pump/config.yaml.
func pumpProcessor(t *testing.T) any {
	t.Helper()
	text, err := os.ReadFile("../../examples/pump/config.yaml")
	require.NoError(t, err)
	var conf struct {
		Pipeline struct {
			Processors []map[string]any `yaml:"processors"`
		} `yaml:"pipeline"`
	}
	require.NoError(t, yaml.Unmarshal(text, &conf))
	for _, p := range conf.Pipeline.Processors {
		if sp, ok := p["stream_processor"]; ok {
			return map[string]any{"stream_processor": sp}
		}
	}
	t.Fatal("examples/pump/config.yaml has no stream_processor")
	return nil
}

// streamYAML is an mqtt → pump processor → mqtt stream against url; the input
// keeps a persistent session under inputID.
func streamYAML(t *testing.T, url, inputID string) string {
	t.Helper()
	conf := map[string]any{
		"input": map[string]any{"mqtt": map[string]any{
			"urls": []string{url}, "topics": []string{rawFilter},
			"client_id": inputID, "clean_session": false,
		}},
		"pipeline": map[string]any{"threads": 1, "processors": []any{pumpProcessor(t)}},
		"output": map[string]any{"mqtt": map[string]any{
			"urls": []string{url}, "client_id": inputID + "-out",
		}},
	}
	text, err := yaml.Marshal(conf)
	require.NoError(t, err)
	return string(text)
}

// runStream builds conf in env and runs it until the end of the test, with the
// logs in logs and the counters in counters.
func runStream(t *testing.T, conf string, logs *logBuffer, counters *counterExporter) {
	t.Helper()
	env := service.NewEnvironment()
	require.NoError(t, env.RegisterMetricsExporter("counters", service.NewConfigSpec(),
		func(*service.ParsedConfig, *service.Logger) (service.MetricsExporter, error) { return counters, nil }))
	sb := env.NewStreamBuilder()
	require.NoError(t, sb.SetYAML(conf))
	require.NoError(t, sb.SetMetricsYAML("counters: {}"))
	sb.SetLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	stream, err := sb.Build()
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- stream.Run(context.Background()) }()
	t.Cleanup(func() {
		assert.NoError(t, stream.StopWithin(10*time.Second))
		assert.NoError(t, <-done)
		if t.Failed() {
			t.Logf("stream log:\n%s", logs.String())
		}
	})
}

// primeSession creates the persistent session of an input, subscribed to filter,
// before the input runs, so that the broker queues what is published from now on.
func primeSession(t *testing.T, b *broker, inputID, filter string) {
	t.Helper()
	c := testClient(t, b, inputID, false)
	require.NoError(t, wait(c.Subscribe(filter, 1, func(paho.Client, paho.Message) {})))
	c.Disconnect(100)
}

// publish sends msgs in order at QoS 1 and returns the tokens.
func publish(client paho.Client, msgs []rawMsg) []paho.Token {
	tokens := make([]paho.Token, len(msgs))
	for i, m := range msgs {
		tokens[i] = client.Publish(mqttTopic(m.topic), 1, false, m.payload)
	}
	return tokens
}

// waitAll waits for every token.
func waitAll(t *testing.T, tokens []paho.Token) {
	t.Helper()
	for i, tok := range tokens {
		require.NoError(t, wait(tok), "publish %d", i)
	}
}

// TestPumpOverMQTT: raw messages → mqtt input → the pump example's processor →
// mqtt output → model topics. Every output arrives once, with its value, in the
// order of its topic; malformed payloads are counted and the stream goes on.
func TestPumpOverMQTT(t *testing.T) {
	b := startBroker(t)
	const inputID = "pump-e2e-in"
	primeSession(t, b, inputID, rawFilter)
	models := subscribe(t, testClient(t, b, "pump-e2e-models", true), modelFilter)

	malformed := []string{`not json`, `{"value": 1}`, `{"value": null, "timestamp_ms": 5}`}
	var msgs []rawMsg
	nMalformed, nUnknown := 0, 0
	for i := range 1200 {
		ts := tsBase + int64(i)*1000
		switch {
		case i%50 == 7:
			msgs = append(msgs, rawMsg{topic: rawPrefix + "press", payload: malformed[nMalformed%len(malformed)]})
			nMalformed++
		case i%4 == 0:
			msgs = append(msgs, goodMsg("press", 100+float64(i)*0.5, ts))
		case i%4 == 1:
			msgs = append(msgs, goodMsg("tempF", 50+float64(i%97), ts))
		case i%4 == 2:
			msgs = append(msgs, goodMsg("run", i%3 == 0, ts))
		default:
			msgs = append(msgs, goodMsg("vibration", 0.5, ts))
			nUnknown++
		}
	}
	want := pumpOutputs(msgs)

	pub := testClient(t, b, "pump-e2e-raw", true)
	// Half is queued at the broker before the stream connects, half is sent while it runs.
	waitAll(t, publish(pub, msgs[:600]))
	logs, counters := &logBuffer{}, newCounterExporter()
	runStream(t, streamYAML(t, b.url(), inputID), logs, counters)
	waitAll(t, publish(pub, msgs[600:]))

	require.True(t, models.waitUntil(60*time.Second, func(r []received) bool { return covers(byTopic(t, r), want) }),
		"not every output arrived within 60s")
	time.Sleep(200 * time.Millisecond) // anything extra would arrive now
	got := byTopic(t, models.all())
	assert.Len(t, got, len(want), "model topics")
	for topic, points := range want {
		assert.Equal(t, points, got[topic], topic)
	}
	assert.Equal(t, int64(nMalformed), counters.value("messages_rejected", "invalid_payload"))
	assert.Equal(t, int64(nUnknown), counters.value("messages_rejected", "unknown_topic"))
	assert.Contains(t, logs.String(), "mqtt input: connected to "+b.url())
}

// firstSeen keeps the first occurrence of every point: what remains of an
// at-least-once stream once the duplicates are dropped.
func firstSeen(points []point) []point {
	seen := map[point]bool{}
	var out []point
	for _, p := range points {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// lateArrivals counts the points that arrived after one with a later timestamp.
func lateArrivals(points []point) int {
	late := 0
	var newest int64
	for _, p := range points {
		if p.TS < newest {
			late++
		}
		newest = max(newest, p.TS)
	}
	return late
}

// TestBrokerRestartLosesNoQoS1Message restarts the broker while messages are
// queued at it, in the pipeline and on their way to the subscriber: with
// persistent sessions every output still arrives. A redelivered message may repeat
// outputs already seen, and one whose outputs could not be published during the
// restart is retried behind later messages, so its outputs may arrive late.
func TestBrokerRestartLosesNoQoS1Message(t *testing.T) {
	b := startBroker(t)
	const inputID = "restart-in"
	primeSession(t, b, inputID, rawFilter)
	models := subscribe(t, testClient(t, b, "restart-models", false), modelFilter)
	// Every output depends only on its own input message, so a repeated input
	// repeats its outputs exactly.
	var msgs []rawMsg
	for i := range 1000 {
		msgs = append(msgs, goodMsg("press", float64(i)+0.25, tsBase+int64(i)))
	}
	want := pumpOutputs(msgs)
	pressure := modelPrefix + "pressure"

	pub := testClient(t, b, "restart-raw", true)
	waitAll(t, publish(pub, msgs[:500]))
	logs := &logBuffer{}
	runStream(t, streamYAML(t, b.url(), inputID), logs, newCounterExporter())
	require.True(t, models.waitUntil(30*time.Second, func(r []received) bool { return len(byTopic(t, r)[pressure]) >= 100 }),
		"the stream does not run")
	b.restart(500 * time.Millisecond)
	before := len(byTopic(t, models.all())[pressure])
	waitAll(t, publish(pub, msgs[500:]))

	require.True(t, models.waitUntil(90*time.Second, func(r []received) bool {
		got := byTopic(t, r)
		for topic, points := range want {
			if len(firstSeen(got[topic])) < len(points) {
				return false
			}
		}
		return true
	}), "not every output arrived within 90s of the restart")
	got := byTopic(t, models.all())
	late := 0
	for topic, points := range want {
		seen := firstSeen(got[topic])
		late += lateArrivals(seen)
		assert.ElementsMatch(t, points, seen, topic)
	}
	t.Logf("%d of %d pressure outputs had arrived at the restart; %d arrived twice; %d outputs arrived after a later one", before, len(want[pressure]), len(got[pressure])-len(want[pressure]), late)
	assert.Less(t, before, len(want[pressure]), "the restart happened mid-stream")
	assert.Contains(t, logs.String(), "mqtt input: lost the connection to "+b.url())
	assert.Contains(t, logs.String(), "mqtt input: reconnected to "+b.url())
}

// logBuffer collects log text from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// count is how many times s occurs in the log (once per line that has it).
func (l *logBuffer) count(s string) int { return strings.Count(l.String(), s) }

// counterExporter is a metrics exporter that sums counters by name and the
// value of their reason label; timers and gauges are ignored.
type counterExporter struct {
	mu     sync.Mutex
	values map[string]int64
}

func newCounterExporter() *counterExporter { return &counterExporter{values: map[string]int64{}} }

// value is the sum of counter name with reason label reason ("" for none).
func (c *counterExporter) value(name, reason string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values[name+"/"+reason]
}

// counterFunc adds to one counter.
type counterFunc func(int64)

func (f counterFunc) Incr(n int64)          { f(n) }
func (f counterFunc) IncrFloat64(v float64) { f(int64(v)) }

// ignored is a timer or gauge nobody reads.
type ignored struct{}

func (ignored) Timing(int64)       {}
func (ignored) Set(int64)          {}
func (ignored) SetFloat64(float64) {}

func (c *counterExporter) NewCounterCtor(name string, keys ...string) service.MetricsExporterCounterCtor {
	return func(labels ...string) service.MetricsExporterCounter {
		key := name + "/"
		for i, k := range keys {
			if k == "reason" {
				key += labels[i]
			}
		}
		return counterFunc(func(n int64) {
			c.mu.Lock()
			c.values[key] += n
			c.mu.Unlock()
		})
	}
}

func (c *counterExporter) NewTimerCtor(string, ...string) service.MetricsExporterTimerCtor {
	return func(...string) service.MetricsExporterTimer { return ignored{} }
}

func (c *counterExporter) NewGaugeCtor(string, ...string) service.MetricsExporterGaugeCtor {
	return func(...string) service.MetricsExporterGauge { return ignored{} }
}

func (c *counterExporter) Close(context.Context) error { return nil }
