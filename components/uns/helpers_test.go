package uns_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"gopkg.in/yaml.v3"

	_ "github.com/unsproc/unsproc/components/prometheus"
	"github.com/unsproc/unsproc/components/streamprocessor"
	_ "github.com/unsproc/unsproc/components/uns"
	"github.com/unsproc/unsproc/processor"
)

const unsTopic = "umh.messages"

// pumpProcessor is the pump example's processor for the asset given as %[1]s.
const pumpProcessor = `
stream_processor:
  output_topic: umh.v1.corpA.plant-A.%[1]s
  model: { name: pump, version: v1 }
  sources:
    press: umh.v1.corpA.plant-A.%[1]s._raw.press
    tF: umh.v1.corpA.plant-A.%[1]s._raw.tempF
    r: umh.v1.corpA.plant-A.%[1]s._raw.run
  mapping:
    pressure: press+4.00001
    temperature: tF*69/31
    combined: press+tF
    motor:
      rpm: press/4
    serialNumber: '"SN-P42-008"'
    deviceType: '"pump"'
    status: 'r ? "active" : "inactive"'
`

// rawFilter is the umh_topics pattern of an asset's raw topics.
func rawFilter(asset string) string {
	return `^umh\.v1\.corpA\.plant-A\.` + regexp.QuoteMeta(asset) + `\._raw\.`
}

// newCluster starts an in-process Kafka cluster with the UNS topic.
func newCluster(t testing.TB, partitions int32, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(partitions, unsTopic)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// record is a UNS message as written to or read from Kafka.
type record struct {
	Key, Value string
	Headers    map[string]string
}

// produce writes records to the UNS topic and waits for the broker's acknowledgement.
func produce(t testing.TB, brokers string, recs []record) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.DefaultProduceTopic(unsTopic))
	require.NoError(t, err)
	defer cl.Close()
	krs := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		krs[i] = &kgo.Record{Key: []byte(r.Key), Value: []byte(r.Value)}
		for k, v := range r.Headers {
			krs[i].Headers = append(krs[i].Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, cl.ProduceSync(ctx, krs...).FirstErr())
}

// pumpInputs returns n raw messages of an asset, cycling over its three sources
// (press, tempF, run), with timestamps from 1.7e12 on.
func pumpInputs(asset string, n int) []record {
	recs := make([]record, n)
	for i := range n {
		topic, value := "", ""
		switch i % 3 {
		case 0:
			topic, value = "press", fmt.Sprint(100+i)
		case 1:
			topic, value = "tempF", fmt.Sprint(60+i%7)
		default:
			topic, value = "run", fmt.Sprint(i%2 == 0)
		}
		recs[i] = record{
			Key:   "umh.v1.corpA.plant-A." + asset + "._raw." + topic,
			Value: fmt.Sprintf(`{"value":%s,"timestamp_ms":%d}`, value, 1_700_000_000_000+int64(i)),
		}
	}
	return recs
}

// expectedOutputs runs the inputs through the processor core in order: the outputs a
// stream must write, in order per topic.
func expectedOutputs(t testing.TB, asset string, inputs []record) []record {
	t.Helper()
	var block map[string]yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(fmt.Sprintf(pumpProcessor, asset)), &block))
	node := block[streamprocessor.PluginName]
	text, err := yaml.Marshal(&node)
	require.NoError(t, err)
	parsed, err := streamprocessor.ConfigSpec().ParseYAML(string(text), nil)
	require.NoError(t, err)
	cfg, err := streamprocessor.ConfigFromParsed(parsed)
	require.NoError(t, err)
	p, err := processor.New(cfg)
	require.NoError(t, err)
	var out []record
	for _, in := range inputs {
		p.Process(in.Key, []byte(in.Value), func(o processor.Output) {
			out = append(out, record{Key: o.Topic, Value: string(o.Payload)})
		})
	}
	require.NotEmpty(t, out)
	return out
}

// collector reads every record of the UNS topic whose key matches a pattern.
type collector struct {
	mu   sync.Mutex
	recs []record
	stop context.CancelFunc
	done chan struct{}
}

func collect(t testing.TB, brokers string, keys *regexp.Regexp) *collector {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics(unsTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for ctx.Err() == nil {
			fs := cl.PollFetches(ctx)
			fs.EachRecord(func(r *kgo.Record) {
				if !keys.Match(r.Key) {
					return
				}
				rec := record{Key: string(r.Key), Value: string(r.Value), Headers: map[string]string{}}
				for _, h := range r.Headers {
					rec.Headers[h.Key] = string(h.Value)
				}
				c.mu.Lock()
				c.recs = append(c.recs, rec)
				c.mu.Unlock()
			})
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-c.done
		cl.Close()
	})
	return c
}

func (c *collector) records() []record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]record(nil), c.recs...)
}

// waitFor waits until the collector holds at least n records.
func (c *collector) waitFor(t testing.TB, n int, within time.Duration) []record {
	t.Helper()
	require.Eventually(t, func() bool { return len(c.records()) >= n }, within, 20*time.Millisecond,
		"fewer than %d records arrived", n)
	return c.records()
}

// running is a stream started by startStream.
type running struct {
	s    *service.Stream
	errc chan error
	once sync.Once
	err  error
}

// startStream builds a stream from YAML and runs it until stop or kill is called, or
// the test ends.
func startStream(t testing.TB, config string, opts ...func(*service.StreamBuilder)) *running {
	t.Helper()
	b := service.NewStreamBuilder()
	require.NoError(t, b.SetYAML(config))
	for _, o := range opts {
		o(b)
	}
	s, err := b.Build()
	require.NoError(t, err)
	r := &running{s: s, errc: make(chan error, 1)}
	go func() { r.errc <- s.Run(context.Background()) }()
	t.Cleanup(func() { _ = r.stop() })
	return r
}

// startConsumer runs a stream of one `uns` input (its YAML fields given) whose only
// output is fn.
func startConsumer(t testing.TB, inputFields string, fn service.MessageBatchHandlerFunc) *running {
	t.Helper()
	b := service.NewStreamBuilder()
	require.NoError(t, b.AddInputYAML("uns:\n"+inputFields))
	require.NoError(t, b.SetLoggerYAML("level: 'off'"))
	require.NoError(t, b.AddBatchConsumerFunc(fn))
	s, err := b.Build()
	require.NoError(t, err)
	r := &running{s: s, errc: make(chan error, 1)}
	go func() { r.errc <- s.Run(context.Background()) }()
	t.Cleanup(func() { _ = r.stop() })
	return r
}

// stop shuts the stream down gracefully and returns the first error of its run.
func (r *running) stop() error { return r.end(30 * time.Second) }

// kill shuts the stream down at once, without waiting for messages in flight.
func (r *running) kill() { _ = r.end(time.Millisecond) }

func (r *running) end(within time.Duration) error {
	r.once.Do(func() {
		stopErr := r.s.StopWithin(within)
		select {
		case r.err = <-r.errc:
		case <-time.After(30 * time.Second):
			r.err = fmt.Errorf("the stream did not stop within 30s")
		}
		if r.err == nil && within > time.Millisecond {
			r.err = stopErr
		}
	})
	return r.err
}

// pumpStream is a stream config: uns → the pump processor of asset → uns.
func pumpStream(brokers, group, asset, extra string) string {
	proc := strings.ReplaceAll(strings.TrimPrefix(fmt.Sprintf(pumpProcessor, asset), "\n"), "\n", "\n      ")
	return fmt.Sprintf(`
input:
  uns:
    broker_address: %q
    consumer_group: %s
    umh_topics: [ '%s' ]
pipeline:
  threads: 1
  processors:
    - %s
output:
  uns:
    broker_address: %q
logger:
  level: warn
%s`, brokers, group, rawFilter(asset), proc, brokers, extra)
}

// outputKeys matches the pump model's output topics.
var outputKeys = regexp.MustCompile(`\._pump_v1\.`)

// freePort returns a TCP port nothing listens on at the moment.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// keyValues drops the headers, for comparisons of what was written.
func keyValues(recs []record) []record {
	out := make([]record, len(recs))
	for i, r := range recs {
		out[i] = record{Key: r.Key, Value: r.Value}
	}
	return out
}
