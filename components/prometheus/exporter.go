package prometheus

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redpanda-data/benthos/v4/public/service"
)

// Name is the exporter's name in Benthos configs.
const Name = "prometheus"

func init() {
	if err := Register(service.GlobalEnvironment()); err != nil {
		panic(err)
	}
}

// Register adds the `prometheus` metrics exporter to env.
func Register(env *service.Environment) error {
	spec := service.NewConfigSpec().
		Beta().
		Summary("Serves the stream's metrics in the Prometheus text format at /metrics on Benthos' HTTP address.").
		Description("Counters and gauges keep their names and labels; timers become histograms in seconds. " +
			"Characters a Prometheus name cannot hold become underscores. The Go runtime's and the process' metrics are included.")
	return env.RegisterMetricsExporter(Name, spec, func(_ *service.ParsedConfig, log *service.Logger) (service.MetricsExporter, error) {
		return New(log), nil
	})
}

// Exporter is a Benthos metrics exporter backed by a Prometheus registry of its own,
// so that several streams of one process do not collide.
type Exporter struct {
	log      *service.Logger
	registry *prometheus.Registry

	mu      sync.Mutex
	metrics map[string]registered // by sanitised name
}

// registered is a metric vector and what it was registered as.
type registered struct {
	kind   string
	labels []string
	vec    any
}

// New returns an exporter with the Go and process collectors registered. Conflicting
// metric definitions are logged to log, which may be nil.
func New(log *service.Logger) *Exporter {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Exporter{log: log, registry: reg, metrics: map[string]registered{}}
}

// Registry returns the registry the exporter serves.
func (e *Exporter) Registry() *prometheus.Registry { return e.registry }

// HandlerFunc serves the metrics; Benthos mounts it at /metrics and /stats.
func (e *Exporter) HandlerFunc() http.HandlerFunc {
	return promhttp.HandlerFor(e.registry, promhttp.HandlerOpts{}).ServeHTTP
}

// vector returns the vector registered under name, creating it with create on first
// use. It returns nil, after logging why, when name was registered as another kind or
// with other labels.
func (e *Exporter) vector(kind, name string, labels []string, create func(name string, labels []string) prometheus.Collector) any {
	name = sanitise(name)
	labels = sanitiseAll(labels)
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.metrics[name]; ok {
		if r.kind == kind && slices.Equal(r.labels, labels) {
			return r.vec
		}
		if e.log != nil {
			e.log.Warnf("prometheus: metric %s is already a %s with labels %v; the %s with labels %v is not exported", name, r.kind, r.labels, kind, labels)
		}
		return nil
	}
	c := create(name, labels)
	if err := e.registry.Register(c); err != nil {
		if e.log != nil {
			e.log.Warnf("prometheus: metric %s is not exported: %v", name, err)
		}
		return nil
	}
	e.metrics[name] = registered{kind: kind, labels: labels, vec: c}
	return c
}

// NewCounterCtor implements service.MetricsExporter.
func (e *Exporter) NewCounterCtor(name string, labelKeys ...string) service.MetricsExporterCounterCtor {
	vec, _ := e.vector("counter", name, labelKeys, func(n string, l []string) prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: n, Help: "Benthos counter " + n + "."}, l)
	}).(*prometheus.CounterVec)
	return func(values ...string) service.MetricsExporterCounter {
		if vec == nil {
			return nop{}
		}
		return counter{vec.WithLabelValues(values...)}
	}
}

// NewTimerCtor implements service.MetricsExporter.
func (e *Exporter) NewTimerCtor(name string, labelKeys ...string) service.MetricsExporterTimerCtor {
	vec, _ := e.vector("timer", name, labelKeys, func(n string, l []string) prometheus.Collector {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: n, Help: "Benthos timer " + n + ", in seconds."}, l)
	}).(*prometheus.HistogramVec)
	return func(values ...string) service.MetricsExporterTimer {
		if vec == nil {
			return nop{}
		}
		return timer{vec.WithLabelValues(values...)}
	}
}

// NewGaugeCtor implements service.MetricsExporter.
func (e *Exporter) NewGaugeCtor(name string, labelKeys ...string) service.MetricsExporterGaugeCtor {
	vec, _ := e.vector("gauge", name, labelKeys, func(n string, l []string) prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: n, Help: "Benthos gauge " + n + "."}, l)
	}).(*prometheus.GaugeVec)
	return func(values ...string) service.MetricsExporterGauge {
		if vec == nil {
			return nop{}
		}
		return gauge{vec.WithLabelValues(values...)}
	}
}

// Close implements service.MetricsExporter; the registry needs no cleanup.
func (e *Exporter) Close(context.Context) error { return nil }

type counter struct{ c prometheus.Counter }

func (c counter) Incr(n int64) { c.c.Add(float64(n)) }

type timer struct{ o prometheus.Observer }

func (t timer) Timing(ns int64) { t.o.Observe(float64(ns) / 1e9) }

type gauge struct{ g prometheus.Gauge }

func (g gauge) Set(v int64) { g.g.Set(float64(v)) }

// nop stands in for a metric that could not be registered.
type nop struct{}

func (nop) Incr(int64)   {}
func (nop) Timing(int64) {}
func (nop) Set(int64)    {}

// sanitise maps a Benthos metric or label name to a valid Prometheus one.
func sanitise(name string) string {
	var b strings.Builder
	for i, r := range name {
		ok := r == '_' || r == ':' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if ok {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

func sanitiseAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = sanitise(n)
	}
	return out
}
