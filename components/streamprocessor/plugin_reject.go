package streamprocessor

import (
	"fmt"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/unsproc/unsproc/internal/clock"
)

// rejectReason says why an input message produced no output. Its name is the value
// of the reason label of the messages_rejected metric.
type rejectReason int

const (
	// reasonMissingTopic: the message has no umh_topic metadata.
	reasonMissingTopic rejectReason = iota
	// reasonUnknownTopic: umh_topic (possibly empty) names no configured source.
	reasonUnknownTopic
	// reasonInvalidPayload: the payload breaks the rules of docs/behaviour.md#payload-rules, or the message
	// content cannot be read; the state is unchanged.
	reasonInvalidPayload
	// reasonNoOutput: the value was accepted and stored, but no mapping fired: the
	// dependents still wait for other sources, or every evaluation failed.
	reasonNoOutput
	numRejectReasons
)

var rejectReasonNames = [numRejectReasons]string{
	reasonMissingTopic:   "missing_topic",
	reasonUnknownTopic:   "unknown_topic",
	reasonInvalidPayload: "invalid_payload",
	reasonNoOutput:       "no_output",
}

// String is the metric label value, e.g. "invalid_payload".
func (r rejectReason) String() string { return rejectReasonNames[r] }

// isDefect reports whether the input itself is faulty (no usable topic or payload),
// as opposed to valid traffic that simply has no output here. Only defects are
// dead-lettered with on_reject: error.
func (r rejectReason) isDefect() bool {
	return r == reasonMissingTopic || r == reasonInvalidPayload
}

// Values of the on_reject field.
const (
	onRejectDrop  = "drop"
	onRejectError = "error"
)

// RejectError is the error a dead-lettered input carries (on_reject: error): why the
// stream processor could not use it. Benthos' error() shows its text; Go hosts can
// inspect it with errors.As on Message.GetError.
type RejectError struct {
	// Reason is the messages_rejected label: "invalid_payload" or "missing_topic".
	Reason string
	// Topic is the input's umh_topic ("" when it has none).
	Topic string
	// Err is the *PayloadError of an invalid payload; nil for a missing topic.
	Err error
}

// Error names the reason, the topic and the payload problem.
func (e *RejectError) Error() string {
	if e.Reason == reasonMissingTopic.String() {
		return "stream_processor rejected the input (missing_topic): it has no umh_topic metadata"
	}
	msg := fmt.Sprintf("stream_processor rejected the input (%s) on topic %q", e.Reason, e.Topic)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the payload problem.
func (e *RejectError) Unwrap() error { return e.Err }

// reject accounts for an input without output: it is counted and logged by reason
// and, with on_reject: error, a defective input is passed on with its error flag set
// (a copy, in input order among the outputs) for Benthos' error handling to route.
// started is when the message's processing began (unmeasured outside timed batches);
// reject returns when it ended, unmeasured outside timed batches.
func (b *batchProcessor) reject(e *emitter, msg *service.Message, r rejectReason, topic string, err error, started time.Duration) time.Duration {
	// Timed batches read the clock anyway, and defects are rare warnings whose log
	// limit must follow the real time; other rejects can be frequent and are logged at
	// debug level, for which the start of the latest timed batch is close enough.
	var now time.Duration
	if started != unmeasured || r.isDefect() {
		now = clock.Monotonic()
	} else {
		now = time.Duration(b.clock.Load())
	}
	b.obs.rejected(r, topic, err, now)
	if b.deadLetter && r.isDefect() {
		flagged := msg.Copy()
		flagged.SetError(&RejectError{Reason: r.String(), Topic: topic, Err: err})
		e.add(flagged)
	}
	if started == unmeasured {
		return unmeasured
	}
	return now
}
