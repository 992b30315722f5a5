package replay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// InputName is the name under which init registers the input.
const InputName = "uns_replay"

// topicKey is the metadata key that receives a line's topic.
const topicKey = "umh_topic"

const (
	fieldPaths        = "paths"
	fieldBatchSize    = "batch_size"
	fieldSpeed        = "speed"
	fieldMaxLineBytes = "max_line_bytes"
)

const (
	// readBuffer is the size of the file reader's buffer; longer lines are gathered
	// in a separate buffer, up to max_line_bytes.
	readBuffer = 256 << 10
	// minSlab is the smallest body slab of a batch (see ReadBatch).
	minSlab = 4 << 10
	// maxInterned bounds the number of distinct topic strings the input keeps for
	// reuse; topics beyond it are allocated per message.
	maxInterned = 4096
	// loggedPerFile is how many malformed lines of a file are logged one by one; the
	// rest are counted in the summary logged at the end of the file.
	loggedPerFile = 10
)

func init() {
	if err := Register(service.GlobalEnvironment()); err != nil {
		panic(err) // only for an invalid name or spec: a later registration of a name replaces the earlier one
	}
}

// Register adds the uns_replay input and the uns_record output to env.
func Register(env *service.Environment) error {
	if err := env.RegisterBatchInput(InputName, ConfigSpec(), newFromParsed); err != nil {
		return err
	}
	return env.RegisterBatchOutput(OutputName, OutputSpec(), newOutputFromParsed)
}

// ConfigSpec describes the input's configuration.
func ConfigSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Local").
		Summary("Replays a recording of UNS messages: one JSON object {\"topic\": …, \"payload\": …} per line.").
		Description(`
Each line becomes a message whose ` + "`umh_topic`" + ` metadata is the line's topic and whose body is
the payload's JSON text exactly as it stands in the line (a payload given as a JSON string
becomes the string's contents). A line may give ` + "`value`" + ` and ` + "`timestamp_ms`" + ` members
instead of a payload; the body is then ` + "`{\"value\":…,\"timestamp_ms\":…}`" + `. A line without a
topic (or with a null one) gives a message without ` + "`umh_topic`" + `. Blank lines are skipped.
Malformed lines (not a JSON object, no payload, a topic that is not a string) are skipped,
counted in the ` + "`replay_malformed_lines`" + ` metric and logged with their file and line number
(the first few of each file one by one, then a count at the end of the file).

Messages leave the input in batches of ` + "`batch_size`" + `, in file order, and the files are read
one after the other. The end of the last file ends the stream. A path that does not exist
stops the stream at start-up with an error.`).
		Field(service.NewStringListField(fieldPaths).
			Description("The recordings to replay, in order. Glob patterns (`*`, `?`, `[…]`) are expanded in lexical order; a pattern that matches no file is an error.").
			Example([]string{"./recording.jsonl"}).
			Example([]string{"./recordings/*.jsonl"})).
		Field(service.NewIntField(fieldBatchSize).
			Description("The most messages in a batch. Larger batches spread Benthos' per-batch costs over more messages.").
			Default(500)).
		Field(service.NewStringField(fieldSpeed).
			Description("`max` replays as fast as the pipeline takes the messages; a factor such as `1x`, `2x` or `0.5x` paces them by their payloads' `timestamp_ms`, at that multiple of the recorded rate. Messages without an integral `timestamp_ms` are not delayed.").
			Default("max").
			Examples("max", "1x", "10x", "0.5x")).
		Field(service.NewIntField(fieldMaxLineBytes).
			Description("The longest line accepted; longer lines are skipped as malformed.").
			Default(1 << 20).
			Advanced()).
		Field(service.NewAutoRetryNacksToggleField())
}

// settings is the parsed configuration.
type settings struct {
	paths     []string
	batchSize int
	// speed is the pacing factor; 0 replays as fast as possible.
	speed        float64
	maxLineBytes int
}

func settingsFromParsed(conf *service.ParsedConfig) (settings, error) {
	var s settings
	var err error
	if s.paths, err = conf.FieldStringList(fieldPaths); err != nil {
		return s, err
	}
	if len(s.paths) == 0 {
		return s, errors.New("paths: at least one path is required")
	}
	if s.batchSize, err = conf.FieldInt(fieldBatchSize); err != nil {
		return s, err
	}
	if s.batchSize < 1 {
		return s, fmt.Errorf("batch_size: %d is not a positive number", s.batchSize)
	}
	speed, err := conf.FieldString(fieldSpeed)
	if err != nil {
		return s, err
	}
	if s.speed, err = parseSpeed(speed); err != nil {
		return s, err
	}
	if s.maxLineBytes, err = conf.FieldInt(fieldMaxLineBytes); err != nil {
		return s, err
	}
	if s.maxLineBytes < 1 {
		return s, fmt.Errorf("max_line_bytes: %d is not a positive number", s.maxLineBytes)
	}
	return s, nil
}

// parseSpeed reads max (0) or a positive factor followed by x.
func parseSpeed(s string) (float64, error) {
	if s == "max" {
		return 0, nil
	}
	factor, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
	if !strings.HasSuffix(s, "x") || err != nil || !(factor > 0) || factor > 1e9 {
		return 0, fmt.Errorf("speed: %q is neither max nor a positive factor such as 1x, 2x or 0.5x", s)
	}
	return factor, nil
}

func newFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
	s, err := settingsFromParsed(conf)
	if err != nil {
		return nil, err
	}
	// A recording that is not there is a mistake in the config or in the directory it
	// runs from: refuse to start, so that the command fails, instead of ending quietly.
	if _, err := expandPaths(s.paths); err != nil {
		return nil, fmt.Errorf("%w (relative paths are taken from the working directory%s)", err, workingDirectory())
	}
	return service.AutoRetryNacksBatchedToggled(conf, newInput(s, mgr))
}

// workingDirectory is ", <the working directory>" for an error message, or "" when it
// cannot be read.
func workingDirectory() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return ", " + wd
}

// input is the uns_replay input. Benthos calls ReadBatch from one goroutine at a time.
type input struct {
	settings
	log       *service.Logger
	malformed *service.MetricCounter

	files []string // the expanded paths, set by Connect
	next  int      // index in files of the next file to open

	// The file being read: its name, reader, line number, and malformed lines.
	file            *os.File // nil between files
	name            string
	reader          *bufio.Reader // reused from file to file
	line            int
	malformedInFile int
	// long gathers a line longer than the reader's buffer.
	long []byte
	done bool // the last file has ended

	// topics holds one metadata value per distinct topic, shared by the messages.
	topics map[string]any
	// slabHint is the body bytes of the last batch, the size of the next one's slab.
	slabHint int

	pacer pacer
	// pending is a message read ahead that is not yet due, and when it is.
	pending    *service.Message
	pendingDue time.Time
}

func newInput(s settings, mgr *service.Resources) *input {
	return &input{
		settings:  s,
		log:       mgr.Logger(),
		malformed: mgr.Metrics().NewCounter("replay_malformed_lines"),
		topics:    map[string]any{},
		slabHint:  minSlab,
		pacer:     pacer{speed: s.speed},
	}
}

// Connect expands the paths and checks that every file exists (the constructor checked
// them too; a file removed since stops the stream: it is logged as an error and the
// input ends).
func (in *input) Connect(context.Context) error {
	if in.files != nil {
		return nil
	}
	files, err := expandPaths(in.paths)
	if err != nil {
		in.log.Errorf("uns_replay cannot start, the stream stops: %v", err)
		return fmt.Errorf("%w: %w", err, service.ErrEndOfInput)
	}
	in.files = files
	return nil
}

// expandPaths returns the files named by paths, with glob patterns expanded; it fails
// on a path that is not a readable regular file and a pattern that matches nothing.
func expandPaths(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		if !strings.ContainsAny(p, "*?[") {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", p, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("path %q matches no file", p)
		}
		files = append(files, matches...)
	}
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file", f)
		}
	}
	return files, nil
}

// noAck acknowledges a batch: a recording needs nothing done once a batch is
// delivered.
func noAck(context.Context, error) error { return nil }

// ReadBatch returns the next batch_size messages, fewer at the end of the input, or
// fewer when pacing and the next message is not due yet. After the last message it
// returns service.ErrEndOfInput.
//
// The bodies of a batch are carved from one slab sized by the previous batch: one
// allocation for all of them, which the batch's messages keep alive together.
func (in *input) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	if in.done && in.pending == nil {
		return nil, nil, service.ErrEndOfInput
	}
	batch := make(service.MessageBatch, 0, in.batchSize)
	slab := make([]byte, 0, in.slabHint)
	used := 0
	for len(batch) < in.batchSize {
		if in.pending != nil {
			if wait := time.Until(in.pendingDue); wait > 0 {
				if len(batch) > 0 {
					break // deliver what is due now, then wait
				}
				if err := sleep(ctx, wait); err != nil {
					return nil, nil, err
				}
			}
			batch = append(batch, in.pending)
			in.pending = nil
			continue
		}
		if in.done {
			break
		}
		line, err := in.nextLine()
		if err == io.EOF {
			in.done = true
			break
		}
		if err != nil {
			in.rejectLine(err)
			continue
		}
		rec, err := ParseLine(line)
		if err != nil {
			in.rejectLine(err)
			continue
		}
		if cap(slab)-len(slab) < len(rec.Payload) {
			slab = make([]byte, 0, max(in.slabHint, len(rec.Payload)))
		}
		start := len(slab)
		slab = append(slab, rec.Payload...)
		used += len(rec.Payload)
		msg := service.NewMessage(slab[start:len(slab):len(slab)])
		if rec.HasTopic {
			msg.MetaSetMut(topicKey, in.intern(rec.Topic))
		}
		if in.speed > 0 {
			if ts, ok := timestampOf(rec.Payload); ok {
				in.pending, in.pendingDue = msg, in.pacer.due(ts)
				continue
			}
		}
		batch = append(batch, msg)
	}
	in.slabHint = max(used+used/8, minSlab)
	if len(batch) == 0 {
		return nil, nil, service.ErrEndOfInput
	}
	return batch, noAck, nil
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// intern returns topic as a metadata value: a string in an interface, shared with
// earlier messages on the same topic (boxing a string for MetaSetMut allocates).
func (in *input) intern(topic []byte) any {
	if v, ok := in.topics[string(topic)]; ok {
		return v
	}
	var v any = string(topic)
	if len(in.topics) < maxInterned {
		in.topics[string(topic)] = v
	}
	return v
}

// errLineTooLong is the error of a line longer than max_line_bytes.
var errLineTooLong = errors.New("line longer than max_line_bytes")

// nextLine returns the next non-blank line of the recording, without its line ending,
// moving on to the next file at the end of one; io.EOF after the last file. The line
// is valid until the next call. A line that is too long is returned as an error, after
// which reading goes on; a file that cannot be read further is logged and left.
func (in *input) nextLine() ([]byte, error) {
	for {
		if in.file == nil {
			if in.next >= len(in.files) {
				return nil, io.EOF
			}
			name := in.files[in.next]
			in.next++
			if err := in.open(name); err != nil {
				in.log.Errorf("uns_replay skips %s: %v", name, err)
				continue
			}
		}
		line, err := in.reader.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			line, err = in.readLong(line)
		}
		if len(line) == 0 && err != nil {
			if err != io.EOF {
				in.log.Errorf("uns_replay stops reading %s after line %d: %v", in.name, in.line, err)
			}
			in.closeFile()
			continue
		}
		in.line++
		line = trimSpace(line)
		if errors.Is(err, errLineTooLong) || len(line) > in.maxLineBytes {
			return nil, errLineTooLong
		}
		if len(line) == 0 {
			continue
		}
		return line, nil
	}
}

// readLong gathers a line that does not fit the reader's buffer, of which first is
// the beginning, into in.long. Past max_line_bytes, it discards the rest of the line
// and returns errLineTooLong.
func (in *input) readLong(first []byte) ([]byte, error) {
	in.long = append(in.long[:0], first...)
	for {
		part, err := in.reader.ReadSlice('\n')
		if len(in.long) <= in.maxLineBytes+2 { // room for the line ending
			in.long = append(in.long, part...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(in.long) > in.maxLineBytes+2 {
			return []byte{'-'}, errLineTooLong
		}
		return in.long, err
	}
}

// trimSpace returns line without JSON whitespace at its ends.
func trimSpace(line []byte) []byte {
	line = line[skipSpace(line, 0):]
	end := len(line)
	for end > 0 {
		switch line[end-1] {
		case ' ', '\t', '\r', '\n':
			end--
			continue
		}
		break
	}
	return line[:end]
}

// open starts reading the file name.
func (in *input) open(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	in.file, in.name, in.line, in.malformedInFile = f, name, 0, 0
	if in.reader == nil {
		in.reader = bufio.NewReaderSize(f, readBuffer)
	} else {
		in.reader.Reset(f)
	}
	return nil
}

// closeFile ends the current file, logging how many of its lines were malformed, if
// any were.
func (in *input) closeFile() {
	if in.malformedInFile > 0 {
		in.log.Warnf("uns_replay skipped %d malformed lines of %d in %s (the first %d are logged one by one)", in.malformedInFile, in.line, in.name, loggedPerFile)
	}
	if err := in.file.Close(); err != nil {
		in.log.Warnf("uns_replay: closing %s: %v", in.name, err)
	}
	in.file = nil
}

// rejectLine counts a malformed line and logs it, unless the file already had
// loggedPerFile of them.
func (in *input) rejectLine(err error) {
	in.malformed.Incr(1)
	in.malformedInFile++
	if in.malformedInFile <= loggedPerFile {
		in.log.Warnf("uns_replay skips line %d of %s: %v", in.line, in.name, err)
	}
}

// Close closes the file being read, if any.
func (in *input) Close(context.Context) error {
	if in.file != nil {
		err := in.file.Close()
		in.file = nil
		return err
	}
	return nil
}

// pacer maps recorded timestamps to the wall-clock times at which to emit them: the
// first timestamp is emitted at once, and a later one when speed times the time since
// then has passed the recorded time between them.
type pacer struct {
	speed   float64
	started bool
	first   int64 // the first timestamp, in milliseconds
	start   time.Time
}

// due returns when the message with timestamp ts (milliseconds) is due.
func (p *pacer) due(ts int64) time.Time {
	if !p.started {
		p.started, p.first, p.start = true, ts, time.Now()
	}
	return p.start.Add(time.Duration(float64(ts-p.first) * float64(time.Millisecond) / p.speed))
}
