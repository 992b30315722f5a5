package replay

import (
	"errors"
	"strconv"
)

// record is one line of a recording.
type record struct {
	// topic is the topic's text: a slice of the line, or decoded when it holds escape
	// sequences. hasTopic is false for a line without a topic (or a null one).
	topic    []byte
	hasTopic bool
	// payload is the message body: the payload's JSON text as it stands in the line,
	// or the contents of a payload given as a JSON string.
	payload []byte
}

var (
	errNoPayload   = errors.New(`no "payload" member (expected {"topic": …, "payload": …})`)
	errTopicString = errors.New(`"topic" must be a string`)
)

// parseRecord reads one line: a JSON object with a "payload" member and, usually, a
// "topic" string; other members are ignored and, as in encoding/json, the last of
// repeated members wins. The line is checked to be well-formed JSON, but values are
// only decoded when they are strings with escape sequences.
func parseRecord(line []byte) (record, error) {
	var r record
	var payload []byte
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
				r.topic, r.hasTopic = topic, true
			case 'n':
				r.topic, r.hasTopic = nil, false
			default:
				return errTopicString
			}
		case "payload":
			payload = f.value
		}
		return nil
	})
	if err != nil {
		return record{}, err
	}
	if i := skipSpace(line, end); i < len(line) {
		return record{}, &syntaxError{offset: i, msg: "text after the object"}
	}
	if payload == nil {
		return record{}, errNoPayload
	}
	if payload[0] == '"' {
		if payload, err = unquote(payload); err != nil {
			return record{}, err
		}
	}
	r.payload = payload
	return r, nil
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
