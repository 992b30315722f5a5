// Package replay provides uns_replay, a Benthos batch input that replays a recording
// of UNS messages: a file with one {"topic": …, "payload": …} object per line, the
// format of the examples' sample.jsonl files.
//
// Each line becomes one message whose umh_topic metadata is the topic and whose body
// is the payload's raw JSON text, sliced out of the line without decoding and
// re-encoding it (a payload given as a JSON string is unquoted once; a line may give
// "value" and "timestamp_ms" instead of a payload). Messages leave the input in
// batches of batch_size, in file order; the end of the last file ends the stream. With
// speed other than max, the input paces the messages by their payloads' timestamp_ms,
// as fast as recorded (1x) or faster or slower.
//
// uns_record, a Benthos batch output, writes messages the other way: one line per
// message, a recording uns_replay reads back or `topic payload` text, one write per
// batch.
//
// ParseLine reads one line of a recording, for other readers such as `unsproc try`.
//
// Importing the package registers the input and the output in Benthos' global
// environment; Register adds them to another environment.
package replay
