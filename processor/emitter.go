package processor

import "github.com/redpanda-data/benthos/v4/public/service"

// emitter turns the core's outputs for one batch into Benthos messages derived from
// their inputs (it is the core's outputSink). It is reused through the batch
// processor's pool.
type emitter struct {
	msg      *service.Message // the input whose outputs are being emitted
	out      service.MessageBatch
	capacity int          // output batch capacity to reserve on the first output
	ends     []payloadEnd // which outputs own which payloads in sc.buf (reused)
	end      int          // where the payloads emitted so far end in sc.buf
	sc       *scratch     // the core's working memory, for the whole batch
	slab     []byte       // the unused end of the block that payloads are carved from
	batches  uint         // batches handled, for sampling the timed ones
	// processed and outputs count the batch's messages that produced outputs and
	// those outputs, for the metrics.
	processed, outputs int
}

// payloadEnd says that out[index] has the payload that ends at offset end of sc.buf
// and starts where the previous one ends.
type payloadEnd struct {
	index, end int
}

// payloadSlab is the size of the blocks that output payloads are carved from: one
// allocation serves the outputs of several batches (about five of the usual
// four-output messages), and an output kept downstream keeps at most this much
// memory alive.
const payloadSlab = 1024

// maxRetainedScratch bounds the scratch payload bytes an emitter keeps for the next
// batch, so that one huge batch does not pin its memory in the pool.
const maxRetainedScratch = 1 << 20

// newEmitter makes an emitter for core's outputs.
func newEmitter(core *Processor) *emitter {
	return &emitter{sc: core.newScratch()}
}

// emit appends one output: a copy of the input (metadata, tracing context) with
// umh_topic set. Its payload stays in sc.buf, where the core appends the payloads of
// a batch back to back, until finish.
func (e *emitter) emit(o Output) {
	if e.out == nil {
		e.out = make(service.MessageBatch, 0, e.capacity)
	}
	e.end += len(o.Payload)
	e.ends = append(e.ends, payloadEnd{index: len(e.out), end: e.end})
	derived := e.msg.Copy()
	derived.MetaSetMut(topicKey, o.Mapping.topicMeta)
	e.out = append(e.out, derived)
}

// finish returns the output batch, its payloads copied into the current slab (a new
// one when they do not fit; each output keeps its own full slice of it), and resets e
// for reuse.
func (e *emitter) finish() service.MessageBatch {
	out := e.out
	if len(e.ends) > 0 {
		if len(e.slab) < e.end {
			e.slab = make([]byte, max(e.end, payloadSlab))
		}
		arena := e.slab[:e.end]
		e.slab = e.slab[e.end:]
		copy(arena, e.sc.buf)
		start := 0
		for _, p := range e.ends {
			out[p.index].SetBytes(arena[start:p.end:p.end])
			start = p.end
		}
	}
	e.sc.buf = e.sc.buf[:0]
	ends := e.ends[:0]
	if cap(e.sc.buf) > maxRetainedScratch {
		e.sc.buf, ends = nil, nil
	}
	*e = emitter{sc: e.sc, ends: ends, slab: e.slab, batches: e.batches}
	return out
}
