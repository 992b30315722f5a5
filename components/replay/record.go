package replay

import (
	"errors"
	"strconv"
)

// Line is one line of a recording, as uns_replay turns it into a message.
type Line struct {
	// Topic is the UNS topic. HasTopic is false for a line without a topic (or with a
	// null one), which gives a message without umh_topic.
	Topic    []byte
	HasTopic bool
	// Payload is the message body: the payload's JSON text as it stands in the line, the
	// contents of a payload given as a JSON string, or {"value":…,"timestamp_ms":…}
	// built from a line that gives those members instead of a payload.
	Payload []byte
}

var (
	errNotObject   = errors.New(`not a JSON object (expected {"topic": …, "payload": …})`)
	errNoPayload   = errors.New(`expected "payload", or "value" and "timestamp_ms"`)
	errBothForms   = errors.New(`give either "payload" or "value" and "timestamp_ms", not both`)
	errTopicString = errors.New(`"topic" must be a string`)
)

// ParseLine reads one line of a recording, without its line ending: a JSON object with
// a "payload" member, or with "value" and "timestamp_ms" members (either may be
// missing), and usually a "topic" string. Other members are ignored and, as in
// encoding/json, the last of repeated members wins. The line is checked to be
// well-formed JSON, but values are only decoded when they are strings with escape
// sequences. Topic and Payload are slices of line unless they had to be decoded or
// built.
func ParseLine(line []byte) (Line, error) {
	if i := skipSpace(line, 0); i >= len(line) || line[i] != '{' {
		return Line{}, errNotObject
	}
	var l Line
	var payload, value, timestamp []byte
	end, err := walkObject(line, 0, func(f field) error {
		key := f.key
		if f.escaped {
			var err error
			if key, err = unquote(append(append([]byte{'"'}, key...), '"')); err != nil {
				return err
			}
		}
		switch string(key) {
		case "topic":
			switch f.value[0] {
			case '"':
				topic, err := unquote(f.value)
				if err != nil {
					return err
				}
				l.Topic, l.HasTopic = topic, true
			case 'n':
				l.Topic, l.HasTopic = nil, false
			default:
				return errTopicString
			}
		case "payload":
			payload = f.value
		case "value":
			value = f.value
		case "timestamp_ms":
			timestamp = f.value
		}
		return nil
	})
	if err != nil {
		return Line{}, err
	}
	if i := skipSpace(line, end); i < len(line) {
		return Line{}, &syntaxError{offset: i, msg: "text after the object"}
	}
	switch {
	case payload != nil && (value != nil || timestamp != nil):
		return Line{}, errBothForms
	case payload != nil:
		if payload[0] == '"' {
			if payload, err = unquote(payload); err != nil {
				return Line{}, err
			}
		}
		l.Payload = payload
	case value != nil || timestamp != nil:
		l.Payload = flatPayload(value, timestamp)
	default:
		return Line{}, errNoPayload
	}
	return l, nil
}

// flatPayload builds {"value":…,"timestamp_ms":…} from the members' JSON texts, leaving
// out a missing one.
func flatPayload(value, timestamp []byte) []byte {
	b := make([]byte, 0, len(value)+len(timestamp)+len(`{"value":,"timestamp_ms":}`))
	b = append(b, '{')
	if value != nil {
		b = append(b, `"value":`...)
		b = append(b, value...)
	}
	if timestamp != nil {
		if value != nil {
			b = append(b, ',')
		}
		b = append(b, `"timestamp_ms":`...)
		b = append(b, timestamp...)
	}
	return append(b, '}')
}

// timestampOf returns the integral timestamp_ms member of a payload object, if it has
// one.
func timestampOf(payload []byte) (ts int64, ok bool) {
	_, err := walkObject(payload, 0, func(f field) error {
		if string(f.key) == "timestamp_ms" {
			ts, ok = 0, false
			if n, err := strconv.ParseInt(string(f.value), 10, 64); err == nil {
				ts, ok = n, true
			}
		}
		return nil
	})
	return ts, ok && err == nil
}
