package streamprocessor

import (
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/processor"
)

// emitter turns the core's outputs for one batch into Benthos messages derived from
// their inputs (its emit is the callback the core's worker calls). It is reused
// through the batch processor's pool.
//
// The core appends payloads to its worker's buffer, which is a slab: an output's payload is handed
// to its message as soon as it is built, and the bytes are never written again (later
// payloads go after it), so one allocation serves the outputs of several inputs.
type emitter struct {
	msg      *service.Message // the input whose outputs are being emitted
	out      service.MessageBatch
	capacity int               // output batch capacity to reserve on the first output
	w        *processor.Worker // the core's working memory; its buffer is the payload slab
	batches  uint              // batches handled, for sampling the timed ones
	// processed and outputs count the batch's messages that produced outputs and
	// those outputs, for the metrics.
	processed, outputs int
	emit               func(processor.Output) // see newEmitter
}

// payloadSlab is the size of the slabs that output payloads are carved from: about
// five inputs' worth of the usual four outputs. An output kept downstream keeps its
// slab alive.
const payloadSlab = 1024

// payloadRoom is the free space a slab must have for the next input's outputs; with
// less, the input gets a new slab. Outputs that need more grow the slab as append
// does (the new array holds copies of the input's earlier payloads, which their
// messages do not use).
const payloadRoom = 256

// newEmitter makes an emitter for core's outputs. Its callback appends one output: a
// copy of the input (metadata, tracing context) with the payload the core built and
// umh_topic set. It is a closure made once, so that the core calls it directly.
func newEmitter(core *processor.Processor) *emitter {
	e := &emitter{w: core.NewWorker()}
	e.emit = func(o processor.Output) {
		derived := e.msg.Copy()
		derived.SetBytes(o.Payload)
		derived.MetaSetMut(topicKey, o.Mapping.TopicValue())
		e.add(derived)
	}
	return e
}

// begin prepares the outputs of msg: they are copies of it, and their payloads go
// into a slab with room for them.
func (e *emitter) begin(msg *service.Message) {
	e.msg = msg
	if buf := e.w.Buffer(); cap(buf)-len(buf) < payloadRoom {
		e.w.SetBuffer(make([]byte, 0, payloadSlab))
	}
}

// add appends msg to the output batch, reserving its capacity on the first message.
func (e *emitter) add(msg *service.Message) {
	if e.out == nil {
		e.out = make(service.MessageBatch, 0, e.capacity)
	}
	e.out = append(e.out, msg)
}

// finish returns the output batch and resets e for reuse. The unused end of the slab
// is kept for the next batch unless it is larger than a slab (grown by big outputs),
// which small outputs should not keep alive.
func (e *emitter) finish() service.MessageBatch {
	out := e.out
	buf := e.w.Buffer()
	buf = buf[len(buf):]
	if cap(buf) > payloadSlab {
		buf = nil
	}
	e.w.SetBuffer(buf)
	*e = emitter{w: e.w, batches: e.batches, emit: e.emit}
	return out
}
