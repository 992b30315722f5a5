package mqtt

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/components/internal/batchout"
)

// parsed parses conf against spec.
func parsed(t *testing.T, spec *service.ConfigSpec, conf string) *service.ParsedConfig {
	t.Helper()
	pc, err := spec.ParseYAML(conf, service.NewEnvironment())
	require.NoError(t, err)
	return pc
}

// connectedInput is an input built from conf and connected; it closes at the end of the test.
func connectedInput(t *testing.T, conf string) *input {
	t.Helper()
	in, err := newInput(parsed(t, inputSpec(), conf), service.MockResources())
	require.NoError(t, err)
	require.NoError(t, in.Connect(context.Background()))
	t.Cleanup(func() { _ = in.Close(context.Background()) })
	return in
}

// readBatch reads one batch within 10 seconds.
func readBatch(t *testing.T, in *input) (service.MessageBatch, service.AckFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	batch, ack, err := in.ReadBatch(ctx)
	require.NoError(t, err)
	return batch, ack
}

// meta is metadata key k of m, as a string.
func meta(m *service.Message, k string) string {
	v, _ := m.MetaGet(k)
	return v
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ name, input, output, want string }{
		{name: "persistent session without id", input: "urls: [tcp://127.0.0.1:1]\ntopics: [a]\nclean_session: false", want: "clean_session: false needs a fixed client_id"},
		{name: "qos", input: "urls: [tcp://127.0.0.1:1]\ntopics: [a]\nqos: 3", want: "qos: 3 is not 0, 1 or 2"},
		{name: "no topics", input: "urls: [tcp://127.0.0.1:1]\ntopics: []", want: "topics: at least one topic filter"},
		{name: "hash inside", input: "urls: [tcp://127.0.0.1:1]\ntopics: [a/#/b]", want: `topic filter "a/#/b": # must be a whole level and the last one`},
		{name: "plus in a level", input: "urls: [tcp://127.0.0.1:1]\ntopics: [a/b+]", want: `topic filter "a/b+": + must be a whole level`},
		{name: "empty filter", input: "urls: [tcp://127.0.0.1:1]\ntopics: ['']", want: "a topic filter is empty"},
		{name: "no urls", input: "urls: []\ntopics: [a]", want: "urls: at least one broker URL"},
		{name: "scheme", output: "urls: [http://127.0.0.1:1]", want: `"http://127.0.0.1:1" has scheme "http"`},
		{name: "write timeout", output: "urls: [tcp://127.0.0.1:1]\nwrite_timeout: 0s", want: "write_timeout must be positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.input != "" {
				_, err = newInput(parsed(t, inputSpec(), c.input), service.MockResources())
			} else {
				_, _, err = newOutput(parsed(t, outputSpec(), c.output), service.MockResources())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestFiltersThatAreValid(t *testing.T) {
	for _, f := range []string{"#", "+", "a/+/c", "a/b/#", "+/+/#", "umh/v1/corpA/plant-A/+/_raw/#"} {
		assert.NoError(t, validateFilter(f), f)
	}
}

func TestTopicConversion(t *testing.T) {
	assert.Equal(t, "umh.v1.corpA.plant-A._raw.press", umhTopic("umh/v1/corpA/plant-A/_raw/press"))
	assert.Equal(t, "umh/v1/corpA/plant-A/_raw/press", mqttTopic("umh.v1.corpA.plant-A._raw.press"))
}

func TestInputSetsMetadata(t *testing.T) {
	b := startBroker(t)
	pub := testClient(t, b, "meta-pub", true)
	require.NoError(t, wait(pub.Publish("umh/v1/site/_raw/press", 1, true, `{"value":1,"timestamp_ms":2}`)))
	in := connectedInput(t, fmt.Sprintf("urls: [%s]\ntopics: ['umh/v1/+/_raw/#']", b.url()))

	batch, ack := readBatch(t, in)
	require.Len(t, batch, 1)
	m := batch[0]
	body, err := m.AsBytes()
	require.NoError(t, err)
	assert.Equal(t, `{"value":1,"timestamp_ms":2}`, string(body))
	assert.Equal(t, "umh.v1.site._raw.press", meta(m, "umh_topic"))
	assert.Equal(t, "umh/v1/site/_raw/press", meta(m, "mqtt_topic"))
	assert.Equal(t, "1", meta(m, "mqtt_qos"))
	assert.Equal(t, "true", meta(m, "mqtt_retained"), "published retained before the subscription")
	assert.Equal(t, "false", meta(m, "mqtt_duplicate"))
	assert.NotEqual(t, "0", meta(m, "mqtt_message_id"))
	require.NoError(t, ack(context.Background(), nil))
}

// TestInputAcknowledgesAfterBenthos: a message Benthos has not acknowledged is
// delivered again to the next client of the session; once acknowledged, it is not.
func TestInputAcknowledgesAfterBenthos(t *testing.T) {
	b := startBroker(t)
	conf := fmt.Sprintf("urls: [%s]\ntopics: [t/#]\nclient_id: ack-test\nclean_session: false", b.url())
	primeSession(t, b, "ack-test", "t/#")
	first := connectedInput(t, conf)
	pub := testClient(t, b, "ack-pub", true)
	require.NoError(t, wait(pub.Publish("t/x", 1, false, "m1")))

	batch, _ := readBatch(t, first)
	require.Len(t, batch, 1)
	require.NoError(t, first.Close(context.Background())) // never acknowledged

	second := connectedInput(t, conf)
	batch, ack := readBatch(t, second)
	require.Len(t, batch, 1)
	body, _ := batch[0].AsBytes()
	assert.Equal(t, "m1", string(body))
	assert.Equal(t, "true", meta(batch[0], "mqtt_duplicate"), "the broker sends it again")
	require.NoError(t, ack(context.Background(), nil))
	// The acknowledgement reaches the broker before the next publish does.
	require.NoError(t, wait(pub.Publish("t/x", 1, false, "m2")))
	batch, ack = readBatch(t, second)
	body, _ = batch[0].AsBytes()
	require.Equal(t, "m2", string(body))
	require.NoError(t, ack(context.Background(), nil))
	require.NoError(t, second.Close(context.Background()))

	third := connectedInput(t, conf)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, _, err := third.ReadBatch(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "acknowledged messages are not delivered again")
}

// TestInputHandsOverWhatIsQueued: the messages waiting when ReadBatch is called
// come as one batch, in order.
func TestInputHandsOverWhatIsQueued(t *testing.T) {
	b := startBroker(t)
	primeSession(t, b, "queue-test", "q/#")
	in := connectedInput(t, fmt.Sprintf("urls: [%s]\ntopics: [q/#]\nclient_id: queue-test\nclean_session: false", b.url()))
	pub := testClient(t, b, "queue-pub", true)
	const n = 60
	for i := range n {
		require.NoError(t, wait(pub.Publish("q/x", 1, false, fmt.Sprint(i))))
	}
	require.Eventually(t, func() bool { return len(in.messages) == n }, 10*time.Second, 10*time.Millisecond)
	batch, ack := readBatch(t, in)
	require.Len(t, batch, n)
	for i, m := range batch {
		body, _ := m.AsBytes()
		assert.Equal(t, fmt.Sprint(i), string(body))
	}
	require.NoError(t, ack(context.Background(), nil))
}

func TestOutputTopics(t *testing.T) {
	b := startBroker(t)
	got := subscribe(t, testClient(t, b, "out-sub", true), "#")
	for _, c := range []struct {
		name, conf string
		msgs       []*service.Message
		failed     []int // indexes that fail
		want       []received
	}{
		{
			name:   "umh_topic",
			msgs:   []*service.Message{umhMessage("umh.v1.a._m_v1.x", "1"), service.NewMessage([]byte("2")), umhMessage("umh.v1.a._m_v1.+", "3"), umhMessage("umh.v1.a._m_v1.y", "4")},
			failed: []int{1, 2},
			want:   []received{{"umh/v1/a/_m_v1/x", "1"}, {"umh/v1/a/_m_v1/y", "4"}},
		},
		{
			name: "interpolated",
			conf: `topic: 'fixed/${! meta("k") }'`,
			msgs: []*service.Message{umhMessage("umh.v1.ignored", "5")},
			want: []received{{"fixed/v", "5"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			conf := fmt.Sprintf("urls: [%s]\n%s", b.url(), c.conf)
			out, maxInFlight, err := newOutput(parsed(t, outputSpec(), conf), service.MockResources())
			require.NoError(t, err)
			assert.Equal(t, 1, maxInFlight, "batches one after the other by default")
			require.NoError(t, out.Connect(context.Background()))
			defer out.Close(context.Background())

			before := len(got.all())
			err = out.WriteBatch(context.Background(), c.msgs)
			if len(c.failed) == 0 {
				require.NoError(t, err)
			} else {
				var failed []int
				for i := range batchout.Failed(err) {
					failed = append(failed, i)
				}
				slices.Sort(failed)
				assert.Equal(t, c.failed, failed, "%v", err)
				assert.Contains(t, err.Error(), "no umh_topic")
			}
			require.True(t, got.waitUntil(5*time.Second, func(r []received) bool { return len(r) >= before+len(c.want) }))
			time.Sleep(100 * time.Millisecond)
			assert.Equal(t, c.want, got.all()[before:])
		})
	}
}

// umhMessage is a message with umh_topic topic and metadata k = v.
func umhMessage(topic, body string) *service.Message {
	m := service.NewMessage([]byte(body))
	m.MetaSetMut("umh_topic", topic)
	m.MetaSetMut("k", "v")
	return m
}

// TestBrokerAwayAtStartAndMidStream: a stream whose broker is down at start
// retries with growing pauses and one log line per attempt, starts working when
// the broker comes up, and rides out a broker that goes away and returns.
func TestBrokerAwayAtStartAndMidStream(t *testing.T) {
	b := newBroker(t)
	logs := &logBuffer{}
	runStream(t, streamYAML(t, b.url(), "away-in"), logs, newCounterExporter())

	time.Sleep(2500 * time.Millisecond)
	failed := "cannot connect to " + b.url()
	// Attempts at 0s and 1s, the next at 3s: a busy loop would log hundreds.
	assert.GreaterOrEqual(t, logs.count(failed), 2, "input and output each log their failed attempts")
	assert.LessOrEqual(t, logs.count(failed), 2*3)

	b.start()
	// A persistent session keeps the subscription when the broker restarts.
	models := subscribe(t, testClient(t, b, "away-models", false), modelFilter)
	pub := testClient(t, b, "away-raw", true)
	pressure := modelPrefix + "pressure"
	// Probes until the stream has subscribed: outputs flow.
	polls := 0
	require.True(t, models.waitUntil(30*time.Second, func(r []received) bool {
		if len(r) > 0 {
			return true
		}
		if polls++; polls%10 == 1 {
			waitAll(t, publish(pub, []rawMsg{goodMsg("press", -1, tsBase-1)}))
		}
		return false
	}), "the stream did not start within 30s of the broker")

	resumes := func(from int) {
		t.Helper()
		msgs := []rawMsg{goodMsg("press", float64(from), tsBase+int64(from)), goodMsg("press", float64(from+1), tsBase+int64(from+1))}
		waitAll(t, publish(pub, msgs))
		want := pumpOutputs(msgs)[pressure]
		require.True(t, models.waitUntil(60*time.Second, func(r []received) bool {
			points := byTopic(t, r)[pressure]
			return len(points) >= 2 && assert.ObjectsAreEqual(want, points[len(points)-2:])
		}), "no outputs for the messages from %d", from)
	}
	resumes(0)

	b.stop()
	time.Sleep(3500 * time.Millisecond)
	lost := "mqtt input: lost the connection to " + b.url()
	unreachable := "mqtt input: broker " + b.url() + " still unreachable"
	assert.Equal(t, 1, logs.count(lost))
	// Paho's attempts: at once, after 1s, after 2s more.
	assert.GreaterOrEqual(t, logs.count(unreachable), 2)
	assert.LessOrEqual(t, logs.count(unreachable), 4)
	b.start()
	resumes(10)
	assert.Equal(t, 1, logs.count("mqtt input: reconnected to "+b.url()))
	assert.True(t, strings.Contains(logs.String(), "mqtt output: reconnected to "+b.url()))
}
