// Package processor is the UNS stream processor: it keeps the latest value of every
// configured source topic and evaluates JavaScript mapping expressions over them,
// emitting one timeseries message per mapping that fires (see docs/behaviour.md).
//
// The core is host-agnostic: New validates a Config (reporting every problem at once)
// and Processor.Process turns one input (topic and payload bytes) into outputs handed
// to a callback, without per-message maps and with pooled buffers:
//
//	p, err := processor.New(processor.Config{
//		Mode:        processor.ModeTimeseries,
//		OutputTopic: "umh.v1.corpA.plant-A.aawd",
//		Model:       processor.Model{Name: "pump", Version: "v1"},
//		Sources:     map[string]string{"press": "umh.v1.corpA.plant-A.aawd._raw.press"},
//		Mapping:     map[string]any{"pressure": "press + 4.00001"},
//	})
//	res := p.Process(topic, payload, func(o processor.Output) { send(o.Topic, o.Payload) })
//
// A mapping may read another mapping of the same processor by its top-level name; such
// mappings are evaluated in dependency order within one input (see chain.go).
//
// A host that handles batches of inputs gives each goroutine a Worker, which keeps the
// outputs' payloads in a buffer the host controls, so that its outputs can keep them.
//
// This is the package a library user imports: it depends on no Benthos module and
// importing it registers nothing. The Benthos batch processor `stream_processor` built
// on it is package github.com/unsproc/unsproc/components/streamprocessor, which a
// Benthos host imports instead.
package processor
