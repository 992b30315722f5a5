// Package streamprocessor is the Benthos batch processor `stream_processor`: the
// stream processor of package github.com/unsproc/unsproc/processor behind Benthos'
// config, metrics, logs, error handling (on_reject) and caches (state_cache).
//
// This is the package a Benthos host imports: importing it registers
// `stream_processor` in Benthos' global environment, and Register adds the processor
// to another environment under a name of the host's choosing. A library user who
// does not run Benthos imports package processor alone.
package streamprocessor
