package processor

import (
	"sync"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// emitter turns the core's outputs for one input message into Benthos messages derived
// from it. It is reused through a pool, with its emit method bound once, so that
// handing it to Process allocates nothing.
type emitter struct {
	msg      *service.Message
	out      service.MessageBatch
	arena    []byte // payload bytes of msg's outputs; each output keeps its own full slice
	capacity int    // output batch capacity to reserve on the first output
	perInput int    // most outputs one input can produce
	fn       func(Output)
}

var emitters = sync.Pool{New: func() any {
	e := &emitter{}
	e.fn = e.emit
	return e
}}

// emit appends one output: a copy of the input (metadata, tracing context) with the
// output payload and umh_topic. The payloads of one input share one fresh buffer, so an
// input costs one payload allocation, not one per output.
func (e *emitter) emit(o Output) {
	if e.arena == nil {
		e.arena = make([]byte, 0, e.perInput*payloadSizeHint)
	}
	if e.out == nil {
		e.out = make(service.MessageBatch, 0, e.capacity)
	}
	from := len(e.arena)
	e.arena = append(e.arena, o.Payload...)
	derived := e.msg.Copy()
	derived.SetBytes(e.arena[from:len(e.arena):len(e.arena)])
	derived.MetaSetMut(topicKey, o.Mapping.topicMeta)
	e.out = append(e.out, derived)
}
