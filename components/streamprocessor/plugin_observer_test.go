package streamprocessor

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlowEvaluationSkipsTheFirst: a mapping's first evaluation prepares the JavaScript
// runtime and is never reported slow; a later slow one is, once per interval.
func TestSlowEvaluationSkipsTheFirst(t *testing.T) {
	h := newHarness(t, `
output_topic: umh.v1.e
model: {name: m, version: v1}
sources: {x: umh.v1.e._raw.x}
mapping:
  o: '{a: x}'
`, "")
	bp := h.bp.(*batchProcessor)
	m := bp.core.Mappings()[0]
	require.False(t, m.Program().Fast(), "the mapping must run on goja to be timed")

	bp.obs.Evaluated(m, 20*time.Millisecond, true, nil)
	assert.Empty(t, h.logs.find(slog.LevelWarn, "slow JavaScript evaluation"), "the first evaluation")
	bp.obs.Evaluated(m, time.Millisecond, true, nil)
	bp.obs.Evaluated(m, 20*time.Millisecond, true, nil)
	bp.obs.Evaluated(m, 30*time.Millisecond, true, nil)
	slow := h.logs.find(slog.LevelWarn, "slow JavaScript evaluation")
	require.Len(t, slow, 1, "later slow evaluations are reported, rate-limited")
	assert.Equal(t, "20ms", slow[0].attrs["took"])
}

// TestStartLogWording: the start-up summary's nouns agree with their numbers.
func TestStartLogWording(t *testing.T) {
	h := newHarness(t, `
output_topic: umh.v1.e
model: {name: m, version: v1}
sources: {x: umh.v1.e._raw.x}
mapping:
  o: x + 1
`, "")
	assert.Len(t, h.logs.find(slog.LevelInfo, "stream_processor initialised with 1 mapping: 0 static, 0 impure static, 1 dynamic (0 on the goja fallback)"), 1)
	assert.Equal(t, "1 source alias", countOf(1, "source alias", "source aliases"))
	assert.Equal(t, "0 source aliases", countOf(0, "source alias", "source aliases"))
	assert.Equal(t, "3 source aliases", countOf(3, "source alias", "source aliases"))
}
