package streamprocessor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChainedStateSurvivesRestart: the value of a mapping read by another is kept in
// the state cache like an alias's, so after a restart a reader fires with it.
func TestChainedStateSurvivesRestart(t *testing.T) {
	const yaml = `
output_topic: umh.v1.s
model: {name: m, version: v1}
state_cache: state
sources:
  a: umh.v1.s._raw.a
  b: umh.v1.s._raw.b
mapping:
  base: a * 10
  total: base + b
  limit: 5
  capped: Math.min(base, limit)
`
	dir := t.TempDir()
	withCache := func(b *service.StreamBuilder) { require.NoError(t, b.AddCacheYAML(fileCacheYAML(dir))) }
	first := runYAMLStream(t, service.GlobalEnvironment(), PluginName, yaml, withCache,
		tsMessage(stateTopicA, `{"value":2,"timestamp_ms":1}`),
	)
	assert.Equal(t, []string{
		`umh.v1.s._m_v1.limit {"value":5,"timestamp_ms":1}`,
		`umh.v1.s._m_v1.base {"value":20,"timestamp_ms":1}`,
		`umh.v1.s._m_v1.capped {"value":5,"timestamp_ms":1}`,
	}, first)
	entry, err := os.ReadFile(filepath.Join(dir, statePrefix+"base"))
	require.NoError(t, err)
	assert.Equal(t, `{"topic":"umh.v1.s._m_v1.base","value":20,"timestamp_ms":1}`, string(entry))
	_, err = os.Stat(filepath.Join(dir, statePrefix+"limit"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a static's value is not cached")

	second := runYAMLStream(t, service.GlobalEnvironment(), PluginName, yaml, withCache,
		tsMessage(stateTopicB, `{"value":1,"timestamp_ms":2}`),
	)
	assert.Equal(t, []string{
		`umh.v1.s._m_v1.limit {"value":5,"timestamp_ms":2}`,
		`umh.v1.s._m_v1.total {"value":21,"timestamp_ms":2}`,
	}, second, "total fires with the restored value of base")
}
