package processor

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxPayloadDepth is the deepest nesting a payload may have, as nestingDepth counts
// it: the limit of the sonic validator behind decodePayload (encoding/json's is
// 10,000, and spec §14.8 names none). Deeper payloads are rejected.
const maxPayloadDepth = 4096

// referenceDecode is spec §14.8 written plainly on encoding/json: keys match exactly,
// other keys are ignored, the last duplicate wins; "value" must be present and not
// null; "timestamp_ms" must be a JSON number with an integral value in (0, 2^63), in
// any notation; invalid JSON, trailing bytes, a top-level non-object, a value beyond
// float64 range and nesting beyond maxPayloadDepth are rejected.
func referenceDecode(b []byte) (value any, ts int64, ok bool) {
	if nestingDepth(b) > maxPayloadDepth {
		return nil, 0, false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(b, &fields) != nil || fields == nil {
		return nil, 0, false
	}
	rawValue, hasValue := fields["value"]
	rawTs, hasTs := fields["timestamp_ms"]
	if !hasValue || !hasTs {
		return nil, 0, false
	}
	if ts, ok = referenceTimestamp(rawTs); !ok {
		return nil, 0, false
	}
	if json.Unmarshal(rawValue, &value) != nil || value == nil {
		return nil, 0, false
	}
	return value, ts, true
}

var twoTo63 = new(big.Int).Lsh(big.NewInt(1), 63)

// referenceTimestamp judges a JSON number token exactly, as a rational number.
func referenceTimestamp(tok []byte) (int64, bool) {
	s := string(tok)
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, false // a string, literal, object or array
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// Beyond this bound the value is 0, below 1 or above 10^40: never a timestamp.
		// Deciding it here keeps big.Rat from building a huge power of ten.
		bound := 2*len(s) + 40
		if exp, err := strconv.Atoi(s[i+1:]); err != nil || exp > bound || exp < -bound {
			return 0, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || r.Sign() <= 0 || r.Num().Cmp(twoTo63) >= 0 {
		return 0, false
	}
	return r.Num().Int64(), true
}

// nestingDepth is the deepest nesting of brackets and braces outside strings, the
// payload object counting as 1, where an object member counts one level deeper than
// its object (as sonic's validator counts: an array may hold a scalar at depth 4096,
// an object only at 4095).
func nestingDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString:
			escaped = c == '\\'
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ':':
			deepest = max(deepest, depth+1)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// sameJSONValue compares decoded JSON values, numbers by their bits (so 0 and -0
// differ).
func sameJSONValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSONValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameJSONValue(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// FuzzDecodePayload checks that decodePayload never panics and accepts exactly what
// referenceDecode accepts, with the same value and timestamp.
func FuzzDecodePayload(f *testing.F) {
	for _, seed := range []string{
		`{"value":25.5,"timestamp_ms":1700000000000}`,
		`{"timestamp_ms":1.7e12,"value":{"a":[1,"x",true,null]}}`,
		`{"value":"a\"b\u00e9","timestamp_ms":9223372036854775807}`,
		`{"value":1,"value":null,"timestamp_ms":1}`,
		`{"value":-0,"timestamp_ms":17000e-1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, gotTs, _, err := decodePayload(payload)
		want, wantTs, ok := referenceDecode(payload)
		if !ok {
			if err == nil {
				t.Fatalf("accepted %q (value %#v, ts %d), the reference rejects it", payload, got.Interface(), gotTs)
			}
			return
		}
		if err != nil {
			t.Fatalf("rejected %q (%v), the reference accepts it: value %#v, ts %d", payload, err, want, wantTs)
		}
		if gotTs != wantTs || !sameJSONValue(got.Interface(), want) {
			t.Fatalf("%q: got value %#v ts %d, the reference %#v ts %d", payload, got.Interface(), gotTs, want, wantTs)
		}
	})
}

// TestNestingLimit pins maxPayloadDepth, the one rule the reference adds to
// encoding/json, at its boundary: for arrays, objects with and without members and
// a mix, in the value and in an ignored field.
func TestNestingLimit(t *testing.T) {
	arrays := func(n int, inner string) string { return strings.Repeat("[", n) + inner + strings.Repeat("]", n) }
	objects := func(n int, inner string) string { return strings.Repeat(`{"k":`, n) + inner + strings.Repeat("}", n) }
	tests := []struct {
		name   string
		value  string // nested in the payload object, which is level 1
		accept bool
	}{
		{"arrays, 4096 levels", arrays(4095, "1"), true},
		{"arrays, 4097 levels", arrays(4096, "1"), false},
		{"empty arrays, 4097 levels", arrays(4096, ""), false},
		{"objects, member at 4096", objects(4094, "1"), true},
		{"objects, member at 4097", objects(4095, "1"), false},
		{"objects, empty object at 4096", objects(4094, "{}"), true},
		{"arrays, then an object with a member at 4097", arrays(4094, `{"k":1}`), false},
		{"arrays, then an empty object at 4096", arrays(4094, `{}`), true},
		{"objects, then an array at 4096", objects(4094, "[1]"), true},
		{"objects, then an array with an empty object at 4097", objects(4094, "[{}]"), false},
		{"brackets inside strings do not count", objects(4094, `"[[[{{{"`), true},
	}
	for _, tc := range tests {
		for _, inOther := range []bool{false, true} {
			payload := `{"value":` + tc.value + `,"timestamp_ms":1}`
			if inOther {
				payload = `{"x":` + tc.value + `,"value":1,"timestamp_ms":1}`
			}
			_, _, _, err := decodePayload([]byte(payload))
			assert.Equal(t, tc.accept, err == nil, "%s (in another field: %v): decodePayload", tc.name, inOther)
			_, _, ok := referenceDecode([]byte(payload))
			assert.Equal(t, tc.accept, ok, "%s (in another field: %v): reference", tc.name, inOther)
		}
	}
}

// fuzzTopics are the topics a fuzzed message may have, chosen by one script byte;
// the last entry stands for "no umh_topic".
var fuzzTopics = []string{topicA, topicB, topicS, "umh.v1.t._raw.other", "", noTopic}

// fuzzDependents lists, per source topic of rejectYAML, the output paths its messages
// may produce.
var fuzzDependents = map[string][]string{topicA: {"sum", "twice"}, topicB: {"sum"}, topicS: {"len"}}

// fuzzMessage is one input decoded from a fuzz script.
type fuzzMessage struct {
	topic   string
	payload []byte
	meta    string
}

// decodeFuzzScript turns a script into batches of messages. Per message: a control
// byte (bits 0-2 topic, bit 3 starts a new batch, bit 4 a well-formed numeric payload
// instead of raw bytes, bit 5 a metadata value), then for a numeric payload 9 bytes
// (float bits and timestamp), else a length byte and that many raw bytes, then for
// metadata a length byte and that many bytes. A script that ends early is padded
// with zero bytes.
func decodeFuzzScript(script []byte) [][]fuzzMessage {
	take := func(n int) []byte {
		n = min(n, len(script))
		b := script[:n]
		script = script[n:]
		return b
	}
	length := func() int { // a length byte; 0 once the script has ended
		if b := take(1); len(b) == 1 {
			return int(b[0])
		}
		return 0
	}
	var batches [][]fuzzMessage
	for len(script) > 0 {
		ctl := take(1)[0]
		msg := fuzzMessage{topic: fuzzTopics[int(ctl&7)%len(fuzzTopics)]}
		if ctl&16 != 0 {
			raw := make([]byte, 9)
			copy(raw, take(9))
			var bits uint64
			for _, c := range raw[:8] {
				bits = bits<<8 | uint64(c)
			}
			f := math.Float64frombits(bits)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				f = float64(bits >> 12)
			}
			msg.payload = fmt.Appendf(nil, `{"value":%s,"timestamp_ms":%d}`, strconv.FormatFloat(f, 'g', -1, 64), int(raw[8])-8)
		} else {
			msg.payload = take(length())
		}
		if ctl&32 != 0 {
			msg.meta = string(take(length()))
		}
		if ctl&8 != 0 || len(batches) == 0 {
			batches = append(batches, nil)
		}
		batches[len(batches)-1] = append(batches[len(batches)-1], msg)
	}
	return batches
}

// FuzzProcessBatch sends scripted batches through the Benthos plugin (on_reject:
// error): no panic, outputs only on the dependents of the input's topic with its
// timestamp, sum only once both of its inputs were accepted, twice = 2a for finite
// numbers, every defective input dead-lettered unchanged, and every input counted
// once: as processed or under its reject reason.
func FuzzProcessBatch(f *testing.F) {
	f.Add([]byte{0x10, 0x40, 0x45, 0, 0, 0, 0, 0, 0, 9, 0x19, 0x40, 0x24, 0, 0, 0, 0, 0, 0, 5})
	f.Add([]byte("\x02\x0b{\"value\":1}\x0b\x05junk!\x0c\x01x\x2d\x00\x03abc\x30\x3f\xf0\x00\x00\x00\x00\x00\x00\x01\x02ok"))
	f.Fuzz(func(t *testing.T, script []byte) {
		h := newHarness(t, fmt.Sprintf(rejectYAML, onRejectError), "")
		accepted := map[string]bool{}
		wantReasons := map[string]int64{}
		var processed, inputs int64
		for _, batch := range decodeFuzzScript(script) {
			msgs := make(service.MessageBatch, len(batch))
			for i, m := range batch {
				msgs[i] = service.NewMessage(m.payload)
				if m.topic != noTopic {
					msgs[i].MetaSetMut(topicKey, m.topic)
				}
				msgs[i].MetaSetMut("seq", strconv.Itoa(i))
				msgs[i].MetaSetMut("extra", m.meta)
			}
			bySeq := map[int][]*service.Message{}
			for _, out := range h.process(t, msgs...) {
				seq, err := strconv.Atoi(metaOf(out, "seq"))
				require.NoError(t, err, "every output derives from an input")
				bySeq[seq] = append(bySeq[seq], out)
			}
			for i, m := range batch {
				inputs++
				outs := bySeq[i]
				for _, out := range outs {
					assert.Equal(t, m.meta, metaOf(out, "extra"), "metadata is copied")
				}
				value, ts, valid := referenceDecode(m.payload)
				reason := fuzzReason(m.topic, valid)
				if reason == "" {
					for _, alias := range []string{"a", "b", "s"} {
						accepted[alias] = accepted[alias] || m.topic == "umh.v1.t._raw."+alias
					}
					if len(outs) == 0 {
						reason = reasonNoOutput.String()
					} else {
						processed++
						checkFuzzOutputs(t, m.topic, value, ts, accepted, outs)
					}
				}
				if reason != "" {
					wantReasons[reason]++
					checkFuzzRejected(t, m, reason, outs)
				}
			}
		}
		assert.Equal(t, processed, h.metrics.value("messages_processed"))
		var counted int64
		for r := range numRejectReasons {
			n := h.metrics.value("messages_rejected{reason=" + r.String() + "}")
			assert.Equal(t, wantReasons[r.String()], n, r.String())
			counted += n
		}
		assert.Equal(t, inputs, processed+counted, "every input is accounted for")
	})
}

// fuzzReason is the reject reason the model expects before evaluation ("" when the
// input is accepted).
func fuzzReason(topic string, valid bool) string {
	switch {
	case topic == noTopic:
		return reasonMissingTopic.String()
	case fuzzDependents[topic] == nil:
		return reasonUnknownTopic.String()
	case !valid:
		return reasonInvalidPayload.String()
	}
	return ""
}

func checkFuzzOutputs(t *testing.T, topic string, value any, ts int64, accepted map[string]bool, outs []*service.Message) {
	t.Helper()
	var paths []string
	for _, out := range outs {
		require.Nil(t, out.GetError(), "an accepted input is not dead-lettered")
		path := strings.TrimPrefix(metaOf(out, topicKey), "umh.v1.t._m_v1.")
		paths = append(paths, path)
		raw, err := out.AsBytes()
		require.NoError(t, err)
		got, gotTs, _, err := decodePayload(raw)
		require.NoError(t, err, "output %s is a timeseries payload: %s", path, raw)
		assert.Equal(t, ts, gotTs, "the output carries the input's timestamp")
		if f, ok := value.(float64); ok && path == "twice" {
			assert.Equal(t, 2*f, got.Interface(), "twice = 2a")
		}
	}
	assert.Subset(t, fuzzDependents[topic], paths, "only dependents of the input's topic")
	if slices.Contains(paths, "sum") {
		assert.True(t, accepted["a"] && accepted["b"], "sum needs both inputs")
	}
	if f, ok := value.(float64); ok && topic == topicA && !math.IsInf(2*f, 0) {
		assert.Contains(t, paths, "twice", "a finite number always gives twice")
	}
}

func checkFuzzRejected(t *testing.T, m fuzzMessage, reason string, outs []*service.Message) {
	t.Helper()
	if reason != reasonMissingTopic.String() && reason != reasonInvalidPayload.String() {
		assert.Empty(t, outs, "%s: consumed", reason)
		return
	}
	require.Len(t, outs, 1, "%s: dead-lettered", reason)
	err := outs[0].GetError()
	require.Error(t, err)
	assert.Contains(t, err.Error(), reason)
	raw, rerr := outs[0].AsBytes()
	require.NoError(t, rerr)
	assert.Equal(t, string(m.payload), string(raw), "passed on unchanged")
}

func metaOf(m *service.Message, key string) string {
	v, _ := m.MetaGet(key)
	return v
}
