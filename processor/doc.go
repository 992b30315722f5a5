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
// Importing the package also registers the Benthos batch processor `stream_processor`
// in the global environment; Register adds it to another environment.
package processor
