package streamprocessor

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/internal/payload"
)

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
				// The codec is checked against a reference decoder in its package.
				decoded, ts, _, decodeErr := payload.Decode(m.payload)
				value, valid := decoded.Interface(), decodeErr == nil
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
		got, gotTs, _, err := payload.Decode(raw)
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
