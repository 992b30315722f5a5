package prometheus

import (
	"io"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func scrape(t *testing.T, e *Exporter) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.HandlerFunc()(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	return string(body)
}

func TestExporterServesCountersGaugesAndTimers(t *testing.T) {
	e := New(nil)
	e.NewCounterCtor("messages_processed", "label", "path")("", "root.pipeline.processors.0").Incr(3)
	// A second constructor of the same metric shares its series.
	e.NewCounterCtor("messages_processed", "label", "path")("", "root.pipeline.processors.0").Incr(2)
	e.NewGaugeCtor("active_mappings")().Set(7)
	e.NewTimerCtor("batch_processing_time")().Timing(1_500_000_000)
	body := scrape(t, e)
	assert.Contains(t, body, `messages_processed{label="",path="root.pipeline.processors.0"} 5`)
	assert.Contains(t, body, "active_mappings 7")
	assert.Contains(t, body, "batch_processing_time_sum 1.5", "timers are in seconds")
	assert.Contains(t, body, "batch_processing_time_count 1")
	assert.Contains(t, body, "go_goroutines")
}

func TestExporterSanitisesNamesAndSkipsConflicts(t *testing.T) {
	e := New(nil)
	e.NewCounterCtor("my.metric-1", "a.b")("x").Incr(1)
	// The same name as another kind, or with other labels, is not exported; the
	// metric already there is unaffected and nothing panics.
	e.NewGaugeCtor("my.metric-1")().Set(9)
	e.NewCounterCtor("my_metric_1", "other")("y").Incr(4)
	body := scrape(t, e)
	assert.Contains(t, body, `my_metric_1{a_b="x"} 1`)
	assert.NotContains(t, body, "my_metric_1 9")
	assert.NotContains(t, body, `other="y"`)
	assert.Equal(t, "_0abc", sanitise("10abc"), "a leading digit becomes an underscore")
}
