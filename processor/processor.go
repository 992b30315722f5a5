package processor

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/unsproc/unsproc/compat"
	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/datamodel"
	"github.com/unsproc/unsproc/internal/clock"
	codec "github.com/unsproc/unsproc/internal/payload"
	"github.com/unsproc/unsproc/internal/topicindex"
	"github.com/unsproc/unsproc/state"
	"github.com/unsproc/unsproc/value"
)

// Processor is the host-agnostic stream processor: it keeps the last value of every
// source alias and turns each accepted input into outputs, one per mapping that fires
// (docs/behaviour.md#firing). It is safe for concurrent use; one instance is
// meant to serve every pipeline thread.
type Processor struct {
	mappings   []*Mapping // statics, then dynamics; each group sorted by path
	statics    int        // how many of mappings are static
	maxOutputs int        // see MaxOutputs
	sources    topicindex.Index[*source]
	state      *state.Table
	observer   Observer
	idle       idleScratch // the working memory of Process calls, see takeScratch
	maxDeps    int         // the most inputs of one mapping
	coverage   *ModelCoverage
	// aliasSlots is the number of alias slots; the state slots after them hold the
	// values of mappings that other mappings read, slotMappings[slot-aliasSlots]'s.
	aliasSlots   int
	slotMappings []int
	sourceTopics map[string]string // alias → source topic
}

// source is what a message on one configured topic does: the slots it updates (every
// alias naming the topic) and the dynamic mappings that then fire, in output order.
type source struct {
	slots      []int
	dependents []dependent
	// solos, when every dependent's one input is an alias of the source (the usual
	// case), holds their mappings: each is evaluated on the message's value alone.
	solos []*Mapping
	// plan, when some mapping reads another, replaces dependents and the statics: the
	// mappings to evaluate, in dependency order (see chain.go). stateSlots are the
	// slots a message may then update: slots and the values of the mappings in plan.
	plan       []step
	stateSlots []int
}

// dependent is a dynamic mapping that a source's messages fire.
type dependent struct {
	mapping int // index in Processor.mappings
	// own lists the positions of the mapping's inputs that are aliases of the source:
	// they take the message's value. When that is all of them, the state is not read.
	own []int
}

// scratch is the per-call working memory of Process, reused between calls (see
// idleScratch), or a Worker's own.
type scratch struct {
	buf    []byte        // the payloads built (by a Worker, as many as its caller keeps)
	suffix []byte        // `,"timestamp_ms":<ts>}` when the payload is not canonical
	vals   []value.Value // input values of mappings with more than stackInputs
	enc    encoder
	// With mappings that read mappings: by state slot, the values emitted for the
	// current message and whether there is one, and its outputs in dependency order.
	fresh    []value.Value
	fired    []bool
	deferred deferredSink
}

// Output is one output message. Payload is {"value":<json>,"timestamp_ms":<int>} and
// is only valid during the emit callback of Processor.Process (a Worker's stay valid
// longer, see Worker.Buffer); copy it to keep it.
type Output struct {
	Mapping *Mapping
	Topic   string
	Payload []byte
}

// Result summarises what Process did with one input.
type Result struct {
	// Matched reports that the topic is a configured source. Unmatched messages are
	// skipped without reading the payload (docs/behaviour.md#topic-matching).
	Matched bool
	// Outputs is how many outputs were emitted.
	Outputs int
	// Slots are the state slots the message may have updated (every alias naming its
	// topic, and the values of mappings read by other mappings that its outputs may
	// include), when it was accepted; the caller must not modify the slice.
	Slots []int
	// Err is the *PayloadError of a rejected payload; the state is then unchanged.
	Err error
}

// Option adjusts how New builds a Processor.
type Option func(*settings)

type settings struct {
	observer     Observer
	compilerOpts []compiler.Option
}

// WithObserver reports evaluations (see Observer) and waiting mappings to o.
func WithObserver(o Observer) Option { return func(s *settings) { s.observer = o } }

// WithCompilerOptions passes extra options to every compiler.Compile call, after the
// ones the Config implies (for example compiler.WithClock in tests).
func WithCompilerOptions(opts ...compiler.Option) Option {
	return func(s *settings) { s.compilerOpts = append(s.compilerOpts, opts...) }
}

// New validates cfg, compiles every mapping and evaluates the pure static ones. A
// configuration with problems returns a *ConfigError listing all of them.
func New(cfg Config, opts ...Option) (*Processor, error) {
	var set settings
	for _, o := range opts {
		o(&set)
	}
	c := compileConfig(cfg, set)
	if len(c.problems) > 0 {
		return nil, &ConfigError{Problems: c.problems}
	}
	statics, dynamics, aliases := c.statics, c.dynamics, c.aliases

	p := &Processor{
		mappings:     append(statics, dynamics...),
		statics:      len(statics),
		observer:     set.observer,
		coverage:     c.coverage,
		aliasSlots:   len(aliases),
		sourceTopics: cfg.Sources,
	}
	deps := make([][]string, len(p.mappings))
	maxDeps := 0
	read := map[string]bool{}
	for i, m := range p.mappings {
		m.index = i
		m.timed = p.observer != nil && !m.prog.Fast()
		deps[i] = m.prog.Deps()
		maxDeps = max(maxDeps, len(deps[i]))
		for _, r := range m.reads {
			read[r] = true
		}
	}
	slotNames := slices.Clone(aliases)
	for i, m := range p.mappings {
		m.slot = -1
		if read[m.path] {
			m.slot = len(slotNames)
			slotNames = append(slotNames, m.path)
			p.slotMappings = append(p.slotMappings, i)
		}
	}
	layout, err := state.NewLayout(slotNames, deps)
	if err != nil {
		return nil, fmt.Errorf("building the state layout: %w", err) // the compiler only reports aliases and mappings as deps
	}
	p.state = state.NewTable(layout)
	for i, m := range p.mappings {
		m.depSlots = layout.DepSlots(i)
		if m.slot >= 0 && m.head != nil {
			p.state.Store(m.slot, m.value, 0) // a pure static's value is known from construction
		}
	}
	sources := buildSources(layout, cfg.Sources, len(aliases))
	for _, src := range sources {
		p.maxOutputs = max(p.maxOutputs, p.statics+len(src.dependents))
		src.solos = p.soloMappings(src.dependents)
		if len(p.slotMappings) > 0 {
			src.plan, src.stateSlots = p.buildPlan(layout, src.slots)
			p.maxOutputs = max(p.maxOutputs, len(src.plan))
		}
	}
	p.sources = topicindex.New(sources)
	p.maxDeps = maxDeps
	p.idle.pool.New = func() any { return p.newScratch() }
	return p, nil
}

// Inspection describes one mapping of a config as New compiles it, valid or not.
type Inspection struct {
	Path    string            // the virtual path
	Topic   string            // the output topic
	Source  string            // the expression as configured
	Program *compiler.Program // the compiled expression; nil when Err is set
	Err     error             // why the mapping is invalid (a *MappingError); nil otherwise
	Shape   string            // the payload shape of its data model field; "" without one
	// Kind is the mapping's kind (see Mapping.Kind); meaningful when Err is nil.
	Kind compiler.Kind
	// Reads names the mappings it reads (see Mapping.Reads).
	Reads []string
	// Aliased reports a top-level mapping whose name is also an alias: mappings that
	// use the name read the alias, not this mapping.
	Aliased bool
}

// Inspect compiles every mapping of cfg as New does and describes each, valid or not,
// in New's output order (statics, then dynamics, each by path; invalid ones last), with
// every problem New would report. Tools use it to describe a config New rejects.
func Inspect(cfg Config, opts ...Option) ([]Inspection, []error) {
	var set settings
	for _, o := range opts {
		o(&set)
	}
	c := compileConfig(cfg, set)
	out := make([]Inspection, 0, len(c.statics)+len(c.dynamics)+len(c.invalid))
	for _, m := range append(c.statics, c.dynamics...) {
		out = append(out, Inspection{Path: m.path, Topic: m.topic, Source: m.prog.Source(), Program: m.prog,
			Shape: c.shapes[m.path], Kind: m.kind, Reads: m.reads, Aliased: slices.Contains(c.aliased, m.path)})
	}
	return append(out, c.invalid...), c.problems
}

// InspectModel describes which fields of cfg's data model its mappings fill; nil
// when cfg names no data models file. An error says why the model cannot be loaded.
func InspectModel(cfg Config) (*ModelCoverage, error) {
	model, err := loadModel(cfg)
	if model == nil {
		return nil, err
	}
	leaves, _ := flatten(cfg.Mapping)
	return coverage(cfg.DataModelsFile, model, leafPaths(leaves)), nil
}

// Coverage describes which fields of the data model the mappings fill; nil without
// a data models file.
func (p *Processor) Coverage() *ModelCoverage { return p.coverage }

func leafPaths(leaves []leaf) []string {
	paths := make([]string, len(leaves))
	for i, l := range leaves {
		paths[i] = l.path
	}
	return paths
}

// compiledConfig is a config's mappings compiled, and its problems.
type compiledConfig struct {
	statics, dynamics []*Mapping   // the valid mappings, each group by path
	invalid           []Inspection // the mappings with a problem, by path
	problems          []error
	aliases           []string // every alias, sorted
	coverage          *ModelCoverage
	shapes            map[string]string // the shape name of each valid mapping's field
	aliased           []string          // top-level mapping names that are also aliases
}

// compileConfig checks cfg's fields and aliases and compiles every mapping.
func compileConfig(cfg Config, set settings) compiledConfig {
	c := compiledConfig{problems: cfg.checkFields(), aliases: slices.Sorted(maps.Keys(cfg.Sources))}
	valid := make([]string, 0, len(c.aliases)) // invalid aliases would only confuse the compiler's hints
	for _, a := range c.aliases {
		if err := compiler.ValidateAlias(a); err != nil {
			c.problems = append(c.problems, fmt.Errorf("sources: %w", err))
			continue
		}
		valid = append(valid, a)
	}
	leaves, dups := flatten(cfg.Mapping)
	c.problems = append(c.problems, dups...)
	model, err := loadModel(cfg)
	if err != nil {
		c.problems = append(c.problems, err)
	}
	if model != nil {
		c.coverage = coverage(cfg.DataModelsFile, model, leafPaths(leaves))
		c.shapes = make(map[string]string, len(leaves))
	}
	copts := append(cfg.compilerOptions(), set.compilerOpts...)
	prefix := cfg.TopicPrefix()
	isAlias := make(map[string]bool, len(valid))
	for _, a := range valid {
		isAlias[a] = true
	}
	names := readableNames(leaves, isAlias)
	c.aliased = names.aliased
	copts = append(copts, compiler.WithNames(names.list()))
	ms := make([]*Mapping, len(leaves))
	errs := make([]error, len(leaves))
	for i, l := range leaves {
		ms[i], errs[i] = compileMapping(l, valid, prefix, copts, model)
	}
	link(leaves, ms, errs, names, isAlias)
	for i, l := range leaves {
		switch {
		case errs[i] != nil:
			merr := &MappingError{Path: l.path, Err: errs[i]}
			c.problems = append(c.problems, merr)
			c.invalid = append(c.invalid, Inspection{Path: l.path, Topic: prefix + l.path, Source: l.src, Err: merr})
		case ms[i].kind == compiler.Dynamic:
			c.dynamics = append(c.dynamics, ms[i])
		default:
			c.statics = append(c.statics, ms[i])
		}
		if errs[i] == nil && model != nil {
			field, _ := model.Field(l.path)
			c.shapes[l.path] = field.Shape.Name
		}
	}
	return c
}

// compileMapping compiles one leaf (opts name the mappings it may read). Pure statics
// are evaluated once linked (they may read other mappings), and must then give an
// emittable value (docs/behaviour.md#validation). With a data model, the leaf's path
// must be a field whose shape the program's results can match.
func compileMapping(l leaf, aliases []string, topicPrefix string, opts []compiler.Option, model *datamodel.Model) (*Mapping, error) {
	prog, err := compiler.Compile(l.src, aliases, opts...)
	if err != nil {
		return nil, err
	}
	topic := topicPrefix + l.path
	m := &Mapping{path: l.path, topic: topic, topicMeta: topic, prog: prog, kind: prog.Kind(), slot: -1}
	if model != nil {
		field, err := fieldFor(model, l.path, prog)
		if err != nil {
			return nil, err
		}
		m.shape = field.Shape
	}
	return m, nil
}

// valuePrefix starts every output payload.
const valuePrefix = `{"value":`

// buildSources groups the aliases by topic and merges the dependents of aliases that
// share one, so that each dependent fires once per message (docs/behaviour.md#topic-matching).
func buildSources(layout *state.Layout, topics map[string]string, aliasSlots int) map[string]*source {
	sources := make(map[string]*source, len(topics))
	for slot := range aliasSlots {
		topic := topics[layout.Alias(slot)]
		s := sources[topic]
		if s == nil {
			s = &source{}
			sources[topic] = s
		}
		s.slots = append(s.slots, slot)
		for _, m := range layout.Dependents(slot) {
			if !slices.ContainsFunc(s.dependents, func(d dependent) bool { return d.mapping == m }) {
				s.dependents = append(s.dependents, dependent{mapping: m})
			}
		}
	}
	for _, s := range sources {
		// mapping order is output order
		slices.SortFunc(s.dependents, func(a, b dependent) int { return a.mapping - b.mapping })
		for i := range s.dependents {
			d := &s.dependents[i]
			for j, slot := range layout.DepSlots(d.mapping) {
				if slices.Contains(s.slots, slot) {
					d.own = append(d.own, j)
				}
			}
		}
	}
	return sources
}

// Process handles one input message: topic is its umh_topic, payload its bytes. It
// calls emit once per output, in output order (statics, then dynamics, each by path).
// Apart from boxing the decoded value and what evaluating the mappings takes, it does
// not allocate: its working memory is reused between calls.
func (p *Processor) Process(topic string, payload []byte, emit func(Output)) Result {
	matched, n, slots, err := p.process(topic, payload, nil, emit)
	return Result{Matched: matched, Outputs: n, Slots: slots, Err: err}
}

// Worker processes inputs with working memory of its own, for hosts that handle
// batches of inputs: unlike Process, it leaves the payloads of the outputs in a
// buffer the caller controls (see Buffer), so that the outputs may keep them without
// a copy. A Worker serves one goroutine at a time; the Processor's state is shared by
// all its Workers.
type Worker struct {
	p  *Processor
	sc *scratch
}

// NewWorker makes a Worker for p.
func (p *Processor) NewWorker() *Worker { return &Worker{p: p, sc: p.newScratch()} }

// Process is Processor.Process for the worker's goroutine: it appends the payload of
// each output to the worker's buffer, right after the previous one, and calls emit
// with it. Output.Payload stays valid after the call (see Buffer).
func (w *Worker) Process(topic string, payload []byte, emit func(Output)) Result {
	matched, n, slots, err := w.p.process(topic, payload, w.sc, emit)
	return Result{Matched: matched, Outputs: n, Slots: slots, Err: err}
}

// Buffer returns the buffer Process appends payloads to. Process never writes the
// bytes before its length again, so a payload handed to emit stays valid as long
// as the caller does not give the buffer's array back through SetBuffer.
func (w *Worker) Buffer() []byte { return w.sc.buf }

// SetBuffer makes buf the buffer Process appends payloads to: a fresh one when
// outputs still use the payloads in the current one, or the unused end of the current
// one.
func (w *Worker) SetBuffer(buf []byte) { w.sc.buf = buf }

// newScratch makes working memory for process.
func (p *Processor) newScratch() *scratch {
	sc := &scratch{buf: make([]byte, 0, 256), suffix: make([]byte, 0, 40)}
	if p.maxDeps > stackInputs {
		sc.vals = make([]value.Value, p.maxDeps)
	}
	if len(p.slotMappings) > 0 {
		sc.fresh = make([]value.Value, p.state.Layout().Len())
		sc.fired = make([]bool, p.state.Layout().Len())
	}
	return sc
}

// idleScratch holds the working memory of Process calls between them. One scratch
// waits in last, alone on its cache line: taking and returning it is one atomic swap
// each, much cheaper than the pool's round trip, which serves the calls that find it
// taken (concurrent ones).
type idleScratch struct {
	_    [cacheLine]byte // last does not share a line with the fields every call reads
	last atomic.Pointer[scratch]
	_    [cacheLine - 8]byte
	pool sync.Pool // *scratch
}

// cacheLine is the assumed size of a CPU cache line.
const cacheLine = 64

// takeScratch returns idle working memory for process.
func (p *Processor) takeScratch() *scratch {
	if sc := p.idle.last.Swap(nil); sc != nil {
		return sc
	}
	return p.idle.pool.Get().(*scratch)
}

// releaseScratch makes sc, taken with takeScratch, idle again.
func (p *Processor) releaseScratch(sc *scratch) {
	if !p.idle.last.CompareAndSwap(nil, sc) {
		p.idle.pool.Put(sc)
	}
}

// process is Process with the caller's working memory, or idle one (takeScratch) when sc
// is nil (taken only once the message is accepted, so rejects stay cheap). The
// payloads are appended to sc.buf, each output's right after the previous one's; a
// caller's sc.buf keeps them until the caller resets it. It returns the fields of
// Process's Result, which its callers assemble: a Result returned from here would be
// copied through memory on the way.
func (p *Processor) process(topic string, payload []byte, sc *scratch, emit func(Output)) (matched bool, outputs int, slots []int, _ error) {
	src, ok := p.sources.Get(topic)
	if !ok {
		return false, 0, nil, nil
	}
	v, ts, suffix, err := codec.Decode(payload)
	if err != nil {
		return true, 0, nil, err
	}
	for _, slot := range src.slots {
		p.state.Store(slot, v, ts)
	}

	// The working memory lives in locals while outputs are built, and the values of
	// few inputs on the stack: stores into pooled memory would pay GC write barriers.
	pooled := sc == nil
	if pooled {
		sc = p.takeScratch()
		sc.buf = sc.buf[:0]
	}
	if suffix == nil {
		sc.suffix = codec.AppendTail(sc.suffix[:0], ts)
		suffix = sc.suffix
	}
	out := outputBuilder{buf: sc.buf, suffix: suffix, enc: &sc.enc, emit: emit}
	if src.plan != nil {
		p.runPlan(src, v, ts, sc, &out)
		sc.buf = out.buf
		if pooled {
			p.releaseScratch(sc)
		}
		return true, out.n, src.stateSlots, nil
	}
	for _, m := range p.mappings[:p.statics] {
		p.emitMapping(m, nil, &out)
	}
	if src.solos != nil {
		one := [1]value.Value{v}
		for _, m := range src.solos {
			one[0] = v // afresh for each mapping, whatever an evaluation did to its inputs
			p.emitMapping(m, one[:], &out)
		}
	} else {
		var local [stackInputs]value.Value
		for _, d := range src.dependents {
			m := p.mappings[d.mapping]
			vals := local[:0]
			if len(m.depSlots) > len(local) {
				vals = sc.vals
			}
			vals = vals[:len(m.depSlots)]
			// The aliases this message updated take its own value, even if another
			// pipeline thread has stored a newer one since: an output always reflects the
			// input that triggered it.
			if len(d.own) < len(vals) && !p.state.Gather(m.depSlots, vals) {
				if p.observer != nil {
					p.observer.Waiting(m)
				}
				continue
			}
			for _, j := range d.own {
				vals[j] = v
			}
			p.emitMapping(m, vals, &out)
		}
	}
	if len(sc.vals) > 0 {
		clear(sc.vals) // do not keep values alive from the pool
	}
	sc.buf = out.buf
	if pooled {
		p.releaseScratch(sc)
	}
	return true, out.n, src.slots, nil
}

// stackInputs is how many input values of a mapping Process keeps on its stack; a
// mapping with more uses the pooled scratch slice.
const stackInputs = 4

// outputBuilder is Process's state while it builds the outputs of one message.
type outputBuilder struct {
	buf    []byte // the payloads built, back to back
	suffix []byte // `,"timestamp_ms":<ts>}`, the same for every output of the message
	enc    *encoder
	emit   func(Output)
	n      int         // outputs emitted
	last   value.Value // the value of the last output of a mapping that others read
}

// emitMapping evaluates m (unless its value is precomputed), appends its payload to
// out.buf and emits it, unless the evaluation failed (out.buf is then unchanged). The
// payloads of consecutive outputs are thus contiguous in out.buf. The value of a
// mapping that others read is kept in out.last.
func (p *Processor) emitMapping(m *Mapping, vals []value.Value, out *outputBuilder) {
	from := len(out.buf)
	var buf []byte
	if m.head != nil {
		buf = append(out.buf, m.head...)
	} else {
		buf = append(out.buf, valuePrefix...)
		var start, took time.Duration
		if m.timed {
			start = clock.Monotonic()
		}
		v, fallback, err := m.prog.EvalValues(vals)
		if m.timed {
			took = clock.Monotonic() - start
		}
		// A number, the usual result, is written here as appendValue would write it,
		// without boxing it or another call.
		if err == nil && v.IsNum {
			var ok bool
			if buf, ok = compat.AppendJSONNumber(buf, v.Num); !ok {
				err = nonFinite(v.Num)
			}
		} else if err == nil {
			buf, err = out.enc.appendValue(buf, v.Any)
		}
		if err == nil && m.shape != nil {
			err = checkShape(m, buf[from+len(valuePrefix):])
		}
		// A fast-path evaluation that succeeded has nothing to report.
		if (m.timed || fallback || err != nil) && p.observer != nil {
			p.observer.Evaluated(m, took, fallback, err)
		}
		if err != nil {
			out.buf = buf[:from] // keeps the capacity grown
			return
		}
		if m.slot >= 0 {
			out.last = v
		}
	}
	buf = append(buf, out.suffix...)
	out.buf = buf
	out.n++
	out.emit(Output{Mapping: m, Topic: m.topic, Payload: buf[from:len(buf):len(buf)]})
}

// soloMappings returns the mappings of deps when each has one input, an alias of the
// source (see source.solos); nil otherwise.
func (p *Processor) soloMappings(deps []dependent) []*Mapping {
	solos := make([]*Mapping, 0, len(deps))
	for _, d := range deps {
		m := p.mappings[d.mapping]
		if len(d.own) != 1 || len(m.depSlots) != 1 {
			return nil
		}
		solos = append(solos, m)
	}
	return solos
}

// Handles reports whether topic is a configured source.
func (p *Processor) Handles(topic string) bool {
	_, ok := p.sources.Get(topic)
	return ok
}

// MaxOutputs is the most outputs one input can produce: every static mapping plus the
// most dynamic mappings one source topic triggers.
func (p *Processor) MaxOutputs() int { return p.maxOutputs }

// Mappings lists the compiled mappings in output order: statics, then dynamics, each
// group sorted by virtual path. The caller must not modify the slice.
func (p *Processor) Mappings() []*Mapping { return p.mappings }

// State is the processor's live state table (for inspection; Process writes it).
func (p *Processor) State() *state.Table { return p.state }

// checkShape reports a *MismatchError when value, the JSON of m's result, does not
// match the shape of m's field.
func checkShape(m *Mapping, value []byte) error {
	if err := m.shape.Check(value); err != nil {
		return &MismatchError{Field: m.path, Err: err}
	}
	return nil
}
