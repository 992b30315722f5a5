package processor

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// Label values of the mapping_errors metric.
const (
	reasonException    = "exception"
	reasonNonEmittable = "non_emittable"
)

// slowEvaluation is the evaluation time above which a (rate-limited) warning is logged.
const slowEvaluation = 10 * time.Millisecond

// pluginObserver turns what the processor does into Benthos metrics (the reference's
// names, spec §8, plus per-mapping ones) and logs. Repeated problems are logged at most
// once per logEvery per mapping, reason or topic, with the count of suppressed ones.
type pluginObserver struct {
	log *service.Logger

	processedCount   *service.MetricCounter
	processingTime   *service.MetricTimer
	erroredCount     *service.MetricCounter
	droppedCount     *service.MetricCounter
	jsErrors         *service.MetricCounter
	jsTime           *service.MetricTimer
	outputsGenerated *service.MetricCounter
	batchTime        *service.MetricTimer
	activeMappings   *service.MetricGauge
	activeVariables  *service.MetricGauge
	// lastMappings and lastVariables hold the gauges' last values (a gauge starts at 0).
	lastMappings, lastVariables atomic.Int64
	invalidData                 *service.MetricCounter
	mappingErrors               *service.MetricCounter // labels: mapping, reason
	fallbacks                   *service.MetricCounter // label: mapping

	mappingLogs []mappingLimiters       // by Mapping.Index
	payloadLogs map[string]*rateLimiter // by source topic; read-only after construction
	unknownLog  rateLimiter
	noTopicLog  rateLimiter
}

// mappingLimiters are the log limiters of one mapping, one per kind of message.
type mappingLimiters struct {
	exception, nonEmittable, slow, waiting rateLimiter
}

func newPluginObserver(mgr *service.Resources, sources map[string]string) *pluginObserver {
	m := mgr.Metrics()
	o := &pluginObserver{
		log:              mgr.Logger(),
		processedCount:   m.NewCounter("messages_processed"),
		processingTime:   m.NewTimer("message_processing_time"),
		erroredCount:     m.NewCounter("messages_errored"),
		droppedCount:     m.NewCounter("messages_dropped"),
		jsErrors:         m.NewCounter("javascript_errors"),
		jsTime:           m.NewTimer("javascript_execution_time"),
		outputsGenerated: m.NewCounter("outputs_generated"),
		batchTime:        m.NewTimer("batch_processing_time"),
		activeMappings:   m.NewGauge("active_mappings"),
		activeVariables:  m.NewGauge("active_variables"),
		invalidData:      m.NewCounter("invalid_data_type"),
		mappingErrors:    m.NewCounter("mapping_errors", "mapping", "reason"),
		fallbacks:        m.NewCounter("fallback_evaluations", "mapping"),
		payloadLogs:      make(map[string]*rateLimiter, len(sources)),
	}
	for _, topic := range sources {
		o.payloadLogs[topic] = &rateLimiter{}
	}
	return o
}

// bind sizes the per-mapping log limiters once the mappings are known.
func (o *pluginObserver) bind(mappings []*Mapping) {
	o.mappingLogs = make([]mappingLimiters, len(mappings))
}

// Evaluated implements Observer.
func (o *pluginObserver) Evaluated(m *Mapping, took time.Duration, fallback bool, failure error) {
	if took > 0 {
		o.jsTime.Timing(took.Nanoseconds())
	}
	if fallback {
		o.fallbacks.Incr(1, m.Path())
	}
	lim := &o.mappingLogs[m.Index()]
	if took > slowEvaluation {
		if n, ok := lim.slow.allow(monotonic(), logEvery); ok {
			o.mappingLog(m, n).With("took", took.String()).Warn("slow JavaScript evaluation")
		}
	}
	if failure == nil {
		return
	}
	o.erroredCount.Incr(1)
	var ne *NonEmittableError
	if errors.As(failure, &ne) {
		o.mappingErrors.Incr(1, m.Path(), reasonNonEmittable)
		if n, ok := lim.nonEmittable.allow(monotonic(), logEvery); ok {
			o.mappingLog(m, n).With("error", failure.Error()).Warn("mapping produced no output")
		}
		return
	}
	o.jsErrors.Incr(1)
	o.mappingErrors.Incr(1, m.Path(), reasonException)
	if n, ok := lim.exception.allow(monotonic(), logEvery); ok {
		o.mappingLog(m, n).With("error", failure.Error()).Warn("mapping failed")
	}
}

// Waiting implements Observer.
func (o *pluginObserver) Waiting(m *Mapping) {
	if n, ok := o.mappingLogs[m.Index()].waiting.allow(monotonic(), logEvery); ok {
		o.mappingLog(m, n).Debug("mapping waits for a dependency without a value")
	}
}

func (o *pluginObserver) mappingLog(m *Mapping, suppressed int64) *service.Logger {
	return o.log.With("mapping", m.Path(), "expression", m.Program().Source(), "suppressed", suppressed)
}

func (o *pluginObserver) topicMissing(now time.Duration) {
	o.droppedCount.Incr(1)
	if n, ok := o.noTopicLog.allow(now, logEvery); ok {
		o.log.With("suppressed", n).Debug("message without umh_topic metadata skipped")
	}
}

func (o *pluginObserver) topicUnknown(topic string, now time.Duration) {
	o.droppedCount.Incr(1)
	if n, ok := o.unknownLog.allow(now, logEvery); ok {
		o.log.With("topic", topic, "suppressed", n).Debug("message on a topic that is not a source skipped")
	}
}

func (o *pluginObserver) payloadRejected(topic string, err error, now time.Duration) {
	o.erroredCount.Incr(1)
	o.invalidData.Incr(1)
	lim := o.payloadLogs[topic]
	if lim == nil {
		lim = &o.unknownLog // unreadable message on a topic that is not a source
	}
	if n, ok := lim.allow(now, logEvery); ok {
		o.log.With("topic", topic, "error", err.Error(), "suppressed", n).Warn("invalid payload skipped")
	}
}

func (o *pluginObserver) dropped() { o.droppedCount.Incr(1) }

func (o *pluginObserver) processed(outputs int, took time.Duration) {
	o.processedCount.Incr(1)
	o.outputsGenerated.Incr(int64(outputs))
	o.processingTime.Timing(took.Nanoseconds())
}

// batchDone records a batch. The gauges are set only when their value changed: the
// mapping count never does after start-up, the variable count rarely.
func (o *pluginObserver) batchDone(took time.Duration, mappings, variables int) {
	o.batchTime.Timing(took.Nanoseconds())
	if o.lastMappings.Swap(int64(mappings)) != int64(mappings) {
		o.activeMappings.Set(int64(mappings))
	}
	if o.lastVariables.Swap(int64(variables)) != int64(variables) {
		o.activeVariables.Set(int64(variables))
	}
}
