package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/unsproc/unsproc/components/replay"
	"github.com/unsproc/unsproc/processor"
)

// defaultProgressEvery is how many inputs pass between two progress lines on stderr.
const defaultProgressEvery = 10000

// maxSampleLine bounds one line of a sample file.
const maxSampleLine = 16 << 20

// errBadSamples makes try exit with status 1 after its report.
var errBadSamples = errors.New("some sample lines could not be read")

// tryCommand is `unsproc try`: runs one stream_processor of a config on sample inputs
// and prints, per input, the outputs and the mappings that did not fire, with why.
func tryCommand(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "try",
		Usage:     "Run a config's stream_processor on sample inputs and show what each input does",
		ArgsUsage: "[CONFIG]",
		Description: `
Reads JSON lines, each one UNS message:
  {"topic": "<umh_topic>", "payload": {"value": …, "timestamp_ms": …}}
  {"topic": "<umh_topic>", "value": …, "timestamp_ms": …}
(a payload given as a JSON string is used as the raw message bytes; a line without
"topic" is a message without umh_topic). For each input it prints the outputs, in
order, and each mapping the input triggered that did not fire: waiting for an alias
without a value, the JavaScript error, or a result JSON cannot hold. The state carries
over from line to line, as in one processor instance. Nothing is sent anywhere.

  {{.BinaryName}} try -c ./config.yaml --input ./sample.jsonl`[1:],
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "the Benthos config file"},
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "the sample file (JSON lines), - for stdin", Required: true},
			&cli.StringFlag{Name: "processor", Aliases: []string{"p"}, Usage: "which stream_processor, by path (/pipeline/processors/1) or label, when the config has several"},
		},
		Action: func(c *cli.Context) error {
			f, err := loadConfigArg(c)
			if err != nil {
				return err
			}
			if problems := fileProblems(f); hasErrors(problems) {
				writeProblems(stdout, "", problems)
				return errConfigProblems
			}
			block, err := f.find(c.String("processor"))
			if err != nil {
				return err
			}
			t, problems := newTrial(f, block)
			if len(problems) > 0 {
				writeProblems(stdout, "", problems)
				return errConfigProblems
			}
			in, closeInput, err := openInput(c.String("input"))
			if err != nil {
				return err
			}
			defer closeInput()
			t.out, t.progress = stdout, stderr
			return t.run(in)
		},
	}
}

func openInput(path string) (io.Reader, func(), error) {
	if path == "-" {
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// trial runs a processor on sample inputs and reports what happened to each.
type trial struct {
	proc          *processor.Processor
	obs           *trialObserver
	out           io.Writer
	progress      io.Writer
	progressEvery int

	inputs, outputs, skipped, rejected, badLines int
	fired                                        map[*processor.Mapping]int
}

// newTrial builds the processor of block b of file f; it returns the block's problems
// instead when it has errors.
func newTrial(f *configFile, b *configBlock) (*trial, []problem) {
	report := explainBlock(f, b)
	if hasErrors(report.Problems) {
		return nil, report.Problems
	}
	cfg, _ := b.parse(f)
	obs := &trialObserver{}
	p, err := processor.New(*cfg, processor.WithObserver(obs))
	if err != nil { // explainBlock found no error: not a config problem
		return nil, []problem{placeAt(f, location{Line: b.Line}, problem{Severity: severityError, Message: err.Error()})}
	}
	obs.proc = p
	return &trial{proc: p, obs: obs, progressEvery: defaultProgressEvery, fired: map[*processor.Mapping]int{}}, nil
}

// run processes every line of r and ends with a summary.
func (t *trial) run(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxSampleLine)
	start := time.Now()
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		s, err := replay.ParseLine(text)
		if err != nil {
			t.badLines++
			fmt.Fprintf(t.out, "line %d: %v\n", line, err)
			continue
		}
		t.inputs++
		t.process(line, s)
		if t.progressEvery > 0 && t.inputs%t.progressEvery == 0 {
			fmt.Fprintf(t.progress, "try: %s, %s (%s)\n", count(t.inputs, "input", "inputs"), count(t.outputs, "output", "outputs"), time.Since(start).Round(time.Millisecond))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	t.summary()
	if t.badLines > 0 {
		return errBadSamples
	}
	return nil
}

// process runs one input and prints its outputs and the mappings that did not fire.
func (t *trial) process(line int, s replay.Line) {
	topic := "(no topic)"
	if s.HasTopic {
		topic = string(s.Topic)
	}
	fmt.Fprintf(t.out, "#%d %s %s\n", line, topic, s.Payload)
	if !s.HasTopic {
		t.rejected++
		fmt.Fprintln(t.out, "  rejected: no umh_topic metadata")
		return
	}
	t.obs.reset()
	res := t.proc.Process(topic, s.Payload, func(o processor.Output) {
		t.fired[o.Mapping]++
		engine := ""
		if t.obs.fallback[o.Mapping] {
			engine = "  (goja)"
		}
		fmt.Fprintf(t.out, "  → %s %s%s\n", o.Topic, o.Payload, engine)
	})
	t.outputs += res.Outputs
	switch {
	case !res.Matched:
		t.skipped++
		fmt.Fprintln(t.out, "  skipped: not a source topic")
	case res.Err != nil:
		t.rejected++
		fmt.Fprintf(t.out, "  rejected: %v (the state is unchanged)\n", res.Err)
	}
	for _, m := range t.obs.missed {
		fmt.Fprintf(t.out, "  ✗ %s: %s\n", m.mapping.Path(), m.reason)
	}
	if res.Matched && res.Err == nil && res.Outputs == 0 && len(t.obs.missed) == 0 {
		fmt.Fprintln(t.out, "  no output: the value is stored; no mapping depends on this topic")
	}
}

// summary prints the totals and the mappings that never fired.
func (t *trial) summary() {
	fmt.Fprintf(t.out, "\n%s: %s, %d skipped (not a source), %d rejected",
		count(t.inputs, "input", "inputs"), count(t.outputs, "output", "outputs"), t.skipped, t.rejected)
	if t.badLines > 0 {
		fmt.Fprintf(t.out, ", %s", count(t.badLines, "unreadable line", "unreadable lines"))
	}
	fmt.Fprintln(t.out)
	var never []string
	for _, m := range t.proc.Mappings() {
		if t.fired[m] == 0 {
			never = append(never, m.Path())
		}
	}
	if len(never) > 0 {
		fmt.Fprintf(t.out, "never fired: %s\n", strings.Join(never, ", "))
	}
}

// trialObserver records, for the current input, the mappings that did not fire and
// the evaluations goja ran. Process calls it synchronously, before it emits.
type trialObserver struct {
	proc     *processor.Processor
	missed   []missedMapping
	fallback map[*processor.Mapping]bool
}

type missedMapping struct {
	mapping *processor.Mapping
	reason  string
}

func (o *trialObserver) reset() {
	o.missed = o.missed[:0]
	if o.fallback == nil {
		o.fallback = map[*processor.Mapping]bool{}
	}
	clear(o.fallback)
}

// Evaluated records failures and fallbacks.
func (o *trialObserver) Evaluated(m *processor.Mapping, _ time.Duration, fallback bool, failure error) {
	if failure != nil {
		o.missed = append(o.missed, missedMapping{m, failure.Error()})
		return
	}
	o.fallback[m] = fallback
}

// Waiting records which aliases the mapping still waits for.
func (o *trialObserver) Waiting(m *processor.Mapping) {
	table := o.proc.State()
	var waiting []string
	for _, dep := range m.Program().Deps() {
		if slot, ok := table.Layout().Slot(dep); ok {
			if _, present := table.Load(slot); !present {
				waiting = append(waiting, dep)
			}
		}
	}
	o.missed = append(o.missed, missedMapping{m, "waiting for " + strings.Join(waiting, ", ")})
}
