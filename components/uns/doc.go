// Package uns provides the `uns` Benthos input and output: the Unified Namespace as
// UMH Core keeps it in Kafka (or Redpanda). Every UNS message is a record of one Kafka
// topic (default umh.messages) whose key is the UNS topic, whose value is the payload
// and whose headers are the message's metadata. The field names are benthos-umh's, so
// configs written for UMH run unchanged.
//
// The input consumes with a consumer group, hands the pipeline one batch per poll and
// commits a record's offset only after Benthos has acknowledged its batch and every
// batch before it; a rejected batch is delivered again. The output produces with an
// idempotent producer and returns once every in-sync replica has the records.
//
// Importing the package registers both components in Benthos' global environment;
// Register adds them to another environment.
package uns
