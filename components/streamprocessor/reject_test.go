package streamprocessor

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/internal/payload"
	"github.com/unsproc/unsproc/processor"
)

// rejectYAML has two single-input mappings (twice on a, len on s) and one that waits
// for two inputs (sum).
const rejectYAML = `
output_topic: umh.v1.t
model: {name: m, version: v1}
on_reject: %s
sources:
  a: umh.v1.t._raw.a
  b: umh.v1.t._raw.b
  s: umh.v1.t._raw.s
mapping:
  twice: a * 2
  sum: a + b
  len: s.length
`

const (
	topicA = "umh.v1.t._raw.a"
	topicB = "umh.v1.t._raw.b"
	topicS = "umh.v1.t._raw.s"
)

// noTopic marks an input without umh_topic metadata.
const noTopic = "\x00none"

// nested is a payload whose value (or, with inOther, another field) nests depth
// arrays.
func nested(depth int, inOther bool) string {
	deep := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	if inOther {
		return `{"x":` + deep + `,"value":1,"timestamp_ms":1}`
	}
	return `{"value":` + deep + `,"timestamp_ms":1}`
}

// junk is n pseudo-random bytes (fixed seed).
func junk(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return string(b)
}

const tenMB = 10 << 20

// malformedInputs is the table of bad (and borderline) inputs: each is one message to
// a fresh processor configured by rejectYAML. reason is the messages_rejected label,
// "" when the input produces outputs; outputs lists them as "path value".
var malformedInputs = []struct {
	name    string
	topic   string // noTopic: no umh_topic metadata
	payload string
	reason  string
	outputs []string
}{
	// umh_topic
	{"no umh_topic", noTopic, `{"value":1,"timestamp_ms":1}`, "missing_topic", nil},
	{"no umh_topic, junk payload", noTopic, "\xff\x00junk", "missing_topic", nil},
	{"empty umh_topic", "", `{"value":1,"timestamp_ms":1}`, "unknown_topic", nil},
	{"unknown topic", "umh.v1.t._raw.other", `{"value":1,"timestamp_ms":1}`, "unknown_topic", nil},
	{"unknown topic, junk payload is not read", "umh.v1.t._raw.other", "junk", "unknown_topic", nil},
	{"topic with trailing space", topicA + " ", `{"value":1,"timestamp_ms":1}`, "unknown_topic", nil},
	{"topic in other case", strings.ToUpper(topicA), `{"value":1,"timestamp_ms":1}`, "unknown_topic", nil},
	{"topic extending a source", topicA + ".extra", `{"value":1,"timestamp_ms":1}`, "unknown_topic", nil},
	{"topic with invalid UTF-8", topicA + "\xff", `{"value":1,"timestamp_ms":1}`, "unknown_topic", nil},

	// payload variants of docs/behaviour.md#payload-rules
	{"not JSON", topicA, "invalid json", "invalid_payload", nil},
	{"empty payload", topicA, "", "invalid_payload", nil},
	{"only white space", topicA, " \n\t", "invalid_payload", nil},
	{"trailing bytes", topicA, `{"value":1,"timestamp_ms":1} x`, "invalid_payload", nil},
	{"two objects", topicA, `{"value":1,"timestamp_ms":1}{"value":2,"timestamp_ms":2}`, "invalid_payload", nil},
	{"unterminated object", topicA, `{"value":1,"timestamp_ms":1`, "invalid_payload", nil},
	{"top-level array", topicA, `[{"value":1,"timestamp_ms":1}]`, "invalid_payload", nil},
	{"top-level number", topicA, `42`, "invalid_payload", nil},
	{"top-level string", topicA, `"x"`, "invalid_payload", nil},
	{"top-level null", topicA, `null`, "invalid_payload", nil},
	{"empty object", topicA, `{}`, "invalid_payload", nil},
	{"value missing", topicA, `{"timestamp_ms":1}`, "invalid_payload", nil},
	{"value null", topicA, `{"value":null,"timestamp_ms":1}`, "invalid_payload", nil},
	{"value null by a later duplicate", topicA, `{"value":1,"value":null,"timestamp_ms":1}`, "invalid_payload", nil},
	{"value beyond float64", topicA, `{"value":1e400,"timestamp_ms":1}`, "invalid_payload", nil},
	{"timestamp missing", topicA, `{"value":1}`, "invalid_payload", nil},
	{"timestamp zero", topicA, `{"value":1,"timestamp_ms":0}`, "invalid_payload", nil},
	{"timestamp negative", topicA, `{"value":1,"timestamp_ms":-5}`, "invalid_payload", nil},
	{"timestamp fraction", topicA, `{"value":1,"timestamp_ms":1.5}`, "invalid_payload", nil},
	{"timestamp string", topicA, `{"value":1,"timestamp_ms":"1700000000000"}`, "invalid_payload", nil},
	{"timestamp null", topicA, `{"value":1,"timestamp_ms":null}`, "invalid_payload", nil},
	{"timestamp 2^63", topicA, `{"value":1,"timestamp_ms":9223372036854775808}`, "invalid_payload", nil},
	{"keys in other case", topicA, `{"VALUE":7,"Timestamp_MS":9}`, "invalid_payload", nil},
	{"single quotes", topicA, `{'value':1,'timestamp_ms':1}`, "invalid_payload", nil},
	{"byte order mark", topicA, "\ufeff" + `{"value":1,"timestamp_ms":1}`, "invalid_payload", nil},
	{"raw control character in a string", topicS, "{\"value\":\"a\x01b\",\"timestamp_ms\":1}", "invalid_payload", nil},
	{"NUL after the object", topicA, "{\"value\":1,\"timestamp_ms\":1}\x00", "invalid_payload", nil},
	{"binary junk", topicA, junk(512), "invalid_payload", nil},
	{"invalid UTF-8 junk", topicA, "\xff\xfe\xfd{\"value\":1}", "invalid_payload", nil},
	{"10 MB of junk", topicA, strings.Repeat("x", tenMB), "invalid_payload", nil},
	{"10 MB of open brackets", topicA, `{"value":` + strings.Repeat("[", tenMB), "invalid_payload", nil},
	{"10,000-deep value", topicS, nested(10000, false), "invalid_payload", nil},
	{"10,000-deep other field", topicA, nested(10000, true), "invalid_payload", nil},
	{"5,000-deep value (beyond the 4,096-level limit)", topicS, nested(5000, false), "invalid_payload", nil},

	// accepted, but nothing fires
	{"second input of a two-input mapping alone", topicB, `{"value":1,"timestamp_ms":1}`, "no_output", nil},
	{"every mapping of the input fails", topicS, `{"value":5,"timestamp_ms":1}`, "no_output", nil}, // (5).length is undefined

	// borderline inputs that are accepted
	{"invalid UTF-8 in a string is replaced", topicS, "{\"value\":\"a\xffb\",\"timestamp_ms\":1}", "", []string{"len 3"}},
	{"lone surrogate escape is replaced", topicS, `{"value":"\ud800","timestamp_ms":1}`, "", []string{"len 1"}},
	{"10 MB string value", topicS, `{"value":"` + strings.Repeat("y", tenMB) + `","timestamp_ms":1}`, "", []string{fmt.Sprintf("len %d", tenMB)}},
	{"4,000-deep value", topicS, nested(4000, false), "", []string{"len 1"}},
	{"extra fields are ignored", topicA, `{"quality":"good","value":2,"meta":{"x":[1]},"timestamp_ms":1}`, "", []string{"twice 4"}},
	{"duplicate value, the last wins", topicA, `{"value":1,"value":3,"timestamp_ms":1}`, "", []string{"twice 6"}},
	{"exponent timestamp", topicA, `{"value":1,"timestamp_ms":1.7e12}`, "", []string{"twice 2"}},
}

// TestMalformedInputs runs every input of malformedInputs through the Benthos plugin
// in both on_reject modes: it is counted once, under its reason; it is logged with
// topic and reason; with on_reject: error a defective input comes back flagged.
func TestMalformedInputs(t *testing.T) {
	require.GreaterOrEqual(t, len(malformedInputs), 30)
	for _, mode := range []string{onRejectDrop, onRejectError} {
		for _, c := range malformedInputs {
			t.Run(mode+"/"+c.name, func(t *testing.T) {
				h := newHarness(t, fmt.Sprintf(rejectYAML, mode), "")
				in := service.NewMessage([]byte(c.payload))
				if c.topic != noTopic {
					in.MetaSetMut(topicKey, c.topic)
				}
				in.MetaSetMut("site", "plant-A")
				out := h.process(t, in)

				var outputs []string
				var flagged []*service.Message
				for _, m := range out {
					if m.GetError() != nil {
						flagged = append(flagged, m)
						continue
					}
					outputs = append(outputs, outputLine(t, m))
				}
				assert.Equal(t, c.outputs, outputs)

				for r := range numRejectReasons {
					want := int64(0)
					if r.String() == c.reason {
						want = 1
					}
					assert.Equal(t, want, h.metrics.value("messages_rejected{reason="+r.String()+"}"), r.String())
				}
				if c.reason == "" {
					assert.Equal(t, int64(1), h.metrics.value("messages_processed"))
					assert.Empty(t, flagged)
					return
				}
				assert.Zero(t, h.metrics.value("messages_processed"))
				assertRejectLogged(t, h.logs, c.reason, c.topic)

				defect := c.reason == "missing_topic" || c.reason == "invalid_payload"
				if mode == onRejectDrop || !defect {
					assert.Empty(t, flagged, "consumed")
					return
				}
				require.Len(t, flagged, 1, "dead-lettered")
				got, err := flagged[0].AsBytes()
				require.NoError(t, err)
				assert.True(t, bytes.Equal([]byte(c.payload), got), "the input's payload is passed on unchanged")
				site, _ := flagged[0].MetaGet("site")
				assert.Equal(t, "plant-A", site, "and its metadata")
				var rejectErr *RejectError
				require.True(t, errors.As(flagged[0].GetError(), &rejectErr))
				assert.Equal(t, c.reason, rejectErr.Reason)
				assert.Contains(t, rejectErr.Error(), c.reason)
				if c.reason == "invalid_payload" {
					assert.Equal(t, c.topic, rejectErr.Topic)
					var pe *processor.PayloadError
					assert.True(t, errors.As(rejectErr, &pe), "the payload problem is wrapped")
				}
				assert.Nil(t, in.GetError(), "the input itself is not modified")
			})
		}
	}
}

// outputLine renders an output as "<virtual path> <value JSON>".
func outputLine(t *testing.T, m *service.Message) string {
	t.Helper()
	topic, _ := m.MetaGet(topicKey)
	raw, err := m.AsBytes()
	require.NoError(t, err)
	_, ts, _, err := payload.Decode(raw)
	require.NoError(t, err, "an output is a valid timeseries payload")
	value := strings.TrimPrefix(string(raw), `{"value":`)
	value = strings.TrimSuffix(value, fmt.Sprintf(`,"timestamp_ms":%d}`, ts))
	return strings.TrimPrefix(topic, "umh.v1.t._m_v1.") + " " + value
}

// assertRejectLogged checks that exactly one log line names the reason and topic:
// warnings for defects, debug for the rest.
func assertRejectLogged(t *testing.T, logs *capturedLogs, reason, topic string) {
	t.Helper()
	level := slog.LevelDebug
	if reason == "missing_topic" || reason == "invalid_payload" {
		level = slog.LevelWarn
	}
	var found []logRecord
	for _, r := range logs.find(slog.LevelDebug, "") {
		if r.attrs["reason"] == reason {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "one log line for reason %s", reason)
	assert.Equal(t, level, found[0].level)
	if topic == noTopic {
		topic = ""
	}
	assert.Equal(t, topic, found[0].attrs["topic"])
}

// TestRejectLogsAreRateLimited sends many rejects: each source topic and reason logs
// once per interval, other topics share one line per reason, and every input is still
// counted.
func TestRejectLogsAreRateLimited(t *testing.T) {
	h := newHarness(t, fmt.Sprintf(rejectYAML, onRejectDrop), "")
	var batch service.MessageBatch
	for i := range 50 {
		batch = append(batch,
			tsMessage(topicA, "junk"),
			tsMessage(topicB, "junk"),
			tsMessage(fmt.Sprintf("umh.v1.t._raw.unknown%d", i), "junk"),
			service.NewMessage([]byte("no topic")),
		)
	}
	assert.Nil(t, h.process(t, batch...))
	assert.Equal(t, int64(100), h.metrics.value("messages_rejected{reason=invalid_payload}"))
	assert.Equal(t, int64(50), h.metrics.value("messages_rejected{reason=unknown_topic}"))
	assert.Equal(t, int64(50), h.metrics.value("messages_rejected{reason=missing_topic}"))
	assert.Equal(t, int64(100), h.metrics.value("invalid_data_type"), "reference counter")
	assert.Equal(t, int64(100), h.metrics.value("messages_dropped"), "reference counter")

	byReason := map[string][]string{}
	for _, r := range h.logs.find(slog.LevelDebug, "") {
		if reason := r.attrs["reason"]; reason != "" {
			byReason[reason] = append(byReason[reason], r.attrs["topic"])
		}
	}
	assert.ElementsMatch(t, []string{topicA, topicB}, byReason["invalid_payload"])
	assert.Equal(t, []string{"umh.v1.t._raw.unknown0"}, byReason["unknown_topic"])
	assert.Equal(t, []string{""}, byReason["missing_topic"])
}

// TestEveryInputIsAccounted mixes every kind of input in one batch: processed plus
// rejected equals the number of inputs, and outputs keep input order with the
// dead-lettered inputs among them.
func TestEveryInputIsAccounted(t *testing.T) {
	h := newHarness(t, fmt.Sprintf(rejectYAML, onRejectError), "")
	out := h.process(t,
		tsMessage(topicB, `{"value":10,"timestamp_ms":1}`), // no_output: sum waits for a
		tsMessage(topicA, "junk"),                          // invalid_payload
		tsMessage(topicA, `{"value":1,"timestamp_ms":2}`),  // twice, sum
		service.NewMessage([]byte("x")),                    // missing_topic
		tsMessage("elsewhere", "x"),                        // unknown_topic
		tsMessage(topicS, `{"value":"abc","timestamp_ms":3}`),
	)
	var lines []string
	for _, m := range out {
		if err := m.GetError(); err != nil {
			lines = append(lines, "flagged "+err.(*RejectError).Reason)
			continue
		}
		lines = append(lines, outputLine(t, m))
	}
	assert.Equal(t, []string{"flagged invalid_payload", "sum 11", "twice 2", "flagged missing_topic", "len 3"}, lines)
	total := h.metrics.value("messages_processed")
	for r := range numRejectReasons {
		total += h.metrics.value("messages_rejected{reason=" + r.String() + "}")
	}
	assert.Equal(t, int64(6), total)
	assert.Equal(t, int64(2), h.metrics.value("messages_processed"))
}

func TestOnRejectUnknownValue(t *testing.T) {
	conf, err := ConfigSpec().ParseYAML(fmt.Sprintf(rejectYAML, "retry"), nil)
	require.NoError(t, err)
	_, err = NewBatchProcessor(conf, service.MockResources())
	assert.ErrorContains(t, err, `on_reject: unknown value "retry" (use drop or error)`)
}
