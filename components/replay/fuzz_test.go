package replay

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzParseLine compares ParseLine with encoding/json: a line is accepted only if it is
// valid JSON, every valid object is read (unless it lacks a payload or its topic is not
// a string), and the topic and payload are what encoding/json finds.
func FuzzParseLine(f *testing.F) {
	for _, seed := range []string{
		`{"topic": "a.b._raw.press", "payload": {"value": 100, "timestamp_ms": 1733904000000}}`,
		`{"payload":{"timestamp_ms":1,"value":[1,{"x":"}"}]},"topic":"t"}`,
		`{"topic": "t", "payload": "{\"value\": 1}\n\u00e9"}`,
		`{"t\u006fpic": "a\/b", "payload": 5, "topic": null}`,
		`{"topic": "t", "value": -1.5e+3, "timestamp_ms": 2}`,
		`{"topic": "a", "payload": {"value": 01}}`,
		`[1]`, `{}`, ` {"payload": [true, false, null]} `, `{"payload": "\ud800"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := ParseLine(line)
		valid := json.Valid(line)
		if err == nil && !valid {
			t.Fatalf("accepted invalid JSON %q", line)
		}
		var members map[string]json.RawMessage
		if !valid || json.Unmarshal(line, &members) != nil {
			return // not an object
		}
		if bytes.Count(line, []byte{'['})+bytes.Count(line, []byte{'{'}) > maxDepth {
			return // may be nested deeper than ParseLine accepts
		}
		payload, hasPayload := members["payload"]
		value, hasValue := members["value"]
		ts, hasTs := members["timestamp_ms"]
		var topic *string
		topicErr := json.Unmarshal(members["topic"], &topic)
		if _, ok := members["topic"]; !ok {
			topicErr = nil
		}
		if topicErr != nil || (!hasPayload && !hasValue && !hasTs) || (hasPayload && (hasValue || hasTs)) {
			if err == nil {
				t.Fatalf("accepted %q", line)
			}
			return
		}
		if err != nil {
			t.Fatalf("rejected %q: %v", line, err)
		}
		if (topic != nil) != got.HasTopic || (topic != nil && *topic != string(got.Topic)) {
			t.Fatalf("%q: topic %q (%v), encoding/json %v", line, got.Topic, got.HasTopic, topic)
		}
		var want []byte
		var text string
		switch {
		case !hasPayload:
			want = flatPayload(value, ts)
		case json.Unmarshal(payload, &text) == nil && payload[0] == '"':
			want = []byte(text)
		default:
			want = payload
		}
		if !bytes.Equal(want, got.Payload) {
			t.Fatalf("%q: payload %q, encoding/json %q", line, got.Payload, want)
		}
	})
}
