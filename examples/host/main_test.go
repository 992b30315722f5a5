package main

import (
	"context"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/components/streamprocessor"
)

// TestHostRunsTheProcessor builds a stream with the processor under the host's name and
// checks that it turns an input into the mapping's output.
func TestHostRunsTheProcessor(t *testing.T) {
	env := service.NewEnvironment()
	require.NoError(t, streamprocessor.Register(env, pluginName))

	sb := env.NewStreamBuilder()
	require.NoError(t, sb.AddProcessorYAML(`
uns_stream_processor:
  output_topic: umh.v1.acme.plant
  model: {name: m, version: v1}
  sources:
    press: umh.v1.acme.plant._raw.press
  mapping:
    doubled: press * 2
`))
	produce, err := sb.AddProducerFunc()
	require.NoError(t, err)
	var got []string
	require.NoError(t, sb.AddConsumerFunc(func(_ context.Context, m *service.Message) error {
		topic, _ := m.MetaGet("umh_topic")
		body, err := m.AsBytes()
		got = append(got, topic+" "+string(body))
		return err
	}))
	stream, err := sb.Build()
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- stream.Run(ctx) }()

	in := service.NewMessage([]byte(`{"value": 21, "timestamp_ms": 1733904000000}`))
	in.MetaSetMut("umh_topic", "umh.v1.acme.plant._raw.press")
	require.NoError(t, produce(ctx, in))
	require.NoError(t, stream.Stop(ctx))
	require.NoError(t, <-done)
	assert.Equal(t, []string{`umh.v1.acme.plant._m_v1.doubled {"value":42,"timestamp_ms":1733904000000}`}, got)
}

// TestHostHasTheBrokerComponents checks that the host's configs can use unsproc's uns
// input and output and its prometheus exporter.
func TestHostHasTheBrokerComponents(t *testing.T) {
	env := service.NewEnvironment()
	require.NoError(t, streamprocessor.Register(env, pluginName))
	require.NoError(t, env.NewStreamBuilder().SetYAML(`
input:
  uns:
    umh_topics: [ '^umh\.v1\.acme\.' ]
pipeline:
  processors:
    - uns_stream_processor:
        output_topic: umh.v1.acme.plant
        model: {name: m, version: v1}
        sources: { press: umh.v1.acme.plant._raw.press }
        mapping: { doubled: press * 2 }
output:
  uns: {}
metrics:
  prometheus: {}
`))
}
