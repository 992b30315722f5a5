package streamprocessor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/internal/clock"
	"github.com/unsproc/unsproc/processor"
)

// PluginName is the name under which init registers the processor.
const PluginName = "stream_processor"

// topicKey is the metadata key holding a message's UNS topic.
const topicKey = "umh_topic"

// cacheLine is the assumed size of a CPU cache line.
const cacheLine = 64

// maxPreallocOutputs bounds the output batch capacity reserved ahead of a batch.
const maxPreallocOutputs = 4096

func init() {
	if err := Register(service.GlobalEnvironment(), PluginName); err != nil {
		panic(err) // only for an invalid name or spec: a later registration of a name replaces the earlier one
	}
}

// Register adds the stream processor to env as a batch processor called name.
func Register(env *service.Environment, name string) error {
	return env.RegisterBatchProcessor(name, ConfigSpec(), NewBatchProcessor)
}

// batchProcessor adapts a Processor to Benthos.
type batchProcessor struct {
	core *processor.Processor
	obs  *pluginObserver
	// deadLetter passes defective inputs on with their error flag set (on_reject: error).
	deadLetter bool
	// cache persists the state (state_cache); nil without one.
	cache *stateCache
	// clock is the monotonic time at the start of a recent timed batch (it lags the
	// latest by less than clockStep): rejects in other batches rate-limit their logs by
	// it instead of reading the clock. It has a
	// cache line of its own: pipeline threads write it, and every batch reads the
	// fields around it.
	_     [cacheLine]byte
	clock atomic.Int64
	_     [cacheLine - 8]byte
	// emitters holds idle *emitter, each with working memory for core.
	emitters sync.Pool
}

// timingSample: one batch in this many is timed (batch_processing_time,
// message_processing_time). Reading the clock costs as much as processing a message's
// core work on some virtual machines; timers are distributions, which a regular sample
// keeps.
const timingSample = 8

// NewBatchProcessor is the plugin's constructor: it builds the Benthos batch processor
// from a config parsed with ConfigSpec. Hosts that construct processors themselves
// (and the benchmarks) call it directly.
func NewBatchProcessor(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
	cfg, err := ConfigFromParsed(conf)
	if err != nil {
		return nil, err
	}
	settings, err := pluginSettingsFromParsed(conf, cfg)
	if err != nil {
		return nil, err
	}
	obs := newPluginObserver(mgr, cfg.Sources)
	core, err := processor.New(cfg, processor.WithObserver(obs))
	if err != nil {
		return nil, err
	}
	obs.bind(core.Mappings())
	logStart(mgr.Logger(), core)
	b := &batchProcessor{core: core, obs: obs, deadLetter: settings.deadLetter}
	b.emitters.New = func() any { return newEmitter(core) }
	if settings.stateCache != "" {
		if b.cache, err = newStateCache(mgr, settings, core); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// logStart summarises the compiled mappings.
func logStart(log *service.Logger, core *processor.Processor) {
	var static, impure, dynamic, fallback int
	for _, m := range core.Mappings() {
		switch m.Kind() {
		case compiler.Static:
			static++
		case compiler.ImpureStatic:
			impure++
		default:
			dynamic++
		}
		if !m.Program().Fast() {
			fallback++
			log.With("mapping", m.Path(), "reason", m.Program().FallbackReason()).Debug("mapping runs in the goja sandbox")
		}
	}
	log.Infof("stream_processor initialised with %s: %d static, %d impure static, %d dynamic (%d on the goja fallback)",
		countOf(len(core.Mappings()), "mapping", "mappings"), static, impure, dynamic, fallback)
	if c := core.Coverage(); c != nil {
		if unmapped := c.Unmapped(); len(unmapped) > 0 {
			log.With("unmapped", strings.Join(unmapped, ", ")).Warnf("%d/%d fields of the data model are mapped; no mapping fills the others", c.Mapped(), len(c.Fields))
		}
	}
}

// countOf is n followed by the noun in the number n asks for: "1 mapping", "2 mappings".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ProcessBatch handles the messages in order and returns all their outputs as one
// batch (none when nothing fired). Bad input never fails the batch: it is counted by
// reason and, with on_reject: error, passed on flagged among the outputs. With a state
// cache, the aliases the batch updated are written to it before returning.
func (b *batchProcessor) ProcessBatch(ctx context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	e := b.emitters.Get().(*emitter)
	// Each emitter counts its batches (a counter shared by the pipeline threads would
	// bounce between their cores): its first batch, then every timingSample-th is timed.
	timed := e.batches%timingSample == 0
	e.batches++
	start := unmeasured
	if timed {
		start = clock.Monotonic()
		// Stored once per clockStep at most: a store on every timed batch would move the
		// line between the cores of the pipeline threads that many times.
		if start-time.Duration(b.clock.Load()) >= clockStep {
			b.clock.Store(int64(start))
		}
	}
	e.capacity = min(len(batch)*b.core.MaxOutputs(), maxPreallocOutputs)
	var dirty *dirtySlots
	if b.cache != nil {
		dirty = b.cache.begin()
	}
	last := start
	for _, msg := range batch {
		last = b.processMessage(msg, e, last, dirty)
	}
	if dirty != nil {
		b.cache.flush(ctx, dirty)
		if timed {
			last = clock.Monotonic() // the batch's time includes its cache writes
		}
	}
	processed, outputs := e.processed, e.outputs
	out := e.finish()
	b.emitters.Put(e)
	took := unmeasured
	if timed {
		took = last - start
	}
	b.obs.batchDone(took, processed, outputs, len(b.core.Mappings()), b.core.State().Present())
	if len(out) == 0 {
		return nil, nil
	}
	return []service.MessageBatch{out}, nil
}

// clockStep is the resolution of batchProcessor.clock: far finer than the log limit
// (logEvery) that rejects read it for.
const clockStep = time.Millisecond

// unmeasured marks a start time or duration that was not read from the clock.
const unmeasured = time.Duration(-1)

// processMessage appends the outputs of msg to e.out, or accounts for it as rejected.
// started is the monotonic time at which the message's processing began, or
// unmeasured in a batch that is not timed; it returns the monotonic time at which it
// ended (one clock reading per message of a timed batch, none otherwise). With a state cache, an accepted value marks its slots for
// writing, in dirty for per-batch writes.
func (b *batchProcessor) processMessage(msg *service.Message, e *emitter, started time.Duration, dirty *dirtySlots) time.Duration {
	topic, ok := msg.MetaGet(topicKey)
	if !ok {
		return b.reject(e, msg, reasonMissingTopic, "", nil, started)
	}
	payload, err := msg.AsBytes()
	if err != nil {
		if !b.core.Handles(topic) {
			return b.reject(e, msg, reasonUnknownTopic, topic, nil, started)
		}
		return b.reject(e, msg, reasonInvalidPayload, topic, &processor.PayloadError{Reason: "unreadable message: " + err.Error()}, started)
	}
	e.begin(msg)
	res := e.w.Process(topic, payload, e.emit)
	switch {
	case res.Err != nil:
		return b.reject(e, msg, reasonInvalidPayload, topic, res.Err, started)
	case !res.Matched:
		return b.reject(e, msg, reasonUnknownTopic, topic, nil, started)
	}
	if b.cache != nil {
		b.cache.mark(dirty, res.Slots)
	}
	if res.Outputs == 0 {
		return b.reject(e, msg, reasonNoOutput, topic, nil, started)
	}
	e.processed++
	e.outputs += res.Outputs
	if started == unmeasured {
		return unmeasured
	}
	now := clock.Monotonic()
	b.obs.messageTimed(now - started)
	return now
}

// Close stops the background writer of the state cache, if there is one, after it
// has stored the last updates. The in-memory state is dropped with the processor.
func (b *batchProcessor) Close(ctx context.Context) error {
	if b.cache != nil {
		b.cache.close(ctx)
	}
	return nil
}
