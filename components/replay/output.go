package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/components/internal/batchout"
)

// OutputName is the name of the output that writes recordings.
const OutputName = "uns_record"

// Output config fields and formats.
const (
	fieldPath       = "path"
	fieldFormat     = "format"
	formatRecording = "recording"
	formatText      = "text"
)

// errNoUMHTopic fails a message that has no UNS topic to write.
var errNoUMHTopic = errors.New("uns_record: the message has no umh_topic metadata, or an empty one")

// OutputSpec describes the recording output's configuration.
func OutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Local").
		Summary("Writes UNS messages, one line each: a recording that uns_replay reads, or `topic payload` text.").
		Description(`
Each message becomes one line, built from its ` + "`umh_topic`" + ` metadata and its body:

- ` + "`recording`" + `: ` + "`{\"topic\":…,\"payload\":…}`" + `, the format ` + "`uns_replay`" + ` reads. A body that is a
  JSON object, array, number or literal on one line stands as it is; any other body is
  written as a JSON string. Either way a replay gives back the body.
- ` + "`text`" + `: the topic, a space and the body as it is, for reading (a body with line breaks
  spans several lines).

Every batch is written with one write, in order. A message without ` + "`umh_topic`" + ` (or with
an empty one) is not written: it fails alone, with an error Benthos' error handling sees, while the rest of
its batch is written.`).
		Field(service.NewStringField(fieldPath).
			Description("The file written, created (or emptied) when the output connects; empty: standard output.").
			Example("./outputs.jsonl").
			Default("")).
		Field(service.NewStringEnumField(fieldFormat, formatRecording, formatText).
			Description("`recording` or `text`, see above.").
			Default(formatRecording))
}

// output is the uns_record output.
type output struct {
	path string
	text bool

	mu  sync.Mutex
	w   io.Writer
	f   *os.File // nil for standard output
	buf []byte
}

func newOutputFromParsed(conf *service.ParsedConfig, _ *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
	var o output
	var err error
	if o.path, err = conf.FieldString(fieldPath); err != nil {
		return nil, service.BatchPolicy{}, 0, err
	}
	format, err := conf.FieldString(fieldFormat)
	if err != nil {
		return nil, service.BatchPolicy{}, 0, err
	}
	o.text = format == formatText
	// One batch in flight: lines leave in the order the batches arrive.
	return &o, service.BatchPolicy{}, 1, nil
}

// Connect implements service.BatchOutput: it opens the file, or takes standard output.
func (o *output) Connect(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.w != nil {
		return nil
	}
	if o.path == "" {
		o.w = os.Stdout
		return nil
	}
	f, err := os.Create(o.path)
	if err != nil {
		return fmt.Errorf("uns_record: %w", err)
	}
	o.w, o.f = f, f
	return nil
}

// WriteBatch implements service.BatchOutput: the batch's lines in one write.
func (o *output) WriteBatch(_ context.Context, batch service.MessageBatch) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.w == nil {
		return service.ErrNotConnected
	}
	failures := batchout.For(batch)
	b := o.buf[:0]
	for i, m := range batch {
		s, _ := m.MetaGet(topicKey)
		if s == "" {
			failures.Fail(i, errNoUMHTopic)
			continue
		}
		body, err := m.AsBytes()
		if err != nil {
			failures.Fail(i, fmt.Errorf("uns_record: reading the body: %w", err))
			continue
		}
		if o.text {
			b = appendText(b, s, body)
		} else {
			b = appendRecording(b, s, body)
		}
	}
	o.buf = b
	if len(b) > 0 {
		if _, err := o.w.Write(b); err != nil {
			return fmt.Errorf("uns_record: %w", err)
		}
	}
	return failures.Err()
}

// Close implements service.BatchOutput.
func (o *output) Close(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.f
	o.w, o.f = nil, nil
	if f != nil {
		return f.Close()
	}
	return nil
}

// appendText appends the line `topic body`.
func appendText(b []byte, topic string, body []byte) []byte {
	b = append(b, topic...)
	b = append(b, ' ')
	b = append(b, body...)
	return append(b, '\n')
}

// appendRecording appends the recording line {"topic":…,"payload":…}: the body as it
// is when it is JSON on one line other than a string, else as a JSON string (uns_replay
// unquotes a payload given as a string once).
func appendRecording(b []byte, topic string, body []byte) []byte {
	b = append(b, `{"topic":`...)
	b = appendJSONString(b, topic)
	b = append(b, `,"payload":`...)
	if !bytes.ContainsAny(body, "\r\n") && !isString(body) && json.Valid(body) {
		b = append(b, body...)
	} else {
		b = appendJSONString(b, string(body))
	}
	return append(b, "}\n"...)
}

// isString reports whether the JSON text starts a string.
func isString(text []byte) bool {
	i := skipSpace(text, 0)
	return i < len(text) && text[i] == '"'
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			quoted, _ := json.Marshal(s) // a string always encodes
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
