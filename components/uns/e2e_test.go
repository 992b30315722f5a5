package uns_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
)

// byTopic groups records by key, keeping their order.
func byTopic(recs []record) map[string][]string {
	out := map[string][]string{}
	for _, r := range recs {
		out[r.Key] = append(out[r.Key], r.Value)
	}
	return out
}

func TestEndToEndWritesEveryOutputInOrder(t *testing.T) {
	c := newCluster(t, 1)
	brokers := c.ListenAddrs()[0]
	inputs := pumpInputs("aawd", 300)
	// Traffic the input's umh_topics skip, and a record with a header.
	noise := []record{{Key: "umh.v1.corpA.plant-A.other._raw.press", Value: `{"value":1,"timestamp_ms":1}`}}
	inputs[0].Headers = map[string]string{"location": "hall-1"}
	produce(t, brokers, append(noise, inputs...))
	want := expectedOutputs(t, "aawd", inputs)

	out := collect(t, brokers, outputKeys)
	st := startStream(t, pumpStream(brokers, "e2e", "aawd", ""))
	got := out.waitFor(t, len(want), 60*time.Second)
	// No more than expected: nothing is written twice in a clean run.
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, st.stop())
	got = out.records()

	assert.Equal(t, keyValues(want), keyValues(got), "the outputs, in the order the processor emitted them")
	assert.Equal(t, byTopic(want), byTopic(got))
	// Spot checks against the pump example's arithmetic.
	assert.Contains(t, byTopic(got)["umh.v1.corpA.plant-A.aawd._pump_v1.pressure"], `{"value":104.00001,"timestamp_ms":1700000000000}`)
	assert.Contains(t, byTopic(got)["umh.v1.corpA.plant-A.aawd._pump_v1.motor.rpm"], `{"value":25,"timestamp_ms":1700000000000}`)
	// Metadata travels as headers: the input's header and umh_topic, no kafka_* entry.
	first := got[0]
	assert.Equal(t, "hall-1", first.Headers["location"])
	assert.Equal(t, first.Key, first.Headers["umh_topic"])
	for k := range first.Headers {
		assert.False(t, strings.HasPrefix(k, "kafka_"), k)
	}
}

func TestInputSetsMetadata(t *testing.T) {
	c := newCluster(t, 1)
	brokers := c.ListenAddrs()[0]
	produce(t, brokers, []record{
		{Key: "umh.v1.a._raw.x", Value: `{"value":1,"timestamp_ms":5}`, Headers: map[string]string{"h1": "v1"}},
		{Key: "umh.v1.b._raw.x", Value: `{"value":2,"timestamp_ms":6}`},
	})
	var mu sync.Mutex
	var got []map[string]string
	st := startConsumer(t, fmt.Sprintf("  broker_address: %q\n  umh_topic: '^umh\\.v1\\.a\\.'\n", brokers),
		func(_ context.Context, batch service.MessageBatch) error {
			for _, m := range batch {
				meta := map[string]string{}
				require.NoError(t, m.MetaWalk(func(k, v string) error { meta[k] = v; return nil }))
				body, _ := m.AsBytes()
				meta["body"] = string(body)
				mu.Lock()
				got = append(got, meta)
				mu.Unlock()
			}
			return nil
		})
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 }, 30*time.Second, 20*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, st.stop())
	require.Len(t, got, 1, "the record of umh.v1.b is filtered out")
	m := got[0]
	ts, err := strconv.ParseInt(m["kafka_timestamp_ms"], 10, 64)
	require.NoError(t, err)
	assert.InDelta(t, time.Now().UnixMilli(), ts, float64(time.Minute.Milliseconds()))
	delete(m, "kafka_timestamp_ms")
	assert.Equal(t, map[string]string{
		"umh_topic": "umh.v1.a._raw.x", "kafka_msg_key": "umh.v1.a._raw.x", "kafka_topic": unsTopic,
		"kafka_partition": "0", "kafka_offset": "0", "h1": "v1", "body": `{"value":1,"timestamp_ms":5}`,
	}, m)
}

func TestRestartWithSameGroupProducesEveryOutput(t *testing.T) {
	c := newCluster(t, 1)
	brokers := c.ListenAddrs()[0]
	inputs := pumpInputs("aawd", 600)
	produce(t, brokers, inputs)
	want := expectedOutputs(t, "aawd", inputs)
	out := collect(t, brokers, outputKeys)
	cacheDir := t.TempDir()
	cache := fmt.Sprintf("cache_resources:\n  - label: pump_state\n    file: { directory: %q }\n", cacheDir)
	withCache := func(config string) string {
		return strings.Replace(config, "    - stream_processor:\n", "    - stream_processor:\n        state_cache: pump_state\n", 1)
	}

	// The first run is slowed down (small batches, a pause per batch) and killed
	// after some outputs.
	slow := strings.Replace(withCache(pumpStream(brokers, "restart", "aawd", cache)),
		"  processors:\n", "  processors:\n    - sleep: { duration: 10ms }\n", 1)
	slow = strings.Replace(slow, "    umh_topics:", "    max_batch_records: 5\n    umh_topics:", 1)
	st := startStream(t, slow)
	out.waitFor(t, 100, 60*time.Second)
	st.kill()
	before := len(out.records())
	require.Less(t, before, len(want), "the first run was stopped before it wrote everything")

	st = startStream(t, withCache(pumpStream(brokers, "restart", "aawd", cache)))
	defer func() { require.NoError(t, st.stop()) }()
	require.Eventually(t, func() bool {
		return containsAll(keyValues(out.records()), want)
	}, 60*time.Second, 50*time.Millisecond, "every expected output arrives at least once")
	t.Logf("first run: %d outputs; both runs: %d; expected %d", before, len(out.records()), len(want))
	written, err := os.ReadDir(cacheDir)
	require.NoError(t, err)
	assert.NotEmpty(t, written, "the processor kept its state in the cache")
}

// containsAll reports whether got holds every record of want (as a multiset).
func containsAll(got, want []record) bool {
	type kv struct{ key, value string }
	count := map[kv]int{}
	for _, r := range got {
		count[kv{r.Key, r.Value}]++
	}
	for _, r := range want {
		if count[kv{r.Key, r.Value}] == 0 {
			return false
		}
		count[kv{r.Key, r.Value}]--
	}
	return true
}

func TestDisjointInstancesEachProduceTheirOutputs(t *testing.T) {
	// One partition, as UMH Core's umh.messages has: the order between the source
	// topics of a processor, which its outputs depend on, is the order of the log.
	c := newCluster(t, 1)
	brokers := c.ListenAddrs()[0]
	a, b := pumpInputs("aawd", 150), pumpInputs("bbwd", 150)
	var mixed []record
	for i := range a {
		mixed = append(mixed, a[i], b[i])
	}
	out := collect(t, brokers, outputKeys)
	// Each instance labels its outputs, so the test can tell who wrote what.
	labelled := func(asset, name string) string {
		cfg := pumpStream(brokers, "unsproc_"+asset, asset, "")
		return strings.Replace(cfg, "output:\n", fmt.Sprintf("    - mapping: 'meta instance = %q'\noutput:\n", name), 1)
	}
	stA := startStream(t, labelled("aawd", "A"))
	stB := startStream(t, labelled("bbwd", "B"))
	produce(t, brokers, mixed)
	wantA, wantB := expectedOutputs(t, "aawd", a), expectedOutputs(t, "bbwd", b)
	out.waitFor(t, len(wantA)+len(wantB), 60*time.Second)
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, stA.stop())
	require.NoError(t, stB.stop())

	var gotA, gotB []record
	for _, r := range out.records() {
		switch r.Headers["instance"] {
		case "A":
			gotA = append(gotA, r)
		case "B":
			gotB = append(gotB, r)
		default:
			t.Fatalf("output %s without instance label", r.Key)
		}
	}
	assert.Equal(t, keyValues(wantA), keyValues(gotA))
	assert.Equal(t, keyValues(wantB), keyValues(gotB))
}

func TestNackedBatchIsDeliveredAgain(t *testing.T) {
	c := newCluster(t, 1)
	brokers := c.ListenAddrs()[0]
	var inputs []record
	for i := range 5 {
		inputs = append(inputs, record{Key: "umh.v1.x._raw.v", Value: strconv.Itoa(i)})
	}
	produce(t, brokers, inputs)
	fields := fmt.Sprintf("  broker_address: %q\n  consumer_group: nack\n", brokers)

	var mu sync.Mutex
	var deliveries [][]string
	consume := func(_ context.Context, batch service.MessageBatch) error {
		var offsets []string
		for _, m := range batch {
			o, _ := m.MetaGet("kafka_offset")
			offsets = append(offsets, o)
		}
		mu.Lock()
		defer mu.Unlock()
		deliveries = append(deliveries, offsets)
		if len(deliveries) == 1 {
			return fmt.Errorf("rejected on purpose")
		}
		return nil
	}
	st := startConsumer(t, fields, consume)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(deliveries) >= 2 }, 30*time.Second, 20*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, st.stop())
	mu.Lock()
	assert.Equal(t, [][]string{{"0", "1", "2", "3", "4"}, {"0", "1", "2", "3", "4"}}, deliveries,
		"the rejected batch comes again, and only until it is acknowledged")
	deliveries = nil
	mu.Unlock()

	// The acknowledgement was committed: the same group goes on after the batch.
	produce(t, brokers, []record{{Key: "umh.v1.x._raw.v", Value: "5"}})
	st = startConsumer(t, fields, consume)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(deliveries) >= 2 }, 30*time.Second, 20*time.Millisecond)
	require.NoError(t, st.stop())
	assert.Equal(t, []string{"5"}, deliveries[1])
}

// logLines collects log lines matching a pattern.
type logLines struct {
	mu    sync.Mutex
	re    *regexp.Regexp
	lines []string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(string(p), "\n") {
		if l.re.MatchString(line) {
			l.lines = append(l.lines, line)
		}
	}
	return len(p), nil
}

func (l *logLines) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

func TestBrokerDownAtStartThenUp(t *testing.T) {
	port := freePort(t)
	brokers := fmt.Sprintf("127.0.0.1:%d", port)
	logs := &logLines{re: regexp.MustCompile(`no Kafka broker of 127\.0\.0\.1:\d+ answers`)}
	config := pumpStream(brokers, "late", "aawd", "") + "\n"
	config = strings.Replace(config, "logger:\n  level: warn\n", "logger:\n  level: warn\n  format: logfmt\n", 1)
	st := startStream(t, config, func(b *service.StreamBuilder) {
		b.SetPrintLogger(printLogger{logs})
	})
	// Down for three seconds: the stream logs and waits, without a busy loop.
	time.Sleep(3 * time.Second)
	down := logs.count()
	assert.GreaterOrEqual(t, down, 1, "the unreachable broker is logged")
	assert.LessOrEqual(t, down, 20, "connection attempts back off")

	c := newCluster(t, 1, kfake.Ports(port))
	require.Equal(t, brokers, c.ListenAddrs()[0])
	inputs := pumpInputs("aawd", 30)
	want := expectedOutputs(t, "aawd", inputs)
	out := collect(t, brokers, outputKeys)
	produce(t, brokers, inputs)
	got := out.waitFor(t, len(want), 60*time.Second)
	require.NoError(t, st.stop())
	assert.Equal(t, keyValues(want), keyValues(got))
}

// printLogger feeds Benthos' log lines to a writer.
type printLogger struct{ w io.Writer }

func (p printLogger) Printf(format string, v ...any) { fmt.Fprintf(p.w, format+"\n", v...) }
func (p printLogger) Println(v ...any)               { fmt.Fprintln(p.w, v...) }

func TestMetricsEndpointShowsProcessorCounters(t *testing.T) {
	c := newCluster(t, 1)
	brokers := c.ListenAddrs()[0]
	inputs := pumpInputs("aawd", 30)
	want := expectedOutputs(t, "aawd", inputs)
	produce(t, brokers, inputs)
	out := collect(t, brokers, outputKeys)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	st := startStream(t, pumpStream(brokers, "metrics", "aawd",
		fmt.Sprintf("http:\n  enabled: true\n  address: %q\nmetrics:\n  prometheus: {}\n", addr)))
	out.waitFor(t, len(want), 60*time.Second)

	var body string
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusOK && metricValue(body, "outputs_generated") == float64(len(want))
	}, 30*time.Second, 50*time.Millisecond, "outputs_generated reaches %d", len(want))
	require.NoError(t, st.stop())
	// Every press, tempF and run message produced outputs (the statics).
	assert.Equal(t, float64(len(inputs)), metricValue(body, "messages_processed"))
	assert.Contains(t, body, "# TYPE batch_processing_time histogram")
	assert.Contains(t, body, "active_mappings")
	assert.Contains(t, body, "go_goroutines")
}

// metricValue sums the samples of a metric in Prometheus' text format, -1 when absent.
func metricValue(body, name string) float64 {
	re := regexp.MustCompile(`(?m)^` + name + `(?:\{[^}]*\})? (\S+)$`)
	ms := re.FindAllStringSubmatch(body, -1)
	if ms == nil {
		return -1
	}
	sum := 0.0
	for _, m := range ms {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return -1
		}
		sum += v
	}
	return sum
}

func TestInputReadsEveryPartitionInOrderPerKey(t *testing.T) {
	c := newCluster(t, 3)
	brokers := c.ListenAddrs()[0]
	var inputs []record
	for i := range 90 {
		inputs = append(inputs, record{Key: fmt.Sprintf("umh.v1.x._raw.k%d", i%9), Value: strconv.Itoa(i)})
	}
	produce(t, brokers, inputs)
	var mu sync.Mutex
	var got []record
	st := startConsumer(t, fmt.Sprintf("  broker_address: %q\n  max_batch_records: 7\n", brokers),
		func(_ context.Context, batch service.MessageBatch) error {
			assert.LessOrEqual(t, len(batch), 7, "max_batch_records bounds a batch")
			mu.Lock()
			defer mu.Unlock()
			for _, m := range batch {
				key, _ := m.MetaGet("umh_topic")
				body, _ := m.AsBytes()
				got = append(got, record{Key: key, Value: string(body)})
			}
			return nil
		})
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= len(inputs) }, 30*time.Second, 20*time.Millisecond)
	require.NoError(t, st.stop())
	assert.Equal(t, byTopic(inputs), byTopic(got))
}

func TestBrokerLostMidStreamResumes(t *testing.T) {
	port, dir := freePort(t), t.TempDir()
	start := func() *kfake.Cluster {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.DataDir(dir), kfake.SeedTopics(1, unsTopic))
		require.NoError(t, err)
		return c
	}
	c := start()
	brokers := c.ListenAddrs()[0]
	inputs := pumpInputs("aawd", 120)
	want := expectedOutputs(t, "aawd", inputs)
	firstHalf := expectedOutputs(t, "aawd", inputs[:60])
	out := collect(t, brokers, outputKeys)
	logs := &logLines{re: regexp.MustCompile(`uns (input|output): Kafka client: `)}
	st := startStream(t, pumpStream(brokers, "lost", "aawd", ""), func(b *service.StreamBuilder) {
		b.SetPrintLogger(printLogger{logs})
	})
	produce(t, brokers, inputs[:60])
	out.waitFor(t, len(firstHalf), 60*time.Second)

	// The broker goes away for two seconds, then comes back with its data.
	c.Close()
	time.Sleep(2 * time.Second)
	down := logs.count()
	assert.GreaterOrEqual(t, down, 1, "the lost broker is logged")
	assert.LessOrEqual(t, down, 20, "the log is rate-limited")
	c = start()
	defer c.Close()
	produce(t, brokers, inputs[60:])
	require.Eventually(t, func() bool { return containsAll(keyValues(out.records()), want) }, 60*time.Second, 50*time.Millisecond,
		"every output arrives after the broker returned")
	require.NoError(t, st.stop())
}
