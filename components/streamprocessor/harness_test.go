package streamprocessor

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/require"
)

// captureExporter is the name of a metrics exporter, registered once in the global
// environment, whose instances are found in capturedByID by their `id` field: a test
// builds Resources whose metrics it can read.
const captureExporter = "unsproc_test_capture"

var (
	registerCapture sync.Once
	capturedByID    sync.Map // id → *capturedMetrics
	nextCaptureID   atomic.Int64
)

// harness is a stream processor built from YAML on Resources whose metrics and logs
// the test reads.
type harness struct {
	bp      service.BatchProcessor
	metrics *capturedMetrics
	logs    *capturedLogs
}

// newHarnessResources builds Resources with captured metrics and logs, plus the extra
// resource YAML (e.g. cache_resources), if any.
func newHarnessResources(t testing.TB, resourceYAML string) (*service.Resources, *capturedMetrics, *capturedLogs) {
	t.Helper()
	registerCapture.Do(func() {
		spec := service.NewConfigSpec().Field(service.NewStringField("id"))
		require.NoError(t, service.RegisterMetricsExporter(captureExporter, spec,
			func(conf *service.ParsedConfig, _ *service.Logger) (service.MetricsExporter, error) {
				id, err := conf.FieldString("id")
				if err != nil {
					return nil, err
				}
				m, ok := capturedByID.Load(id)
				if !ok {
					return nil, fmt.Errorf("no captured metrics with id %q", id)
				}
				return m.(*capturedMetrics), nil
			}))
	})
	metrics := newCapturedMetrics()
	id := fmt.Sprint(nextCaptureID.Add(1))
	capturedByID.Store(id, metrics)
	logs := &capturedLogs{}
	rb := service.NewResourceBuilder()
	rb.SetLogger(slog.New(logs))
	require.NoError(t, rb.SetMetricsYAML(fmt.Sprintf("%s: {id: %q}", captureExporter, id)))
	if resourceYAML != "" {
		require.NoError(t, rb.AddYAML(resourceYAML))
	}
	res, stop, err := rb.Build()
	require.NoError(t, err)
	t.Cleanup(func() {
		capturedByID.Delete(id)
		require.NoError(t, stop(context.Background()))
	})
	return res, metrics, logs
}

// newHarness builds the processor configured by yaml (the stream_processor block).
func newHarness(t testing.TB, yaml, resourceYAML string) *harness {
	t.Helper()
	res, metrics, logs := newHarnessResources(t, resourceYAML)
	conf, err := ConfigSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	bp, err := NewBatchProcessor(conf, res)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, bp.Close(context.Background())) })
	return &harness{bp: bp, metrics: metrics, logs: logs}
}

// process runs one batch and returns its only output batch (nil when there is none).
func (h *harness) process(t testing.TB, msgs ...*service.Message) service.MessageBatch {
	t.Helper()
	batches, err := h.bp.ProcessBatch(context.Background(), msgs)
	require.NoError(t, err, "ProcessBatch never fails")
	if batches == nil {
		return nil
	}
	require.Len(t, batches, 1)
	return batches[0]
}

// logRecord is one captured log line: level, message and attributes as text.
type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// capturedLogs is a slog.Handler keeping every record.
type capturedLogs struct {
	mu      sync.Mutex
	records []logRecord
	with    []slog.Attr // attributes of a handler made by WithAttrs
	parent  *capturedLogs
}

func (c *capturedLogs) root() *capturedLogs {
	if c.parent != nil {
		return c.parent.root()
	}
	return c
}

// Enabled implements slog.Handler: every level is kept.
func (c *capturedLogs) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (c *capturedLogs) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	for _, a := range c.with {
		rec.attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.String()
		return true
	})
	root := c.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	root.records = append(root.records, rec)
	return nil
}

// WithAttrs implements slog.Handler.
func (c *capturedLogs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &capturedLogs{with: append(append([]slog.Attr(nil), c.with...), attrs...), parent: c.root()}
}

// WithGroup implements slog.Handler; groups are flattened.
func (c *capturedLogs) WithGroup(string) slog.Handler { return c }

// find returns the records at level or above whose message contains msg.
func (c *capturedLogs) find(level slog.Level, msg string) []logRecord {
	root := c.root()
	root.mu.Lock()
	defer root.mu.Unlock()
	var out []logRecord
	for _, r := range root.records {
		if r.level >= level && strings.Contains(r.msg, msg) {
			out = append(out, r)
		}
	}
	return out
}

// stateCacheResource is the resources YAML of one cache labelled state; kind is its
// type and settings, e.g. `memory: {default_ttl: 1h}`.
func stateCacheResource(kind string) string {
	return "cache_resources:\n  - label: state\n    " + kind
}

// fileCache is the settings of a file cache in dir.
func fileCache(dir string) string {
	return fmt.Sprintf("file: {directory: %q}", dir)
}
