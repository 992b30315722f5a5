package uns

import (
	"context"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/unsproc/unsproc/components/internal/batchout"
)

func TestAckTrackerReleasesInReadOrder(t *testing.T) {
	var marked []int64
	tr := newAckTracker(func(rs ...*kgo.Record) {
		for _, r := range rs {
			marked = append(marked, r.Offset)
		}
	})
	batch := func(offsets ...int64) []*kgo.Record {
		var rs []*kgo.Record
		for _, o := range offsets {
			rs = append(rs, &kgo.Record{Offset: o})
		}
		return rs
	}
	a, b, c := tr.add(batch(0, 1)), tr.add(batch(2)), tr.add(batch(3, 4))
	tr.acked(c)
	tr.acked(b)
	assert.Empty(t, marked, "nothing is released while the first batch is unacknowledged")
	tr.acked(a)
	assert.Equal(t, []int64{0, 1, 2, 3, 4}, marked)
	assert.Empty(t, tr.pending)
	d := tr.add(batch(5))
	tr.acked(d)
	assert.Equal(t, []int64{0, 1, 2, 3, 4, 5}, marked)
}

func TestLimitedLogSuppressesRepeats(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimitedLog(nil)
	l.now = func() time.Time { return now }
	n, ok := l.allow("down")
	assert.True(t, ok)
	assert.Zero(t, n)
	for range 5 {
		now = now.Add(time.Second)
		_, ok = l.allow("down")
		assert.False(t, ok)
	}
	_, ok = l.allow("other")
	assert.True(t, ok, "each message text has its own limit")
	now = now.Add(logEvery)
	n, ok = l.allow("down")
	assert.True(t, ok)
	assert.Equal(t, 5, n, "the line says how many were suppressed")
}

func TestBackoffGrowsToItsCap(t *testing.T) {
	var b backoff
	assert.Equal(t, backoffMin, b.next())
	assert.Equal(t, 2*backoffMin, b.next())
	for range 40 {
		b.next()
	}
	assert.Equal(t, backoffMax, b.next())
	b.reset()
	assert.Equal(t, backoffMin, b.next())
}

func parse(t *testing.T, spec *service.ConfigSpec, yaml string) *service.ParsedConfig {
	t.Helper()
	conf, err := spec.ParseYAML(yaml, nil)
	require.NoError(t, err)
	return conf
}

func TestInputConfig(t *testing.T) {
	in, err := newInput(parse(t, inputSpec(), "{}"), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"localhost:9092"}, in.brokers)
	assert.Equal(t, "umh.messages", in.topic)
	assert.Equal(t, "unsproc", in.group)
	assert.True(t, in.matches("anything"), "no filter reads every key")

	in, err = newInput(parse(t, inputSpec(), "broker_address: ' a:1, b:2 ,'\numh_topics: ['^x\\.', 'y$']"), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a:1", "b:2"}, in.brokers)
	assert.True(t, in.matches("x.1"))
	assert.True(t, in.matches("zzy"))
	assert.False(t, in.matches("ax.y1"))

	// topic is benthos-umh's former name of umh_topic: a pattern, not the Kafka topic.
	in, err = newInput(parse(t, inputSpec(), "topic: '^x\\.'\nkafka_topic: uns.other"), nil)
	require.NoError(t, err)
	assert.Equal(t, "uns.other", in.topic)
	assert.True(t, in.matches("x.1"))
	assert.False(t, in.matches("y.1"))

	for yaml, want := range map[string]string{
		"umh_topic: a\numh_topics: [b]": "not both",
		"topic: a\numh_topics: [b]":     "set topic or umh_topics, not both",
		"topic: a\numh_topic: b":        "set umh_topic or topic, not both",
		"umh_topics: ['(']":             `umh topic pattern 0 "("`,
		"broker_address: ' , '":         "names no broker",
		"max_batch_records: 0":          "at least 1",
	} {
		_, err := newInput(parse(t, inputSpec(), yaml), nil)
		assert.ErrorContains(t, err, want, yaml)
	}
}

func TestLintRejectsBothTopicFields(t *testing.T) {
	env := service.GlobalEnvironment().Clone()
	require.NoError(t, Register(env), "registering again replaces the components")
	err := env.NewStreamBuilder().SetYAML("input:\n  uns:\n    umh_topic: a\n    umh_topics: [b]\noutput:\n  uns: {}\n")
	assert.ErrorContains(t, err, "set umh_topic or umh_topics, not both")
	err = env.NewStreamBuilder().SetYAML("input:\n  uns:\n    topic: a\n    umh_topics: [b]\noutput:\n  uns: {}\n")
	assert.ErrorContains(t, err, "set umh_topic or umh_topics, not both")
	err = env.NewStreamBuilder().SetYAML("input:\n  uns:\n    topic: a\n    umh_topic: b\noutput:\n  uns: {}\n")
	assert.ErrorContains(t, err, "set umh_topic or topic, not both")
	err = env.NewStreamBuilder().SetYAML("input:\n  uns: {}\noutput:\n  uns:\n    topic: a\n    umh_topic: b\n")
	assert.ErrorContains(t, err, "set umh_topic or topic, not both")
	require.NoError(t, env.NewStreamBuilder().SetYAML("input:\n  uns:\n    umh_topics: [b]\noutput:\n  uns: {}\n"))
	require.NoError(t, env.NewStreamBuilder().SetYAML("input:\n  uns:\n    topic: a\noutput:\n  uns:\n    topic: b\n"))
}

func TestOutputConfig(t *testing.T) {
	out, err := newOutput(parse(t, outputSpec(), "{}"), nil)
	require.NoError(t, err)
	assert.Equal(t, "umh.messages", out.topic)
	assert.Equal(t, []byte("umh-core"), out.bridgedBy, "benthos-umh's default header")
	assert.Nil(t, out.umhTopic, "the key is the umh_topic metadata")

	out, err = newOutput(parse(t, outputSpec(), "topic: 'umh.v1.${! meta(\"asset\") }'\nkafka_topic: other\nbridged_by: ''"), nil)
	require.NoError(t, err)
	assert.Equal(t, "other", out.topic)
	assert.Empty(t, out.bridgedBy)
	m := service.NewMessage(nil)
	m.MetaSet("asset", "pump 7")
	key, err := out.key(service.MessageBatch{m}, 0)
	require.NoError(t, err)
	assert.Equal(t, "umh.v1.pump_7", key, "topic is the former name of umh_topic")
}

func TestSanitizeKey(t *testing.T) {
	for key, want := range map[string]string{
		"umh.v1.corpA.plant-A._raw.press": "umh.v1.corpA.plant-A._raw.press",
		"umh.v1.a b/c#d":                  "umh.v1.a_b_c_d",
		"umh.v1.température":              "umh.v1.temp_rature",
		"umh.v1.π😀":                       "umh.v1.__",
		"":                                "",
	} {
		assert.Equal(t, want, sanitizeKey(key), key)
	}
	key := "umh.v1.clean"
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, func() { _ = sanitizeKey(key) }), "a clean key is not copied")
}

func TestOutputFailsOnlyMessagesWithoutTopic(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "umh.messages"))
	require.NoError(t, err)
	defer c.Close()
	brokers := c.ListenAddrs()[0]
	out, err := newOutput(parse(t, outputSpec(), "broker_address: "+brokers+"\nbridged_by: unsproc-test"), service.MockResources().Logger())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, out.Connect(ctx))
	defer out.Close(ctx)

	withTopic := func(topic, body string) *service.Message {
		m := service.NewMessage([]byte(body))
		if topic != "" {
			m.MetaSet("umh_topic", topic)
		}
		m.MetaSet("kafka_offset", "7")
		m.MetaSet("site", "plant-A")
		m.MetaSet("bridged_by", "upstream") // as the uns input gives it: replaced
		return m
	}
	batch := service.MessageBatch{withTopic("umh.v1.a", "1"), withTopic("", "2"), withTopic("umh.v1.c", "3")}
	failed := batchout.Failed(out.WriteBatch(ctx, batch))
	require.Len(t, failed, 1)
	assert.ErrorIs(t, failed[1], errNoTopic)

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics("umh.messages"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	defer cl.Close()
	var got []*kgo.Record
	for len(got) < 2 && ctx.Err() == nil {
		got = append(got, cl.PollFetches(ctx).Records()...)
	}
	require.Len(t, got, 2)
	assert.Equal(t, "umh.v1.a", string(got[0].Key))
	assert.Equal(t, "1", string(got[0].Value))
	assert.Equal(t, "umh.v1.c", string(got[1].Key))
	var headers []string
	for _, h := range got[0].Headers {
		headers = append(headers, h.Key+"="+string(h.Value))
	}
	assert.ElementsMatch(t, []string{"umh_topic=umh.v1.a", "site=plant-A", "bridged_by=unsproc-test"}, headers)
}
