package streamprocessor

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/unsproc/unsproc/internal/clock"
	"github.com/unsproc/unsproc/internal/topicindex"
	"github.com/unsproc/unsproc/processor"
)

// Label values of the mapping_errors metric.
const (
	reasonException    = "exception"
	reasonNonEmittable = "non_emittable"
	reasonMismatch     = "shape_mismatch"
)

// slowEvaluation is the evaluation time above which a (rate-limited) warning is logged.
// A mapping's first evaluation is exempt: it prepares the mapping's function in the
// JavaScript runtime and, the first in the process, the runtime itself (10 to 20 ms
// on an idle machine), which is not what a message costs.
const slowEvaluation = 10 * time.Millisecond

// pluginObserver turns what the processor does into Benthos metrics (the reference's
// names, docs/behaviour.md#metrics, plus per-mapping ones) and logs. Repeated problems are logged at most
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

	rejectedCount *service.MetricCounter // label: reason
	rejectLabels  [numRejectReasons][]string

	mappingLogs []mappingLimiters // by Mapping.Index
	// topicLogs limits the reject logs of each source topic separately; read-only
	// after construction. Other topics share rejectLogs, so arbitrary traffic cannot
	// grow the observer.
	topicLogs  topicindex.Index[*[numRejectReasons]rateLimiter]
	rejectLogs [numRejectReasons]rateLimiter
}

// mappingLimiters are the log limiters of one mapping, one per kind of message.
type mappingLimiters struct {
	exception, nonEmittable, mismatch, slow, waiting rateLimiter
	// evaluated is set by the mapping's first timed evaluation.
	evaluated atomic.Bool
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
		rejectedCount:    m.NewCounter("messages_rejected", "reason"),
	}
	for r := range numRejectReasons {
		// Passed as a whole slice, the label costs no allocation per increment.
		o.rejectLabels[r] = []string{r.String()}
	}
	perTopic := make(map[string]*[numRejectReasons]rateLimiter, len(sources))
	for _, topic := range sources {
		perTopic[topic] = &[numRejectReasons]rateLimiter{}
	}
	o.topicLogs = topicindex.New(perTopic)
	return o
}

// bind sizes the per-mapping log limiters once the mappings are known.
func (o *pluginObserver) bind(mappings []*processor.Mapping) {
	o.mappingLogs = make([]mappingLimiters, len(mappings))
}

// Evaluated implements Observer.
func (o *pluginObserver) Evaluated(m *processor.Mapping, took time.Duration, fallback bool, failure error) {
	if took > 0 {
		o.jsTime.Timing(took.Nanoseconds())
	}
	if fallback {
		o.fallbacks.Incr(1, m.Path())
	}
	lim := &o.mappingLogs[m.Index()]
	first := took > 0 && !lim.evaluated.Load() && !lim.evaluated.Swap(true)
	if took > slowEvaluation && !first {
		if n, ok := lim.slow.allow(clock.Monotonic(), logEvery); ok {
			o.mappingLog(m, n).With("took", took.String()).Warn("slow JavaScript evaluation")
		}
	}
	if failure == nil {
		return
	}
	o.erroredCount.Incr(1)
	var mismatch *processor.MismatchError
	if errors.As(failure, &mismatch) {
		o.mappingErrors.Incr(1, m.Path(), reasonMismatch)
		if n, ok := lim.mismatch.allow(clock.Monotonic(), logEvery); ok {
			o.mappingLog(m, n).With("error", failure.Error()).Warn("mapping result does not fit its data model field; not emitted")
		}
		return
	}
	var ne *processor.NonEmittableError
	if errors.As(failure, &ne) {
		o.mappingErrors.Incr(1, m.Path(), reasonNonEmittable)
		if n, ok := lim.nonEmittable.allow(clock.Monotonic(), logEvery); ok {
			o.mappingLog(m, n).With("error", failure.Error()).Warn("mapping produced no output")
		}
		return
	}
	o.jsErrors.Incr(1)
	o.mappingErrors.Incr(1, m.Path(), reasonException)
	if n, ok := lim.exception.allow(clock.Monotonic(), logEvery); ok {
		o.mappingLog(m, n).With("error", failure.Error()).Warn("mapping failed")
	}
}

// Waiting implements Observer.
func (o *pluginObserver) Waiting(m *processor.Mapping) {
	if n, ok := o.mappingLogs[m.Index()].waiting.allow(clock.Monotonic(), logEvery); ok {
		o.mappingLog(m, n).Debug("mapping waits for a dependency without a value")
	}
}

func (o *pluginObserver) mappingLog(m *processor.Mapping, suppressed int64) *service.Logger {
	return o.log.With("mapping", m.Path(), "expression", m.Program().Source(), "suppressed", suppressed)
}

// rejected accounts for an input without output: messages_rejected{reason} and the
// reference's counters (docs/behaviour.md#metrics: invalid payloads are errored and invalid_data_type,
// the rest dropped), plus a rate-limited log line naming topic and reason. Defects of
// the input are warnings; traffic for other processors and inputs that only updated
// the state are logged at debug level.
func (o *pluginObserver) rejected(r rejectReason, topic string, err error, now time.Duration) {
	o.rejectedCount.Incr(1, o.rejectLabels[r]...)
	if r == reasonInvalidPayload {
		o.erroredCount.Incr(1)
		o.invalidData.Incr(1)
	} else {
		o.droppedCount.Incr(1)
	}
	lim := &o.rejectLogs[r]
	if r == reasonInvalidPayload || r == reasonNoOutput {
		if perTopic, ok := o.topicLogs.Get(topic); ok {
			lim = &perTopic[r] // a configured source: limited per topic
		}
	}
	n, ok := lim.allow(now, logEvery)
	if !ok {
		return
	}
	log := o.log.With("reason", r.String(), "topic", topic, "suppressed", n)
	switch r {
	case reasonMissingTopic:
		log.Warn("input without umh_topic metadata skipped")
	case reasonInvalidPayload:
		log.With("error", err.Error()).Warn("input with an invalid payload skipped; the state is unchanged")
	case reasonUnknownTopic:
		log.Debug("input on a topic that is not a source skipped")
	case reasonNoOutput:
		log.Debug("input stored but no mapping fired (dependencies without a value, or every mapping failed)")
	}
}

// messageTimed records how long a message that produced outputs took, in the timed
// sample of batches.
func (o *pluginObserver) messageTimed(took time.Duration) {
	o.processingTime.Timing(took.Nanoseconds())
}

// batchDone records a batch: how long it took (unmeasured, negative, outside the timed
// sample), and how many of its messages produced outputs and how many outputs, counted
// once per batch rather than per message. The gauges are set only when their value
// changed: the mapping count never does after start-up, the variable count rarely.
func (o *pluginObserver) batchDone(took time.Duration, processed, outputs, mappings, variables int) {
	if took >= 0 {
		o.batchTime.Timing(took.Nanoseconds())
	}
	if processed > 0 {
		o.processedCount.Incr(int64(processed))
		o.outputsGenerated.Incr(int64(outputs))
	}
	// Loaded first: a swap on every batch would bounce the line between the cores of
	// the pipeline threads.
	if o.lastMappings.Load() != int64(mappings) && o.lastMappings.Swap(int64(mappings)) != int64(mappings) {
		o.activeMappings.Set(int64(mappings))
	}
	if o.lastVariables.Load() != int64(variables) && o.lastVariables.Swap(int64(variables)) != int64(variables) {
		o.activeVariables.Set(int64(variables))
	}
}
