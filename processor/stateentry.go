package processor

import (
	"encoding/json"
	"fmt"
	"strconv"

	codec "github.com/unsproc/unsproc/internal/payload"
	"github.com/unsproc/unsproc/state"
	"github.com/unsproc/unsproc/value"
)

// stateEntryShape describes a state entry in error messages.
const stateEntryShape = `{"topic": …, "value": …, "timestamp_ms": …}`

// AppendStateEntry appends to dst the saved form of the value of one state slot,
// {"topic":<topic>,"value":<JSON>,"timestamp_ms":<int>}, where topic is the one the
// slot's value is recorded for (see SlotTopic). ParseStateEntry reads it back.
func AppendStateEntry(dst []byte, topic string, v state.Entry) ([]byte, error) {
	dst = append(appendString(append(dst, `{"topic":`...), topic), `,"value":`...)
	var enc encoder
	dst, err := enc.appendJSON(dst, v.V)
	if err != nil {
		return nil, err
	}
	return append(strconv.AppendInt(append(dst, `,"timestamp_ms":`...), v.TimestampMs, 10), '}'), nil
}

// ParseStateEntry reads an entry written by AppendStateEntry: its topic, value and
// timestamp. The value and timestamp must follow the payload rules of inputs.
func ParseStateEntry(raw []byte) (topic string, v value.Value, ts int64, err error) {
	v, ts, _, err = codec.Decode(raw)
	if err != nil {
		return "", value.Value{}, 0, fmt.Errorf("not a state entry %s: %w", stateEntryShape, err)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || json.Unmarshal(fields["topic"], &topic) != nil {
		return "", value.Value{}, 0, fmt.Errorf(`not a state entry %s: "topic" is missing or not a string`, stateEntryShape)
	}
	return topic, v, ts, nil
}
