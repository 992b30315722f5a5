// Package prometheus provides the `prometheus` Benthos metrics exporter: with
// `metrics: {prometheus: {}}` every metric of the stream, the stream processor's
// among them, is served in the Prometheus text format at /metrics (and /stats) on
// Benthos' HTTP address. Counters and gauges keep their Benthos names and labels;
// timers become histograms in seconds. The Go runtime's and the process' own
// metrics (go_*, process_*) are served alongside.
//
// Importing the package registers the exporter in Benthos' global environment;
// Register adds it to another environment.
package prometheus
